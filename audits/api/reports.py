"""Reports API: request a report (202, compiled by Celery), follow its progress, download its outputs,
share it with a signed link; and `/r/<token>`, the read-only page of a share link (no account).

The result document and the scope are typed once, as TypedDicts (`audits.reports.document`,
`audits.reports.scope.ReportScope`); the schema section at the end makes each TypedDict a component of the
OpenAPI schema, of the same name."""

from __future__ import annotations

import inspect
import types
from typing import Any, Literal, Union, cast, get_args, get_origin, get_type_hints, is_typeddict

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent, build_basic_type
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.base import ModelSerializer, TenantRelatedField, TenantViewSet
from accounts.api.filters import IdFilter, TenantFilterSet
from accounts.errors import Conflict
from accounts.models import Client
from audits.models import Location, Report, ReportState, ShareLink, Wave
from audits.reports.document import ReportDocument, ReportSummary, summary_of
from audits.reports.requests import report_request, report_retry, report_scope
from audits.reports.scope import ReportScope
from audits.reports.share import LinkNotFound, share_link_create, share_link_open, share_link_revoke, share_token
from journeys.models import Journey, Persona

FORMATS = {
    "html": ("text/html; charset=utf-8", False),
    "pdf": ("application/pdf", False),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True),
    "csv": ("application/zip", True),
}
# The stored page is self-contained: no script, no remote fetch.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


class TypedField(serializers.SerializerMethodField):
    """A read-only field whose value has a declared type (a TypedDict, or one or None): the schema says it."""

    def __init__(self, shape: Any, **kwargs: Any) -> None:
        self.shape = shape
        super().__init__(**kwargs)


class ReportSerializer(ModelSerializer):
    requested_by = serializers.EmailField(source="requested_by.email", read_only=True, default=None)
    scope = TypedField(ReportScope)
    downloads = serializers.SerializerMethodField()
    summary = TypedField(ReportSummary | None)

    class Meta:
        model = Report
        fields = ["id", "title", "number", "state", "progress", "stage", "error", "attempts", "client", "journey",
                  "wave", "scope", "data_version", "requested_by", "created_at", "started_at", "finished_at",
                  "downloads", "summary"]
        read_only_fields = fields

    def get_scope(self, report: Report) -> ReportScope:
        return cast(ReportScope, report.scope)

    def get_downloads(self, report: Report) -> dict[str, str]:
        if report.state != ReportState.READY:
            return {}
        return {fmt: reverse(f"report-{fmt}", args=[report.pk]) for fmt in FORMATS}

    def get_summary(self, report: Report) -> ReportSummary | None:
        # Lists defer the result document (it can be large): the summary is on the detail.
        if report.state != ReportState.READY or "result" in report.get_deferred_fields() or not report.result:
            return None
        return summary_of(cast(ReportDocument, report.result))


class ReportRequestSerializer(serializers.Serializer):
    wave = TenantRelatedField(queryset=Wave.objects.all(), required=False, allow_null=True)
    client = TenantRelatedField(queryset=Client.objects.all(), required=False, allow_null=True)
    journey = TenantRelatedField(queryset=Journey.objects.all(), required=False, allow_null=True)
    locations = TenantRelatedField(queryset=Location.objects.all(), many=True, required=False)
    period_from = serializers.DateField(required=False, allow_null=True)
    period_to = serializers.DateField(required=False, allow_null=True)
    persona = TenantRelatedField(queryset=Persona.objects.all(), required=False, allow_null=True)
    notify = serializers.BooleanField(default=False, help_text="E-mail me when it is ready.")


class ShareLinkSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = ShareLink
        fields = ["id", "report", "url", "active", "created_at", "expires_at", "revoked_at", "opened_count",
                  "last_opened_at"]
        read_only_fields = fields

    def get_url(self, link: ShareLink) -> str:
        path = reverse("report-share", args=[share_token(link)])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_active(self, link: ShareLink) -> bool:
        return link.revoked_at is None and link.expires_at > timezone.now()


class ShareLinkRequestSerializer(serializers.Serializer):
    report = TenantRelatedField(queryset=Report.objects.all())
    days = serializers.IntegerField(default=14, min_value=1, max_value=90)


def _file_response(report: Report, fmt: str, *, inline: bool | None = None) -> FileResponse:
    field = getattr(report, fmt)
    if report.state != ReportState.READY or not field:
        raise Conflict("The report is not ready yet.", code="not_ready")
    content_type, attachment = FORMATS[fmt]
    response = FileResponse(field.open("rb"), content_type=content_type,
                            as_attachment=attachment if inline is None else not inline,
                            filename=field.name.rsplit("/", 1)[-1])
    if fmt == "html":
        for name, value in PAGE_HEADERS.items():
            response[name] = value
    return response


class ReportFilter(TenantFilterSet):
    client = IdFilter(field_name="client")
    journey = IdFilter(field_name="journey")
    wave = IdFilter(field_name="wave")

    class Meta:
        model = Report
        fields = ["state"]


