"""Checklist templates (the editable draft, publish, spreadsheet import and export, generate from a
journey), their published versions (read only) and scenarios."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.access import Action, require
from accounts.api.base import (
    IsManagerOrReadOnly,
    ManagedOrganizationField,
    OrganizationOwnedSerializer,
    TenantRelatedField,
    TenantViewSet,
    bad_field,
    crud_schema,
    error_response,
    same_organization,
    signed_in,
)
from accounts.errors import ValidationFailed, summarize
from accounts.models import Client
from audits.checklists import generate, selectors, services, sheet_export, sheet_import, sheets
from audits.models import ChecklistTemplate, ChecklistVersion, Item, Scenario, Section
from journeys.models import Journey

# ---- examples ---------------------------------------------------------------------------------

DRAFT_EXAMPLE = {"sections": [{"title": "Find the room's light switch", "step": 32, "items": [
    {"name": "light_found", "label": "Could you switch the light on within a minute?", "help": "", "kind": "yes_no",
     "required": True, "critical": True, "weight": 2, "step": 32, "options": {}, "shown_when": None},
    {"name": "light_effort", "label": "How hard was it?", "help": "1 very easy … 7 very hard", "kind": "effort",
     "required": True, "critical": False, "weight": 1, "step": 32, "options": {}, "shown_when": None},
    {"name": "light_why", "label": "What made it hard?", "help": "", "kind": "multi_choice", "required": False,
     "critical": False, "weight": 0, "step": 32,
     "options": {"choices": [{"value": "hidden", "label": "Switch hidden"},
                             {"value": "card", "label": "Needed the key card in a slot"}]},
     "shown_when": {"item": "light_found", "equals": "no"}},
    {"name": "room_score", "label": "The room on arrival", "help": "", "kind": "score", "required": True,
     "critical": False, "weight": 1, "step": None,
     "options": {"min": 1, "max": 5, "labels": {"1": "Poor", "3": "As expected", "5": "Excellent"}},
     "shown_when": None}]}]}
TEMPLATE_EXAMPLE = {"id": 3, "organization": 1, "client": 1, "journey": 4, "name": "Hotel stay walk",
                    "description": "", "status": "active", "draft": DRAFT_EXAMPLE, "draft_changed": True,
                    "latest_version": {"id": 9, "number": 2}, "created_at": "2026-11-20T09:00:00Z",
                    "updated_at": "2026-11-23T10:12:00Z"}
VERSION_EXAMPLE = {"id": 9, "template": 3, "number": 2, "title": "Hotel stay walk", "journey": 4, "sections": [
    {"id": 40, "title": "Find the room's light switch", "step": 32, "position": 0, "items": [
        {"id": 301, "name": "light_found", "label": "Could you switch the light on within a minute?", "help": "",
         "kind": "yes_no", "required": True, "critical": True, "weight": 2.0, "step": 32, "options": {},
         "shown_when": None, "position": 0},
        {"id": 302, "name": "light_why", "label": "What made it hard?", "help": "", "kind": "multi_choice",
         "required": False, "critical": False, "weight": 0.0, "step": 32,
         "options": {"choices": [{"value": "hidden", "label": "Switch hidden"}]},
         "shown_when": {"item": "light_found", "equals": "no"}, "position": 1}]}]}
DRAFT_ERROR_FIELDS = {"draft.sections.0.items.2.shown_when.item": ["Shown-when rules go round in a circle: "
                                                                   "light_why → light_found → light_why."],
                      "draft.sections.0.items.3.weight": ["Must be 0 or more."]}
DRAFT_ERROR_EXAMPLE = {"error": {"code": "validation_error", "message": summarize(DRAFT_ERROR_FIELDS),
                                 "fields": DRAFT_ERROR_FIELDS}}
SHEET_ERROR_EXAMPLE = {"error": {
    "code": "invalid_spreadsheet",
    "message": "The spreadsheet was not imported (2 problems); nothing was saved. First: sheet items, row 4, "
               "column weight: Must be 0 or more.",
    "fields": {"items!G4": ["weight: Must be 0 or more."],
               "items!I6": ['shown_when: No item named "lite_found" in this checklist.']},
    "cells": [{"sheet": "items", "row": 4, "column": "weight", "cell": "items!G4", "message": "Must be 0 or more."},
              {"sheet": "items", "row": 6, "column": "shown_when", "cell": "items!I6",
               "message": 'No item named "lite_found" in this checklist.'}]}}


# ---- versions ---------------------------------------------------------------------------------

class ItemSerializer(serializers.ModelSerializer):
    weight = serializers.FloatField()
    step = serializers.IntegerField(source="step_id", allow_null=True)
    options = serializers.JSONField()
    shown_when = serializers.JSONField(allow_null=True)

    class Meta:
        model = Item
        fields = ["id", "name", "label", "help", "kind", "required", "critical", "weight", "step", "options",
                  "shown_when", "position"]
        read_only_fields = fields


class SectionSerializer(serializers.ModelSerializer):
    step = serializers.IntegerField(source="step_id", allow_null=True)
    items = ItemSerializer(many=True)

    class Meta:
        model = Section
        fields = ["id", "title", "step", "position", "items"]
        read_only_fields = fields


class ChecklistVersionSerializer(serializers.ModelSerializer):
    template = serializers.IntegerField(source="template_id")
    journey = serializers.IntegerField(source="journey_id", allow_null=True)
    sections = SectionSerializer(many=True)

    class Meta:
        model = ChecklistVersion
        fields = ["id", "template", "number", "title", "journey", "sections"]
        read_only_fields = fields


PUBLISHED_MESSAGE = "A published version never changes: edit the template's draft and publish a new version."
REFUSED_EXAMPLE = {"error": {"code": "version_published", "message": f"title: {PUBLISHED_MESSAGE}",
                             "fields": {"title": [PUBLISHED_MESSAGE]}}}


@extend_schema_view(
    list=extend_schema(summary="Published checklist versions, with their sections and items",
                       examples=[OpenApiExample("Version 2", value=VERSION_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="A published version: sections, each with its items",
                           examples=[OpenApiExample("Version 2", value=VERSION_EXAMPLE, response_only=True)]),
)
class ChecklistVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read only: audits point at the version they were made with, so a version never changes."""

    queryset = ChecklistVersion.objects.all()
    serializer_class = ChecklistVersionSerializer
    permission_classes = [IsManagerOrReadOnly]
    filterset_fields = ["template", "journey"]
    search_fields = ["title"]

    def get_queryset(self):
        return selectors.version_documents(ChecklistVersion.objects.visible_to(self.request.user)).order_by(
            "template_id", "-number")

    @extend_schema(request=None, summary="Refused: a published version never changes",
                   responses={400: error_response("Names each field sent", REFUSED_EXAMPLE)})
    def update(self, request, *args, **kwargs):
        self.get_object()
        sent = list(request.data.keys()) if isinstance(request.data, dict) else []
        fields = dict.fromkeys(sent, PUBLISHED_MESSAGE) or {"non_field_errors": PUBLISHED_MESSAGE}
        raise ValidationFailed.from_fields(fields, code="version_published")

    @extend_schema(request=None, summary="Refused: a published version never changes",
                   responses={400: error_response("Names each field sent", REFUSED_EXAMPLE)})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(summary="Refused: a published version is never deleted",
                   responses={400: error_response("Refused", {"error": {
                       "code": "version_published", "message": PUBLISHED_MESSAGE,
                       "fields": {"non_field_errors": [PUBLISHED_MESSAGE]}}})})
    def destroy(self, request, *args, **kwargs):
        self.get_object()
        raise ValidationFailed.field("non_field_errors", PUBLISHED_MESSAGE, code="version_published")


