"""Walks every endpoint the API router knows as a manager of *another* organization: every detail
route answers 404 (as if the row did not exist) and lists never show the row."""

from __future__ import annotations

import pytest
from rest_framework.routers import DynamicRoute

from config.api import router
from tests.factories import MAKERS

pytestmark = pytest.mark.django_db

UNSAFE_BODY = {"name": "taken over"}


def _model_of(viewset):
    queryset = getattr(viewset, "queryset", None)
    assert queryset is not None, f"{viewset.__name__} must set `queryset` so the walker knows its model"
    return queryset.model


def detail_routes():
    """(prefix, viewset, url template, methods) for every route that takes a pk, actions included."""
    for prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            if isinstance(route, DynamicRoute) or "{lookup}" not in route.url:
                continue
            methods = [m for m, action in route.mapping.items() if hasattr(viewset, action)]
            url = route.url.replace("^", "").replace("$", "").replace("{prefix}", prefix)
            url = url.replace("{trailing_slash}", "").replace("{lookup}", "{pk}")
            yield basename, viewset, "/api/v1/" + url, methods


def list_routes():
    for prefix, viewset, basename in router.registry:
        if hasattr(viewset, "list"):
            yield basename, viewset, f"/api/v1/{prefix}"


@pytest.mark.parametrize(("basename", "viewset", "url", "methods"),
                         list(detail_routes()), ids=lambda v: v if isinstance(v, str) else "")
def test_other_organizations_rows_are_not_found(basename, viewset, url, methods, org, outsider, api):
    model = _model_of(viewset)
    assert model in MAKERS, f"add a maker for {model.__name__} to tests/factories.py"
    row = MAKERS[model](org)
    before = model.objects.filter(pk=row.pk).values().first()
    client = api(outsider)
    for method in methods:
        answer = getattr(client, method)(url.format(pk=row.pk), UNSAFE_BODY, format="json")
        assert answer.status_code in (404, 405), f"{method.upper()} {url}: {answer.status_code}"
        if method == "get":
            assert answer.status_code == 404
    assert model.objects.filter(pk=row.pk).values().first() == before, f"{url} changed another org's row"


@pytest.mark.parametrize(("basename", "viewset", "url"), list(list_routes()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_lists_never_show_other_organizations_rows(basename, viewset, url, org, outsider, api):
    model = _model_of(viewset)
    row = MAKERS[model](org)
    answer = api(outsider).get(url)
    if answer.status_code in (403, 404):
        return
    assert answer.status_code == 200
    body = answer.json()
    results = body["results"] if isinstance(body, dict) and "results" in body else body
    assert str(row.pk) not in {str(item.get("id")) for item in results}


def test_every_router_endpoint_is_walked():
    walked = {basename for basename, *_ in detail_routes()}
    assert walked == {basename for _, _, basename in router.registry}
