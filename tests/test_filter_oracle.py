"""No list filter is an existence oracle, and none answers a server error: walks every filter of every list
the router knows, as a manager of *another* organization, and compares the answer for a real id of the first
organization with the answer for an id that exists nowhere — they must be the same. Then every id filter gets
floats, huge numbers and text, and must answer 200 or a 400 in the API's format."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from accounts.api.filters import FilterBackend
from config.api import router
from tests.factories import MAKERS

pytestmark = pytest.mark.django_db

NOT_IDS = ["5e-324", "-1.79e308", "9223372036854775808", "2**63", "1.5", "abc", "-1", "0", ""]


def _field_for(model: type[models.Model], path: str) -> models.Field[Any, Any] | None:
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:
            return None
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field  # type: ignore[return-value]


def id_filters():
    """(list url, filter name, model the id points at) for every filter of a related row's id."""
    for prefix, viewset, _basename in router.registry:
        if not hasattr(viewset, "list"):
            continue
        view = viewset()
        view.request = None
        view.format_kwarg = None
        view.action = "list"
        backend_filterset = FilterBackend().get_filterset_class(view, viewset.queryset)
        if backend_filterset is None:
            continue
        for name, filter_ in backend_filterset.base_filters.items():
            field = _field_for(viewset.queryset.model, filter_.field_name)
            if field is not None and field.is_relation and field.related_model is not None:
                yield f"/api/v1/{prefix}", name, field.related_model


FILTERS = list(id_filters())


def test_there_are_id_filters_to_walk():
    names = {(url, name) for url, name, _ in FILTERS}
    assert ("/api/v1/visits", "wave") in names and ("/api/v1/clients", "organization") in names


@pytest.mark.parametrize(("url", "name", "target"), FILTERS, ids=[f"{u.rsplit('/', 1)[-1]}?{n}" for u, n, _ in FILTERS])
def test_another_organizations_id_answers_like_an_unknown_one(url, name, target, org, outsider, api):
    if target not in MAKERS:
        pytest.skip(f"no maker for {target.__name__}")  # the tenancy walker fails for missing makers
    row = MAKERS[target](org)
    client = api(outsider)
    theirs = client.get(url, {name: str(row.pk)})
    unknown_id = "00000000-0000-4000-8000-000000000000" if isinstance(row.pk, type(row.pk)) and \
        not isinstance(row.pk, int) else "987654321"
    nowhere = client.get(url, {name: unknown_id})
    assert (theirs.status_code, _results(theirs)) == (nowhere.status_code, _results(nowhere)), \
        f"{url}?{name}= tells a real id of another organization from an unknown one"


@pytest.mark.parametrize(("url", "name", "target"), FILTERS, ids=[f"{u.rsplit('/', 1)[-1]}?{n}" for u, n, _ in FILTERS])
def test_id_filters_refuse_what_is_not_an_id_in_the_format(url, name, target, manager, api):
    client = api(manager)
    for value in NOT_IDS:
        answer = client.get(url, {name: value})
        assert answer.status_code in (200, 400), f"{url}?{name}={value}: {answer.status_code}"
        if answer.status_code == 400:
            assert answer.json()["error"]["code"] == "validation_error"


def _results(answer) -> Any:
    if answer.status_code != 200:
        return answer.json()
    body = answer.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body
