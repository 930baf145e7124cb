"""Fieldwork API: locations, waves, visits (one by one or a CSV), audits (the phone's idempotent PUT,
the reviewers' list, detail, correct / return / approve), photos (the phone's PUT, renditions) and
the sync feed. Views parse, call one service of `audits.fieldwork`, and answer."""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Action, membership_for, require
from accounts.api.base import (
    IsManagerOrReadOnly,
    ManagedOrganizationField,
    TenantRelatedField,
    TenantViewSet,
    same_organization,
)
from accounts.api.errors import ErrorBody
from accounts.api.filters import IdFilter, TenantFilterSet
from accounts.errors import DomainError, NotFound, ValidationFailed
from accounts.models import Client, Organization, User
from audits.api.checklists import ChecklistVersionSerializer
from audits.fieldwork import feed, planning, review, upsert
from audits.fieldwork import photos as photo_service
from audits.models import (
    Audit,
    AuditChange,
    AuditKind,
    AuditState,
    ChecklistVersion,
    Location,
    Photo,
    PhotoState,
    Scenario,
    Visit,
    Wave,
)
from audits.models import Response as AuditResponse
from journeys.api import JourneySerializer
from journeys.models import FrictionTag, Journey, Persona


def signed_in(request: Request) -> User:
    """The request's user (these views are for signed-in users only: DRF refused anyone else already)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


# ---- locations and waves ---------------------------------------------------------------------------

class LocationSerializer(serializers.ModelSerializer):
    organization = ManagedOrganizationField()
    client = TenantRelatedField(queryset=Client.objects.all())

    class Meta:
        model = Location
        fields = ["id", "organization", "client", "name", "address", "latitude", "longitude", "timezone",
                  "updated_at"]
        read_only_fields = ["updated_at"]

    def validate_timezone(self, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise serializers.ValidationError("Not a time zone name (e.g. Europe/Warsaw).") from exc
        return value

    def validate(self, attrs):
        organization = attrs.get("organization") or getattr(self.instance, "organization", None)
        same_organization(attrs, organization, "client")
        return attrs

    def update(self, instance, validated_data):
        validated_data.pop("organization", None)  # never moves between organizations
        return super().update(instance, validated_data)


class LocationViewSet(TenantViewSet):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filterset_fields = ["organization", "client"]
    search_fields = ["name", "address"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class WaveSerializer(serializers.ModelSerializer):
    organization = ManagedOrganizationField()
    client = TenantRelatedField(queryset=Client.objects.all())
    journey = TenantRelatedField(queryset=Journey.objects.all())
    checklist_version = TenantRelatedField(queryset=ChecklistVersion.objects.all())
    persona = TenantRelatedField(queryset=Persona.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Wave
        fields = ["id", "organization", "client", "journey", "checklist_version", "persona", "name", "starts_on",
                  "ends_on", "status", "closed_at", "updated_at"]
        read_only_fields = ["status", "closed_at", "updated_at"]

    def validate(self, attrs):
        merged = {name: attrs.get(name, getattr(self.instance, name, None)) for name in
                  ("organization", "client", "journey", "checklist_version", "persona", "starts_on", "ends_on")}
        same_organization(attrs, merged["organization"], "client")
        errors = planning.wave_problems(client=merged["client"], journey=merged["journey"],
                                        checklist_version=merged["checklist_version"], persona=merged["persona"],
                                        starts_on=merged["starts_on"], ends_on=merged["ends_on"])
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated_data):
        return Wave.objects.create(**validated_data, created_by=self.context["request"].user)

    def update(self, instance, validated_data):
        validated_data.pop("organization", None)
        return super().update(instance, validated_data)


class WaveViewSet(TenantViewSet):
    queryset = Wave.objects.all()
    serializer_class = WaveSerializer
    filterset_fields = ["organization", "client", "status", "journey"]
    search_fields = ["name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=None, responses=WaveSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        wave = self.get_object()
        return Response(WaveSerializer(planning.wave_close(wave=wave), context={"request": request}).data)


# ---- visits ----------------------------------------------------------------------------------------

class MemberField(serializers.PrimaryKeyRelatedField):
    """A user by id, among the members of the organizations the requester manages."""

    def get_queryset(self):
        request = self.context.get("request")
        managed = Organization.objects.managed_by(request.user if request else None).values("pk")
        return User.objects.filter(memberships__organization__in=managed).distinct()


class VisitSerializer(serializers.ModelSerializer):
    wave = TenantRelatedField(queryset=Wave.objects.all())
    location = TenantRelatedField(queryset=Location.objects.all())
    scenario = TenantRelatedField(queryset=Scenario.objects.all(), allow_null=True, required=False)
    auditor = MemberField(allow_null=True, required=False)
    auditor_email = serializers.EmailField(source="auditor.email", read_only=True, default=None)
    journey = serializers.IntegerField(source="wave.journey_id", read_only=True)
    checklist_version = serializers.IntegerField(source="wave.checklist_version_id", read_only=True)
    persona = serializers.IntegerField(source="wave.persona_id", read_only=True, allow_null=True)

    class Meta:
        model = Visit
        fields = ["id", "organization", "wave", "location", "scenario", "auditor", "auditor_email", "journey",
                  "checklist_version", "persona", "window_start", "window_end", "status", "review_comment",
                  "updated_at"]
        read_only_fields = ["organization", "status", "review_comment", "updated_at"]


class VisitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Managers plan; auditors read their own visits."""

    queryset = Visit.objects.select_related("wave", "auditor")
    serializer_class = VisitSerializer
    permission_classes = [IsManagerOrReadOnly]
    filterset_fields = ["wave", "location", "auditor", "status"]

    def get_queryset(self) -> QuerySet[Visit]:
        return Visit.objects.visible_to(self.request.user).select_related("wave", "auditor")

    def perform_create(self, serializer):
        data = serializer.validated_data
        require(signed_in(self.request), data["wave"].organization_id, Action.MANAGE,
                "Only owners and managers of this organization can plan visits.")
        serializer.instance = planning.visit_create(
            wave=data["wave"], location=data["location"], scenario=data.get("scenario"),
            auditor=data.get("auditor"), window_start=data["window_start"], window_end=data["window_end"])

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("wave", None)  # a visit never moves between waves
        serializer.instance = planning.visit_update(visit=serializer.instance, **data)

    @extend_schema(request=None, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        visit = self.get_object()
        self.check_object_permissions(request, visit)
        return Response(VisitSerializer(planning.visit_cancel(visit=visit), context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("VisitsCsv", {"wave": serializers.IntegerField(),
                                                                        "file": serializers.FileField()})},
        responses=inline_serializer("VisitsCreated", {"created": serializers.IntegerField(),
                                                      "visits": VisitSerializer(many=True)}))
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def bulk(self, request):
        """CSV columns: location (name or id), auditor (e-mail), window_start, window_end (ISO 8601; without
        an offset, the location's time zone), optional scenario (title). All rows or none."""
        wave = Wave.objects.managed_by(request.user).filter(pk=request.data.get("wave") or 0).first()
        if wave is None:
            raise ValidationFailed.field("wave", "Not a wave you manage.")
        upload = request.FILES.get("file")
        text = upload.read().decode("utf-8-sig", errors="replace") if upload else request.data.get("csv", "")
        result = planning.visits_import_csv(wave=wave, text=text)
        return Response({"created": len(result.created),
                         "visits": VisitSerializer(result.created, many=True, context={"request": request}).data},
                        status=status.HTTP_201_CREATED)


# ---- audits ----------------------------------------------------------------------------------------

class CheckinSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    latitude = serializers.FloatField(allow_null=True, required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(allow_null=True, required=False, min_value=-180, max_value=180)
    accuracy_m = serializers.FloatField(allow_null=True, required=False, min_value=0)
    position_status = serializers.ChoiceField(choices=["ok", "denied", "unavailable"])


class ResponseBodySerializer(serializers.Serializer):
    """One answer (the shape `ResponsesField` checks by hand, described for the schema)."""

    id = serializers.UUIDField(help_text="Made by the phone; the answer keeps it.")
    item = serializers.IntegerField(help_text="The checklist item's id: problems with this answer are keyed "
                                              "`responses.<item>.value` (or `.id`, `.detail`, `.note`).")
    value = serializers.JSONField(allow_null=True, required=False, default=None)
    detail = serializers.DictField(allow_null=True, required=False, default=None)
    note = serializers.CharField(allow_blank=True, allow_null=True, required=False, default="", max_length=10_000)


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@extend_schema_field(ResponseBodySerializer(many=True))
class ResponsesField(serializers.Field):
    """The answers of an audit, checked by hand with the same rules as `ResponseBodySerializer`: DRF's
    nested serializers cost more CPU than the rest of the PUT together (40 answers, 200 fields). A problem
    is keyed by the answer's item id (`responses.<item id>.<field>`); an answer without a whole-number item
    cannot be, and is named by its place in the list under `responses`."""

    MAX = 2000

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, list):
            raise serializers.ValidationError("Expected a list of answers.")
        if len(data) > self.MAX:
            raise serializers.ValidationError(f"At most {self.MAX} answers.")
        answers: list[dict[str, Any]] = []
        unplaced: list[str] = []
        errors: dict[str, Any] = {}
        for index, raw in enumerate(data):
            if not isinstance(raw, dict):
                unplaced.append(f"Answer {index + 1}: expected an object {{id, item, value, detail, note}}.")
                continue
            item = raw.get("item")
            if not _whole_number(item):
                unplaced.append(f"Answer {index + 1}: item: a valid integer (the checklist item's id) is required.")
                continue
            problems: dict[str, list[str]] = {}
            try:
                answer_id = uuid.UUID(raw["id"]) if isinstance(raw.get("id"), str) else None
            except ValueError:
                answer_id = None
            if answer_id is None:
                problems["id"] = ["Must be a valid UUID."]
            detail = raw.get("detail")
            if detail is not None and not isinstance(detail, dict):
                problems["detail"] = ["Must be an object or null."]
            note = raw.get("note")
            note = "" if note is None else note
            if not isinstance(note, str) or len(note) > 10_000:
                problems["note"] = ["Must be text of at most 10000 characters."]
            if problems:
                errors.setdefault(str(item), {}).update(problems)
                continue
            answers.append({"id": answer_id, "item": item, "value": raw.get("value"), "detail": detail, "note": note})
        if unplaced:
            errors["non_field_errors"] = unplaced  # shown under `responses` itself
        if errors:
            raise serializers.ValidationError(errors)
        return answers

    def to_representation(self, value: Any) -> Any:
        return value


class ExpectationListSerializer(serializers.ListSerializer):
    """Expectations, each problem keyed by the expectation's step id (`expectations.<step id>.level`)."""

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Per-expectation problems come as a list, or a dict keyed by the position (newer DRF).
            detail: Any = exc.detail
            by_index: dict[Any, Any] = dict(enumerate(detail)) if isinstance(detail, list) else detail
            if not isinstance(data, list) or not all(isinstance(index, int) for index in by_index):
                raise
            keyed: dict[str, Any] = {}
            for index, problems in by_index.items():
                if not problems:
                    continue
                raw = data[index]
                step = raw.get("step") if isinstance(raw, dict) else None
                if _whole_number(step):
                    keyed[str(step)] = problems
                else:
                    keyed.setdefault("non_field_errors", []).append(
                        f"Expectation {index + 1}: step: a valid integer (the step's id) is required.")
            raise serializers.ValidationError(keyed) from exc


class ExpectationBodySerializer(serializers.Serializer):
    step = serializers.IntegerField(help_text="The journey step's id: problems are keyed `expectations.<step>.…`.")
    level = serializers.IntegerField(allow_null=True, required=False, default=None, help_text="1 to 5.")
    effort = serializers.IntegerField(allow_null=True, required=False, default=None, help_text="1 to 7.")


class AuditBodySerializer(serializers.Serializer):
    """The phone's copy of an audit (`PUT /api/v1/audits/{uuid}`)."""

    organization = serializers.IntegerField()
    visit = serializers.IntegerField(allow_null=True, required=False, default=None)
    journey = serializers.IntegerField()
    checklist_version = serializers.IntegerField()
    persona = serializers.IntegerField(allow_null=True, required=False, default=None)
    kind = serializers.ChoiceField(choices=AuditKind.choices)
    revision = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    state = serializers.ChoiceField(choices=["draft", "submitted"])
    started_at = serializers.DateTimeField(allow_null=True, required=False, default=None)
    submitted_at = serializers.DateTimeField(allow_null=True, required=False, default=None)
    checkin = CheckinSerializer(allow_null=True, required=False, default=None)
    responses = ResponsesField()
    expectations = ExpectationListSerializer(child=ExpectationBodySerializer(), required=False, default=list,
                                             max_length=500)


class AuditStoredSerializer(serializers.Serializer):
    """The answer to an audit PUT: the server's revision and state of the audit, and whether this copy was
    stored (`false`: the server already has a newer revision)."""

    id = serializers.UUIDField(source="audit.pk")
    revision = serializers.IntegerField(source="audit.revision")
    state = serializers.ChoiceField(choices=AuditState.choices, source="audit.state")
    stored = serializers.BooleanField()


#: `409 audit_frozen`: the error body (`ErrorBody`), with the server's revision and state of the audit.
AuditFrozenBody = inline_serializer("AuditFrozenBody", {"error": inline_serializer("AuditFrozenDetail", {
    "code": serializers.CharField(help_text="`audit_frozen`."),
    "message": serializers.CharField(help_text="One sentence for a person."),
    "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="Empty: nothing in the body is wrong, the audit is frozen."),
    "revision": serializers.IntegerField(help_text="The server's revision of the frozen audit."),
    "state": serializers.ChoiceField(choices=AuditState.choices, help_text="The server's state of the audit."),
})})


AUDIT_EXAMPLE = {
    "organization": 1, "visit": 12, "journey": 4, "checklist_version": 9, "persona": None, "kind": "visit",
    "revision": 7, "state": "draft", "started_at": "2026-11-23T09:58:00Z", "submitted_at": None,
    "checkin": {"at": "2026-11-23T10:00:00Z", "latitude": 52.2297, "longitude": 21.0122, "accuracy_m": 12,
                "position_status": "ok"},
    "responses": [
        {"id": "0b6a3c8e-8f0c-4b7e-9a44-0c1f2b8f6d11", "item": 101, "value": "done_with_help", "detail": None,
         "note": ""},
        {"id": "5d1f0e5a-2a4e-4f65-8c7d-1f3c2e9b7a22", "item": 102, "value": 6, "detail": None, "note": ""},
        {"id": "9c3e7b1d-6f2a-4e8b-b5d4-3a7c9e1f0b33", "item": 103, "value": [{"tag": "hidden_control",
                                                                                "severity": 2}],
         "detail": None, "note": "The switch hides behind the curtain."},
        {"id": "2f8d4a6c-1b3e-4c5d-9e7f-8a0b1c2d3e44", "item": 104, "value": 410,
         "detail": {"laps": [{"label": "queue", "seconds": 300}, {"label": "desk", "seconds": 110}]}, "note": ""}],
    "expectations": [],
}
AUDIT_ERROR_EXAMPLE = {"error": {
    "code": "validation_error",
    "message": "responses.102.value: arrival_effort: must be a whole number from 1 to 7 (and 1 more)",
    "fields": {"responses.102.value": ["arrival_effort: must be a whole number from 1 to 7"],
               "responses.105": ["Required before submitting."]}}}
AUDIT_FROZEN_EXAMPLE = {"error": {
    "code": "audit_frozen", "message": "This audit is submitted: it is frozen; reviewers correct it, with history.",
    "fields": {}, "revision": 7, "state": "submitted"}}


class AuditFilter(TenantFilterSet):
    wave = IdFilter(field_name="visit__wave")

    class Meta:
        model = Audit
        fields = ["organization", "state", "kind", "wave", "location", "auditor", "visit", "journey",
                  "checkin_flagged"]


class AuditListSerializer(serializers.ModelSerializer):
    auditor_email = serializers.EmailField(source="auditor.email", read_only=True)
    wave = serializers.IntegerField(source="visit.wave_id", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Audit
        fields = ["id", "organization", "kind", "state", "revision", "visit", "wave", "location", "auditor",
                  "auditor_email", "journey", "checklist_version", "persona", "started_at", "submitted_at",
                  "approved_at", "checkin_flagged", "checkin_distance_m", "score", "review_comment", "updated_at"]


def photo_document(photo: Photo, request) -> dict:
    ready = photo.state == PhotoState.READY
    base = f"/api/v1/photos/{photo.pk}"
    return {"id": str(photo.pk), "item": photo.item_id, "step": photo.step_id, "sha256": photo.sha256,
            "state": photo.state, "taken_at": photo.taken_at, "latitude": photo.latitude,
            "longitude": photo.longitude, "width": photo.width, "height": photo.height,
            "large": request.build_absolute_uri(f"{base}/large") if ready else None,
            "small": request.build_absolute_uri(f"{base}/small") if ready else None,
            "error": photo.error if photo.state == PhotoState.FAILED else ""}


class AuditDetailSerializer(AuditListSerializer):
    responses = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    expectations = serializers.SerializerMethodField()

    class Meta(AuditListSerializer.Meta):
        fields = [*AuditListSerializer.Meta.fields, "checkin_at", "checkin_latitude", "checkin_longitude",
                  "checkin_accuracy_m", "checkin_position_status", "score_detail", "approved_by", "responses",
                  "photos", "changes", "expectations"]

    def _photos(self, audit):
        # Reviewers see a photo once its renditions exist; a failure is shown with its reason.
        return [p for p in audit.photos.all() if p.state != PhotoState.PROCESSING]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_responses(self, audit):
        request = self.context["request"]
        by_item: dict[int, list] = {}
        for photo in self._photos(audit):
            if photo.item_id:
                by_item.setdefault(photo.item_id, []).append(photo_document(photo, request))
        return [{"id": str(r.pk), "item": r.item_id, "name": r.item.name, "label": r.item.label, "kind": r.kind,
                 "step": r.step_id, "value": r.value, "detail": r.detail, "note": r.note,
                 "photos": by_item.get(r.item_id, [])} for r in audit.responses.all()]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_photos(self, audit):
        return [photo_document(p, self.context["request"]) for p in self._photos(audit)]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_changes(self, audit):
        return [{"id": c.pk, "kind": c.kind, "item": c.item_id, "old_value": c.old_value, "new_value": c.new_value,
                 "reason": c.reason, "user": c.user.email if c.user else None, "at": c.created_at}
                for c in audit.changes.all()]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_expectations(self, audit):
        return [{"step": e.step_id, "level": e.level, "effort": e.effort} for e in audit.expectations.all()]


class CorrectionSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    value = serializers.JSONField(allow_null=True)
    reason = serializers.CharField(max_length=2000)


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class AuditPermission(permissions.IsAuthenticated):
    """Members read what their role lets them see; the phone PUTs its own audits; reviewers act."""


class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Audit.objects.select_related("auditor", "visit")
    serializer_class = AuditListSerializer
    permission_classes = [AuditPermission]
    filterset_class = AuditFilter
    ordering_fields = ["submitted_at", "updated_at", "score"]

    def get_queryset(self) -> QuerySet[Audit]:
        qs = Audit.objects.visible_to(self.request.user).select_related("auditor", "visit")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("responses", queryset=AuditResponse.objects.select_related("item").order_by(
                    "item__section__position", "item__position", "item_id")),
                Prefetch("photos", queryset=Photo.objects.order_by("taken_at", "created_at")),
                Prefetch("changes", queryset=AuditChange.objects.select_related("user")),
                "expectations")
        return qs

    def get_serializer_class(self):
        return AuditDetailSerializer if self.action == "retrieve" else AuditListSerializer

    @extend_schema(
        request=AuditBodySerializer,
        responses={200: AuditStoredSerializer, 201: AuditStoredSerializer,
                   400: OpenApiResponse(ErrorBody, description="Refused: every problem named in `fields`."),
                   403: OpenApiResponse(ErrorBody, description="Another user's audit of your organization, or "
                                                               "a role that makes no audits."),
                   404: OpenApiResponse(ErrorBody, description="Not found, or not yours to see."),
                   409: OpenApiResponse(AuditFrozenBody, description="`audit_frozen`: submitted, so frozen.")},
        summary="Create or replace an audit by its client UUID (idempotent)",
        description="The same body twice changes nothing; an older `revision` answers `stored: false` with the "
                    "server's revision; a submitted audit is frozen (`409 audit_frozen`, an identical re-send is "
                    "`200`). Every problem is named in `fields` by the item or step it concerns: "
                    "`responses.<item id>.value` for a refused answer (`.item`, `.id`, `.detail`, `.note` for "
                    "the other parts of it), `responses.<item id>` on submit for a required item still "
                    "unanswered or short of photos (photos already stored count), "
                    "`expectations.<step id>.<step|level|effort>` for a self-audit's expectations.",
        examples=[OpenApiExample("A draft", value=AUDIT_EXAMPLE, request_only=True),
                  OpenApiExample("Stored", value={"id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "revision": 7,
                                                  "state": "draft", "stored": True}, response_only=True,
                                 status_codes=["200", "201"]),
                  OpenApiExample("A bad answer", value=AUDIT_ERROR_EXAMPLE, response_only=True,
                                 status_codes=["400"]),
                  OpenApiExample("Frozen", value=AUDIT_FROZEN_EXAMPLE, response_only=True, status_codes=["409"])])
    def update(self, request: Request, pk: str = "") -> Response:
        """The phone's idempotent upsert by client UUID (see the sync protocol)."""
        user = signed_in(request)
        audit_id = serializers.UUIDField().to_internal_value(pk)
        body = AuditBodySerializer(data=request.data)
        if not body.is_valid():
            # Another user's audit is "not found" whatever the body; the service checks valid bodies itself.
            upsert.refuse_other_users_audit(user=user, audit_id=audit_id)
            raise serializers.ValidationError(body.errors)
        result = upsert.audit_put(user=user, audit_id=audit_id, data=body.validated_data,
                                  digest=upsert.body_digest(request.data))
        return Response(AuditStoredSerializer(result).data,
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    def _reviewed(self, request) -> Audit:
        audit = self.get_object()
        require(signed_in(request), audit.organization_id, Action.MANAGE,
                "Only owners and managers of this organization review audits.")
        return audit

    def _answer(self, request, audit: Audit) -> Response:
        self.action = "retrieve"
        fresh = self.get_queryset().get(pk=audit.pk)
        return Response(AuditDetailSerializer(fresh, context={"request": request}).data)

    @extend_schema(request=CorrectionSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        audit = self._reviewed(request)
        body = CorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review.audit_correct(audit=audit, user=signed_in(request), item_id=body.validated_data["item"],
                             value=body.validated_data["value"], reason=body.validated_data["reason"])
        return self._answer(request, audit)

    @extend_schema(request=ReturnSerializer, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        audit = self._reviewed(request)
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review.audit_return(audit=audit, user=signed_in(request), comment=body.validated_data["comment"])
        return self._answer(request, audit)

    @extend_schema(request=None, responses=AuditDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        audit = self._reviewed(request)
        review.audit_approve(audit=audit, user=signed_in(request))
        return self._answer(request, audit)


# ---- photos ----------------------------------------------------------------------------------------

class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Photo
        fields = ["id", "audit", "item", "step", "sha256", "state", "taken_at", "latitude", "longitude", "width",
                  "height", "content_type", "size", "error", "created_at"]


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")
    audit = serializers.UUIDField()
    item = serializers.IntegerField(required=False, allow_null=True, default=None)
    step = serializers.IntegerField(required=False, allow_null=True, default=None)
    taken_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180,
                                       max_value=180)


PHOTO_ANSWER = inline_serializer("PhotoStored", {"id": serializers.UUIDField(), "sha256": serializers.CharField(),
                                                 "state": serializers.CharField()})


class PhotoViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Photos: the phone PUTs its own; reviewers see a photo once its renditions are ready."""

    queryset = Photo.objects.all()
    serializer_class = PhotoSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["audit", "item", "state"]

    def get_queryset(self) -> QuerySet[Photo]:
        user = self.request.user
        return Photo.objects.visible_to(user).filter(Q(state=PhotoState.READY) | Q(audit__auditor_id=user.pk)
                                                     | Q(state=PhotoState.FAILED))

    @extend_schema(
        request={"multipart/form-data": PhotoUploadSerializer}, responses={200: PHOTO_ANSWER, 201: PHOTO_ANSWER},
        summary="Store a photo by its client UUID, once",
        description="`201` new, `200` already stored (same id and bytes); `409 photo_conflict` (same id, other "
                    "bytes), `409 audit_not_found` (send the audit first); `400 hash_mismatch`; only JPEG, PNG "
                    "and WebP by content (`415 photo_type`; `400 photo_damaged` for truncated files and "
                    "polyglots); `413 photo_too_large` / `photo_too_many_pixels`. Nothing is stored on a 4xx.",
        examples=[OpenApiExample("Stored", value={"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                                                  "sha256": "9f86d081884c7d659a2feaa0c55ad015"
                                                            "a3bf4f1b2b0b822cd15d6c15b0f00a08",
                                                  "state": "processing"}, response_only=True,
                                 status_codes=["200", "201"])])
    def update(self, request, pk=None):
        photo_id = serializers.UUIDField().to_internal_value(pk)
        photo_service.refuse_other_users_photo(user=signed_in(request), photo_id=photo_id)
        body = PhotoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        result = photo_service.photo_put(
            user=signed_in(request), photo_id=photo_id, upload=data["file"], sha256=data["sha256"].lower(),
            audit_id=data["audit"], item_id=data["item"], step_id=data["step"], taken_at=data["taken_at"],
            latitude=data["latitude"], longitude=data["longitude"])
        return Response({"id": str(result.photo.pk), "sha256": result.photo.sha256, "state": result.photo.state},
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

    def _rendition(self, name: str):
        photo = self.get_object()
        if photo.state != PhotoState.READY:
            raise DomainError("This photo has no renditions yet.", code="photo_not_ready")
        field = getattr(photo, name)
        response = FileResponse(field.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    @action(detail=True, methods=["get"])
    def large(self, request, pk=None):
        """The 1600 px rendition (orientation fixed, metadata stripped)."""
        return self._rendition("large")

    @extend_schema(responses={(200, "image/jpeg"): bytes})
    @action(detail=True, methods=["get"])
    def small(self, request, pk=None):
        """The 400 px rendition."""
        return self._rendition("small")


# ---- the sync feed ---------------------------------------------------------------------------------

class SyncVisitSerializer(serializers.ModelSerializer):
    journey = serializers.IntegerField(source="wave.journey_id", read_only=True)
    checklist_version = serializers.IntegerField(source="wave.checklist_version_id", read_only=True)
    persona = serializers.IntegerField(source="wave.persona_id", read_only=True, allow_null=True)

    class Meta:
        model = Visit
        fields = ["id", "wave", "location", "scenario", "journey", "checklist_version", "persona", "window_start",
                  "window_end", "status", "review_comment"]
        read_only_fields = fields


class SyncScenarioSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scenario
        fields = ["id", "title", "brief"]
        read_only_fields = fields


class SyncLocationSerializer(serializers.ModelSerializer):
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Location
        fields = ["id", "name", "address", "latitude", "longitude", "timezone"]
        read_only_fields = fields


class SyncPersonaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Persona
        fields = ["id", "name", "tier", "is_ordinary"]
        read_only_fields = fields


class SyncFrictionTagSerializer(serializers.ModelSerializer):
    retired = serializers.SerializerMethodField(help_text="Readable on old walks, no longer offered for new answers.")

    class Meta:
        model = FrictionTag
        fields = ["code", "label", "description", "retired"]
        read_only_fields = fields

    def get_retired(self, tag: FrictionTag) -> bool:
        return tag.retired_at is not None


class SyncAuditSerializer(serializers.ModelSerializer):
    """The server's revision and state of one of your audits."""

    class Meta:
        model = Audit
        fields = ["id", "revision", "state"]
        read_only_fields = fields


class SyncPhotoSerializer(serializers.ModelSerializer):
    """The server's hash and state of one of your photos."""

    class Meta:
        model = Photo
        fields = ["id", "sha256", "state"]
        read_only_fields = fields


class SyncFeedSerializer(serializers.Serializer):
    """`GET /api/v1/sync`: journeys and checklist versions in their own API's shapes; the rest as below."""

    cursor = serializers.CharField(read_only=True, help_text="Send it back as `since` for what changes after.")
    visits = SyncVisitSerializer(many=True, read_only=True)
    journeys = JourneySerializer(many=True, read_only=True)
    checklist_versions = ChecklistVersionSerializer(many=True, read_only=True)
    scenarios = SyncScenarioSerializer(many=True, read_only=True)
    locations = SyncLocationSerializer(many=True, read_only=True)
    personas = SyncPersonaSerializer(many=True, read_only=True)
    friction_tags = SyncFrictionTagSerializer(many=True, read_only=True)
    audits = SyncAuditSerializer(many=True, read_only=True)
    photos = SyncPhotoSerializer(many=True, read_only=True)


class SyncView(APIView):
    """`GET /api/v1/sync?organization=ID&since=CURSOR`: what changed for you since the cursor."""

    @extend_schema(
        parameters=[OpenApiParameter("organization", OpenApiTypes.INT, required=True,
                                     description="One of your organizations."),
                    OpenApiParameter("since", OpenApiTypes.STR, required=False,
                                     description="The `cursor` of the last answer; leave out to sync from the start.")],
        responses={200: SyncFeedSerializer,
                   400: OpenApiResponse(ErrorBody, description="No organization id, or a cursor this server did "
                                                               "not give (`since`)."),
                   404: OpenApiResponse(ErrorBody, description="Not an organization of yours.")},
        summary="What changed for you since the cursor")
    def get(self, request: Request) -> Response:
        try:
            org_id = int(request.query_params.get("organization", ""))
        except ValueError as exc:
            raise ValidationFailed.field("organization", "An organization id is required.") from exc
        user = signed_in(request)
        membership = membership_for(user, org_id)
        if membership is None:
            raise NotFound()
        answer = feed.sync_feed(user=user, membership=membership, since=request.query_params.get("since"))
        return Response(SyncFeedSerializer(answer, context={"request": request}).data)