# ---- templates --------------------------------------------------------------------------------

class VersionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class ChecklistTemplateSerializer(OrganizationOwnedSerializer):
    client = TenantRelatedField(queryset=Client.objects.all(), required=False, allow_null=True)
    journey = TenantRelatedField(queryset=Journey.objects.all(), required=False, allow_null=True)
    draft = serializers.JSONField(required=False, help_text="The whole definition: sections, each with its items.")
    latest_version = serializers.SerializerMethodField()
    same_organization_fields = ("client", "journey")

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "organization", "client", "journey", "name", "description", "status", "draft",
                  "draft_changed", "latest_version", "created_at", "updated_at"]
        read_only_fields = ["draft_changed", "created_at", "updated_at"]

    @extend_schema_field(VersionBriefSerializer(allow_null=True))
    def get_latest_version(self, template) -> dict | None:
        version_id = getattr(template, "latest_version_id", None)
        if version_id is None:
            return None
        return {"id": version_id, "number": template.latest_version_number}


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An XLSX workbook or a CSV file in the layout of the README.")


class ImportNewSerializer(ImportSerializer):
    organization = ManagedOrganizationField()
    client = TenantRelatedField(queryset=Client.objects.all(), required=False, allow_null=True)


class FromJourneySerializer(serializers.Serializer):
    journey = TenantRelatedField(queryset=Journey.objects.all())
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _read_upload(upload: UploadedFile) -> bytes:
    sheets.check_size(upload.size or 0)
    return upload.read()