class ReportViewSet(TenantViewSet):
    """`POST` a scope (a wave, or journey + optional client, locations, period, persona): 202 with the report
    (200 when the same scope over the same data is already ready). Old versions stay readable."""

    queryset = Report.objects.select_related("requested_by").order_by("-created_at", "-id")
    serializer_class = ReportSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = ReportFilter

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.defer("result") if self.action == "list" else queryset

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer, 200: ReportSerializer})
    def create(self, request, *args, **kwargs):
        data = ReportRequestSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        notify = values.pop("notify")
        scope = report_scope(user=request.user, **values)
        report, _ = report_request(user=request.user, scope=scope, notify=notify)
        answer = status.HTTP_200_OK if report.state == ReportState.READY else status.HTTP_202_ACCEPTED
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data, status=answer,
                        headers={"Location": reverse("report-detail", args=[report.pk])})

    @extend_schema(request=None, responses={202: ReportSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        report = self.get_object()
        report_retry(report=report)
        report.refresh_from_db()
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data,
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: OpenApiResponse(ReportDocument, description="The whole result document")})
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        report = self.get_object()
        if report.state != ReportState.READY:
            raise Conflict("The report is not ready yet.", code="not_ready")
        return Response(report.result)

    @extend_schema(responses={(200, "text/html"): OpenApiResponse(description="The report page")})
    @action(detail=True, methods=["get"])
    def html(self, request, pk=None):
        return _file_response(self.get_object(), "html")

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The report as PDF")})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return _file_response(self.get_object(), "pdf")

    @extend_schema(responses={(200, FORMATS["xlsx"][0]): OpenApiResponse(description="The workbook")})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        return _file_response(self.get_object(), "xlsx")

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(description="CSV files, zipped")})
    @action(detail=True, methods=["get"])
    def csv(self, request, pk=None):
        return _file_response(self.get_object(), "csv")


class ShareLinkFilter(TenantFilterSet):
    report = IdFilter(field_name="report")

    class Meta:
        model = ShareLink
        fields: list[str] = []


class ShareLinkViewSet(TenantViewSet):
    """Managers create links (`POST {report, days}`), list them, and revoke one with `DELETE`."""

    queryset = ShareLink.objects.select_related("report").order_by("-created_at", "-id")
    serializer_class = ShareLinkSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]
    filterset_class = ShareLinkFilter

    @extend_schema(request=ShareLinkRequestSerializer, responses={201: ShareLinkSerializer})
    def create(self, request, *args, **kwargs):
        data = ShareLinkRequestSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        link = share_link_create(user=request.user, **data.validated_data)
        return Response(ShareLinkSerializer(link, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ShareLinkSerializer})
    def destroy(self, request, *args, **kwargs):
        link = share_link_revoke(user=request.user, link=self.get_object())
        return Response(ShareLinkSerializer(link, context=self.get_serializer_context()).data)


def shared_report(request: HttpRequest, token: str) -> FileResponse:
    """`/r/<token>`: the report page for anyone holding a live link; `?format=pdf` for its PDF."""
    try:
        link = share_link_open(token=token)
    except LinkNotFound as gone:
        raise Http404(gone.message) from None  # a page, not the API: Django's 404
    fmt = "pdf" if request.GET.get("format") == "pdf" else "html"
    response = _file_response(link.report, fmt, inline=True)
    for name, value in PAGE_HEADERS.items():
        response[name] = value
    return response


# -- the schema of typed values ------------------------------------------------------------------------
# drf-spectacular inlines a TypedDict; these make each one a named component instead, with every key
# required unless the TypedDict says otherwise, and no key it does not declare. OpenAPI 3.0 has no null
# type, and `nullable` only widens a `type` beside it: a value that may be None is `anyOf` its schema and
# `{"enum": [null]}`, which a validator and openapi-typescript both read as "X or null".

def typed_schema(hint: Any, registry: ComponentRegistry) -> dict[str, Any]:
    """The OpenAPI schema of a type hint; each TypedDict in it is registered as a component."""
    if is_typeddict(hint):
        component = ResolvedComponent(name=hint.__name__, type=ResolvedComponent.SCHEMA, object=hint)
        if component not in registry:
            registry.register(component)  # before its keys are mapped: they may name it again
            component.schema = typed_dict_schema(hint, registry)
        return component.ref
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        kinds = [arg for arg in args if arg is not type(None)]
        schema = typed_schema(kinds[0], registry) if len(kinds) == 1 else {
            "oneOf": [typed_schema(kind, registry) for kind in kinds]}
        if len(kinds) == len(args):
            return schema
        if "type" in schema:
            return {**schema, "nullable": True}
        return {"anyOf": [schema, {"enum": [None]}]}
    if origin is Literal:
        return {**cast(dict[str, Any], build_basic_type(type(args[0]))), "enum": list(args)}
    if origin is list:
        return {"type": "array", "items": typed_schema(args[0], registry)}
    if origin is tuple:  # a fixed-length tuple of one type (JSON has it as an array)
        return {"type": "array", "items": typed_schema(args[0], registry), "minItems": len(args),
                "maxItems": len(args)}
    if origin is dict:
        return {"type": "object", "additionalProperties": typed_schema(args[1], registry)}
    if hint in (bool, int, float, str):
        return cast(dict[str, Any], build_basic_type(hint))
    raise TypeError(f"No schema for {hint!r}")


def typed_dict_schema(hint: Any, registry: ComponentRegistry) -> dict[str, Any]:
    keys = get_type_hints(hint)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: typed_schema(value, registry) for name, value in keys.items()},
        "required": [name for name in keys if name in hint.__required_keys__],
        "additionalProperties": False,
    }
    if hint.__doc__:
        schema["description"] = inspect.cleandoc(hint.__doc__)
    return schema


class TypedDictResponse(OpenApiSerializerExtension):
    """`extend_schema(responses=SomeTypedDict)`: the response is the TypedDict's component."""

    target_class = ReportDocument

    def get_name(self, auto_schema: Any, direction: Any) -> str:
        return str(self.target.__name__)

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return typed_dict_schema(self.target, auto_schema.registry)


class TypedFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TypedField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return typed_schema(self.target.shape, auto_schema.registry)
