"""The map and checklist endpoints are in the OpenAPI schema, each operation with examples."""

from __future__ import annotations

import pytest
import yaml
from django.test import Client as HttpClient

pytestmark = pytest.mark.django_db

PREFIXES = ("/api/v1/journeys", "/api/v1/personas", "/api/v1/friction-tags", "/api/v1/checklist-templates",
            "/api/v1/checklist-versions", "/api/v1/scenarios")


def test_every_map_and_checklist_operation_is_documented_with_examples():
    schema = yaml.safe_load(HttpClient().get("/api/schema/").content)
    operations = {(method, path): op for path, ops in schema["paths"].items() if path.startswith(PREFIXES)
                  for method, op in ops.items() if method in {"get", "post", "put", "patch", "delete"}}
    assert {path for _, path in operations} >= {
        "/api/v1/journeys", "/api/v1/journeys/{id}", "/api/v1/personas", "/api/v1/friction-tags/{id}/retire",
        "/api/v1/checklist-templates/{id}/publish", "/api/v1/checklist-templates/{id}/export",
        "/api/v1/checklist-templates/{id}/import", "/api/v1/checklist-templates/import",
        "/api/v1/checklist-templates/from-journey", "/api/v1/checklist-versions/{id}", "/api/v1/scenarios/{id}"}
    undocumented = [f"{method.upper()} {path}" for (method, path), op in operations.items()
                    if "examples" not in str(op)]
    assert undocumented == []
    version = schema["components"]["schemas"]["ChecklistVersion"]["properties"]
    assert list(version) == ["id", "template", "number", "title", "journey", "sections"]
    assert list(schema["components"]["schemas"]["Journey"]["properties"]) == [
        "id", "client", "name", "description", "checklist_version", "stages"]