@extend_schema_view(
    list=extend_schema(summary="Checklist templates", description="Filters: `client`, `journey`, `status`; "
                       "text: `search` (name, description).",
                       examples=[OpenApiExample("A template", value=TEMPLATE_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="A template with its draft",
                           examples=[OpenApiExample("A template", value=TEMPLATE_EXAMPLE, response_only=True)]),
    create=extend_schema(summary="Create a template (its draft is validated)"),
    update=extend_schema(summary="Edit the draft (published versions never change)"),
    partial_update=extend_schema(summary="Edit some fields of the template or its draft"),
    destroy=extend_schema(summary="Delete a template never published (otherwise archive it: status archived)"),
)
@crud_schema(noun="Hotel stay walk", serializer=ChecklistTemplateSerializer, example=TEMPLATE_EXAMPLE,
             write_example={"organization": 1, "client": 1, "journey": 4, "name": "Hotel stay walk",
                            "draft": DRAFT_EXAMPLE},
             bad_example=DRAFT_ERROR_EXAMPLE)
class ChecklistTemplateViewSet(TenantViewSet):
    queryset = ChecklistTemplate.objects.all()
    serializer_class = ChecklistTemplateSerializer
    filterset_fields = ["organization", "client", "journey", "status"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "updated_at"]

    def get_queryset(self):
        return selectors.template_rows(self.request.user)

    def perform_content_negotiation(self, request, force=False):
        # `export` answers a file itself, and its errors in JSON; its `?format=` is ours, not DRF's renderer choice.
        if getattr(self, "action", None) == "export":
            renderer = renderers.JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def _answer(self, template: ChecklistTemplate, code: int = status.HTTP_200_OK) -> Response:
        return Response(ChecklistTemplateSerializer(selectors.template_rows(self.request.user).get(pk=template.pk),
                                                    context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.template_create(**serializer.validated_data)
        return self._answer(template, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        template = self.get_object()
        serializer = self.get_serializer(template, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return self._answer(services.template_update(template=template, **serializer.validated_data))

    def perform_destroy(self, instance):
        services.template_delete(template=instance)

    @extend_schema(request=None, summary="Publish the draft as the next immutable, numbered version",
                   responses={201: OpenApiResponse(response=ChecklistVersionSerializer,
                                                   description="The new version"),
                              400: error_response("The draft is not valid (or empty): nothing published",
                                                  DRAFT_ERROR_EXAMPLE),
                              409: error_response("Nothing changed since the latest version")},
                   examples=[OpenApiExample("Version 2", value=VERSION_EXAMPLE, response_only=True,
                                            status_codes=["201"])])
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        version = services.template_publish(template=self.get_object(), user=signed_in(request))
        version = selectors.version_documents().get(pk=version.pk)
        return Response(ChecklistVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Download the draft as a spreadsheet (XLSX or CSV)", parameters=[
        OpenApiParameter("format", str, enum=["xlsx", "csv"], default="xlsx",
                         description="xlsx: sheets items, choices, settings (and steps, for reference); csv: the "
                                     "same sheets in one file under [items], [choices], [settings] rows.")],
        responses={(200, sheet_export.XLSX_TYPE): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.STR},
        examples=[OpenApiExample("CSV", response_only=True, media_type="text/csv", value=(
            "[items]\r\ntype,name,label,hint,required,critical,weight,step,shown_when,min,max,unit,measure,"
            "min_count\r\nbegin section,,Find the room's light switch,,,,,32,,,,,,\r\nyes_no,light_found,"
            "Could you switch the light on within a minute?,,yes,yes,2,32,,,,,,\r\n"
            "select_multiple light_why,light_why,What made it hard?,,,,0,32,${light_found} = 'no',,,,,\r\n"
            "end section,,,,,,,,,,,,,\r\n\r\n[choices]\r\nlist_name,name,label\r\n"
            "light_why,hidden,Switch hidden\r\n\r\n[settings]\r\ntitle,description,journey\r\n"
            "Hotel stay walk,,4\r\n"))])
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        template = self.get_object()
        kind = request.query_params.get("format", "xlsx")
        if kind not in ("xlsx", "csv"):
            raise ValidationFailed.field("format", "Must be xlsx or csv.")
        body = sheet_export.export_xlsx(template) if kind == "xlsx" else sheet_export.export_csv(template)
        content_type = sheet_export.XLSX_TYPE if kind == "xlsx" else "text/csv; charset=utf-8"
        answer = HttpResponse(body, content_type=content_type)
        answer["Content-Disposition"] = f'attachment; filename="{slugify(template.name) or "checklist"}.{kind}"'
        return answer

    @extend_schema(
        summary="Replace the draft from a spreadsheet (all or nothing)",
        operation_id="checklist_templates_import_draft",
        request={"multipart/form-data": ImportSerializer},
        responses={200: ChecklistTemplateSerializer,
                   400: error_response("Every problem by sheet, row and column; nothing saved", SHEET_ERROR_EXAMPLE)},
        examples=[OpenApiExample("Imported", value=TEMPLATE_EXAMPLE, response_only=True)])
    @action(detail=True, methods=["post"], url_path="import", url_name="import-draft",
            parser_classes=[MultiPartParser, FormParser, JSONParser])
    def import_draft(self, request, pk=None):
        template = self.get_object()
        serializer = ImportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        template = sheet_import.template_import(data=_read_upload(serializer.validated_data["file"]),
                                               template=template)
        return self._answer(template)

    @extend_schema(
        summary="Create a template from a spreadsheet (all or nothing)",
        operation_id="checklist_templates_import_new",
        request={"multipart/form-data": ImportNewSerializer},
        responses={201: ChecklistTemplateSerializer,
                   400: error_response("Every problem by sheet, row and column; nothing saved", SHEET_ERROR_EXAMPLE)},
        examples=[OpenApiExample("Imported", value=TEMPLATE_EXAMPLE, response_only=True)])
    @action(detail=False, methods=["post"], url_path="import", url_name="import-new",
            parser_classes=[MultiPartParser, FormParser, JSONParser])
    def import_new(self, request):
        serializer = ImportNewSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        same_organization(data, data["organization"], "client")
        client = data.get("client")
        upload = data["file"]
        name = (upload.name or "").rsplit(".", 1)[0].replace("_", " ").strip() or "Imported checklist"
        template = sheet_import.template_import(data=_read_upload(upload), organization=data["organization"],
                                               client=client, default_name=name)
        return self._answer(template, status.HTTP_201_CREATED)

    @extend_schema(summary="Generate a draft template from a journey: a section per step",
                   description="Each step's section has outcome, effort, friction, time on the step, time "
                               "waited, delivered level against the promise, photos and a note, linked to the "
                               "step. Not published: extend it, then publish.",
                   request=FromJourneySerializer,
                   responses={201: ChecklistTemplateSerializer,
                              400: error_response("No such journey", bad_field("journey", 'Invalid pk "9" - '
                                                                                          "object does not exist."))},
                   examples=[OpenApiExample("From the hotel stay", request_only=True,
                                            value={"journey": 4, "name": "Hotel stay walk"}),
                             OpenApiExample("The new draft", response_only=True, value=TEMPLATE_EXAMPLE)])
    @action(detail=False, methods=["post"], url_path="from-journey")
    def from_journey(self, request):
        serializer = FromJourneySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        journey = serializer.validated_data["journey"]
        require(signed_in(request), journey.organization_id, Action.MANAGE)
        template = generate.template_from_journey(journey=journey, name=serializer.validated_data.get("name"))
        return self._answer(template, status.HTTP_201_CREATED)


# ---- scenarios --------------------------------------------------------------------------------

class ScenarioSerializer(OrganizationOwnedSerializer):
    client = TenantRelatedField(queryset=Client.objects.all(), required=False, allow_null=True)
    journey = TenantRelatedField(queryset=Journey.objects.all(), required=False, allow_null=True)
    same_organization_fields = ("client", "journey")

    class Meta:
        model = Scenario
        fields = ["id", "organization", "client", "journey", "title", "brief", "updated_at"]
        read_only_fields = ["updated_at"]


SCENARIO_EXAMPLE = {"id": 2, "organization": 1, "client": 1, "journey": 4, "title": "Dark room",
                    "brief": "Arrive after 22:00, go to your room and try to switch the light on without help. "
                             "If you cannot within a minute, ask the SMS assistant.",
                    "updated_at": "2026-11-23T10:12:00Z"}


@extend_schema_view(
    list=extend_schema(summary="Scenarios: the brief a mystery shopper follows",
                       examples=[OpenApiExample("Dark room", value=SCENARIO_EXAMPLE, response_only=True)]),
    create=extend_schema(examples=[OpenApiExample("Gift return", request_only=True, value={
        "organization": 1, "client": 1, "title": "Gift return",
        "brief": "Ask to return a gift without a receipt."})]),
)
@crud_schema(noun="Dark room", serializer=ScenarioSerializer, example=SCENARIO_EXAMPLE,
             write_example={k: v for k, v in SCENARIO_EXAMPLE.items() if k not in ("id", "updated_at")},
             bad_example=bad_field("journey", "Belongs to another organization."))
class ScenarioViewSet(TenantViewSet):
    queryset = Scenario.objects.all()
    serializer_class = ScenarioSerializer
    filterset_fields = ["organization", "client", "journey"]
    search_fields = ["title", "brief"]

