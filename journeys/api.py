"""The map's API: journeys (read and written as one document), personas and friction tags."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import Action, require
from accounts.api.base import (
    ManagedOrganizationField,
    OrganizationOwnedSerializer,
    TenantRelatedField,
    TenantViewSet,
    bad_field,
    crud_schema,
    error_response,
    signed_in,
)
from accounts.api.filters import TenantFilterSet
from accounts.models import Client
from journeys import selectors, services
from journeys.models import Channel, FrictionTag, Journey, Persona

# ---- journeys ---------------------------------------------------------------------------------

class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Leave out for a new step; send to keep a step.")
    name = serializers.CharField(max_length=200)
    touchpoint = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.IN_STORE)
    promise_level = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3,
                                             help_text="The level a customer is led to expect, 1–5.")
    promise_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reach = serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False,
                                     default=Decimal(1), coerce_to_string=False, rounding="ROUND_HALF_UP",
                                     help_text="Share of customers who pass the step, 0–1.")
    expected_seconds = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    moment_of_truth = serializers.BooleanField(required=False, default=False)
    position = serializers.IntegerField(read_only=True, help_text="Read only: the order in the document is the order.")


class StageSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Leave out for a new stage; send to keep a stage.")
    name = serializers.CharField(max_length=200)
    position = serializers.IntegerField(read_only=True)
    steps = StepSerializer(many=True, required=False, default=list)


class JourneySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    client = TenantRelatedField(queryset=Client.objects.all())
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    checklist_version = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The latest checklist version published for this journey.")
    stages = StageSerializer(many=True)


JOURNEY_EXAMPLE = {
    "id": 4, "client": 1, "name": "Hotel stay", "description": "From the booking e-mail to check-out.",
    "checklist_version": 9,
    "stages": [{"id": 11, "name": "Arrival", "position": 0, "steps": [
        {"id": 31, "name": "Check in at the desk", "touchpoint": "Front desk", "channel": "in_store",
         "promise_level": 4, "promise_text": "Welcomed by name, in the room within 10 minutes", "reach": 1.0,
         "expected_seconds": 600, "moment_of_truth": True, "position": 0},
        {"id": 32, "name": "Find the room's light switch", "touchpoint": "Room", "channel": "in_store",
         "promise_level": 5, "promise_text": "Light on as you enter", "reach": 0.95, "expected_seconds": 30,
         "moment_of_truth": False, "position": 1}]}],
}
JOURNEY_WRITE_EXAMPLE = {
    "client": 1, "name": "Hotel stay", "description": "From the booking e-mail to check-out.",
    "stages": [{"id": 11, "name": "Arrival", "steps": [
        {"id": 31, "name": "Check in at the desk", "touchpoint": "Front desk", "channel": "in_store",
         "promise_level": 4, "promise_text": "Welcomed by name", "reach": 1, "expected_seconds": 600,
         "moment_of_truth": True},
        {"name": "Ask the SMS assistant for a late check-out", "touchpoint": "SMS assistant", "channel": "sms",
         "promise_level": 4, "promise_text": "An answer within 5 minutes", "reach": 0.3}]}],
}


@extend_schema_view(
    list=extend_schema(summary="Journeys, each as a whole document",
                       examples=[OpenApiExample("Hotel stay", value=JOURNEY_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="A journey as one document: stages, each with its steps",
                           examples=[OpenApiExample("Hotel stay", value=JOURNEY_EXAMPLE, response_only=True)]),
    create=extend_schema(summary="Create a journey from a document",
                         examples=[OpenApiExample("New journey", value=JOURNEY_WRITE_EXAMPLE, request_only=True)]),
    update=extend_schema(
        summary="Replace the journey with this document",
        description="Validates and replaces in one transaction. Stages and steps sent with their `id` keep it; "
                    "without one they are new; the order sent is the order. Steps left out are deleted, or "
                    "archived when checklists or walks refer to them.",
        examples=[OpenApiExample("Keep step 31, add a step", value=JOURNEY_WRITE_EXAMPLE, request_only=True),
                  OpenApiExample("Unknown step id", status_codes=["400"], response_only=True, value={
                      "error": {"code": "validation_error",
                                "message": "stages.0.steps.0.id: This journey has no step 99; leave the id out "
                                           "for a new step.",
                                "fields": {"stages.0.steps.0.id": ["This journey has no step 99; leave the id "
                                                                   "out for a new step."]}}})]),
    destroy=extend_schema(summary="Delete a journey that no walk, wave or published checklist uses"),
)
@crud_schema(noun="Hotel stay", serializer=JourneySerializer, example=JOURNEY_EXAMPLE,
             write_example=JOURNEY_WRITE_EXAMPLE,
             bad_example=bad_field("stages.0.steps.1.promise_level", "Ensure this value is less than or equal to 5."))
class JourneyViewSet(TenantViewSet):
    queryset = Journey.objects.all()
    serializer_class = JourneySerializer
    filterset_fields = ["client"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "updated_at"]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.journey_documents(super().get_queryset())

    def _document(self, journey: Journey) -> dict:
        return JourneySerializer(selectors.journey_documents().get(pk=journey.pk)).data

    def _write(self, journey: Journey | None, data) -> Journey:
        serializer = JourneySerializer(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        user = signed_in(self.request)
        require(user, values["client"].organization_id, Action.MANAGE)
        return services.journey_write(journey=journey, client=values["client"], name=values["name"],
                                      description=values["description"], stages=values["stages"],
                                      user=user)

    def create(self, request, *args, **kwargs):
        journey = self._write(None, request.data)
        return Response(self._document(journey), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        journey = self._write(self.get_object(), request.data)
        return Response(self._document(journey))

    def destroy(self, request, *args, **kwargs):
        services.journey_delete(journey=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---- personas ---------------------------------------------------------------------------------

class PersonaSerializer(OrganizationOwnedSerializer):
    client = TenantRelatedField(queryset=Client.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Persona
        fields = ["id", "organization", "client", "name", "tier", "tier_rank", "is_ordinary", "description"]


PERSONA_EXAMPLE = {"id": 1, "organization": 1, "client": 1, "name": "Ordinary traveller", "tier": "economy",
                   "tier_rank": 0, "is_ordinary": True, "description": "Books the cheapest fare, travels alone."}


@extend_schema_view(
    list=extend_schema(summary="Personas: who walks, and in which tier",
                       examples=[OpenApiExample("Economy", value=PERSONA_EXAMPLE, response_only=True)]),
    create=extend_schema(examples=[OpenApiExample("First class", request_only=True, value={
        "organization": 1, "client": 1, "name": "Premium traveller", "tier": "first", "tier_rank": 2,
        "is_ordinary": False, "description": "Pays for first class and expects it."})]),
)
@crud_schema(noun="Economy", serializer=PersonaSerializer, example=PERSONA_EXAMPLE,
             write_example={k: v for k, v in PERSONA_EXAMPLE.items() if k != "id"},
             bad_example=bad_field("client", "Belongs to another organization."))
class PersonaViewSet(TenantViewSet):
    """Personas carry a tier (economy, first…) so that a journey is walked and compared per tier."""

    queryset = Persona.objects.select_related("organization")
    serializer_class = PersonaSerializer
    filterset_fields = ["organization", "client", "tier", "is_ordinary"]
    search_fields = ["name", "tier", "description"]


# ---- friction tags ----------------------------------------------------------------------------

class FrictionTagSerializer(serializers.ModelSerializer):
    organization = ManagedOrganizationField(required=False, allow_null=True, help_text="Empty for built-in tags.")
    builtin = serializers.SerializerMethodField()
    retired = serializers.SerializerMethodField()

    class Meta:
        model = FrictionTag
        fields = ["id", "organization", "code", "label", "description", "example", "position", "builtin", "retired",
                  "retired_at"]
        read_only_fields = ["retired_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["organization"].read_only = True
            self.fields["code"].read_only = True
        else:
            self.fields["organization"].required = True

    def get_builtin(self, tag: FrictionTag) -> bool:
        return tag.organization_id is None

    def get_retired(self, tag: FrictionTag) -> bool:
        return tag.retired_at is not None


class FrictionTagFilter(TenantFilterSet):
    retired = django_filters.BooleanFilter(field_name="retired_at", lookup_expr="isnull", exclude=True,
                                           label="true: only retired tags; false: only tags in use")
    builtin = django_filters.BooleanFilter(field_name="organization", lookup_expr="isnull")

    class Meta:
        model = FrictionTag
        fields = ["organization", "retired", "builtin"]


TAG_EXAMPLE = {"id": 14, "organization": 1, "code": "queue_jump", "label": "Someone was served out of turn",
               "description": "", "example": "A regular served first at the bar", "position": 100,
               "builtin": False, "retired": False, "retired_at": None}


@extend_schema_view(
    list=extend_schema(summary="Friction tags: the built-in taxonomy and your organization's own",
                       description="Retired tags stay listed (old walks carry them); `?retired=false` lists "
                                   "the tags that can still be chosen.",
                       examples=[OpenApiExample("An organization's own tag", value=TAG_EXAMPLE, response_only=True)]),
    create=extend_schema(summary="Add a tag of your organization's own", examples=[OpenApiExample(
        "Queue jump", request_only=True, value={"organization": 1, "code": "queue_jump",
                                                "label": "Someone was served out of turn"})]),
    destroy=extend_schema(summary="Delete an own tag no walk uses (otherwise retire it)"),
)
@crud_schema(noun="Queue jump", serializer=FrictionTagSerializer, example=TAG_EXAMPLE,
             write_example={"organization": 1, "code": "queue_jump", "label": "Someone was served out of turn",
                            "example": "A regular served first at the bar"},
             bad_example=bad_field("code", '"dead_end" is a built-in friction tag.'))
class FrictionTagViewSet(TenantViewSet):
    queryset = FrictionTag.objects.all()
    serializer_class = FrictionTagSerializer
    filterset_class = FrictionTagFilter
    search_fields = ["code", "label", "description", "example"]

    def check_object_permissions(self, request, obj):
        if request.method not in ("GET", "HEAD", "OPTIONS") and obj.organization_id is None:
            services.require_own_tag(obj)
        super().check_object_permissions(request, obj)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.friction_tag_create(
            organization=data["organization"], code=data["code"], label=data["label"],
            description=data.get("description", ""), example=data.get("example", ""),
            position=data.get("position", 100))

    def perform_update(self, serializer):
        serializer.instance = services.friction_tag_update(tag=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.friction_tag_delete(tag=instance)

    @extend_schema(request=None, responses={200: FrictionTagSerializer, 403: error_response("A built-in tag")},
                   summary="Retire an own tag: it stays on old walks and can no longer be chosen",
                   examples=[OpenApiExample("Retired", response_only=True,
                                            value={**TAG_EXAMPLE, "retired": True,
                                                   "retired_at": "2026-11-23T10:12:00Z"})])
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return Response(FrictionTagSerializer(services.friction_tag_retire(tag=self.get_object())).data)

    @extend_schema(request=None, responses={200: FrictionTagSerializer, 403: error_response("A built-in tag")},
                   summary="Bring a retired own tag back",
                   examples=[OpenApiExample("Back in use", value=TAG_EXAMPLE, response_only=True)])
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return Response(FrictionTagSerializer(services.friction_tag_restore(tag=self.get_object())).data)

