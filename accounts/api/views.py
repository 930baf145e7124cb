"""Sign-in (session for the same-origin PWA, token for API clients), /me, organizations, clients."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import ManagedOrganizationField, TenantViewSet
from accounts.errors import DomainError
from accounts.models import Client, Membership, Organization, User


class CredentialsSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug"]


class ClientBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "name"]


class MembershipSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer(read_only=True)
    client = ClientBriefSerializer(read_only=True)
    user = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "organization", "role", "client"]


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "language", "memberships"]


def authenticate_or_fail(request, data) -> User:
    credentials = CredentialsSerializer(data=data)
    credentials.is_valid(raise_exception=True)
    user = authenticate(request, email=credentials.validated_data["email"].lower(),
                        password=credentials.validated_data["password"])
    if user is None:
        raise DomainError("That e-mail and password do not match an active account.", code="invalid_credentials")
    return user


def me_document(user: User) -> dict:
    user = User.objects.prefetch_related("memberships__organization", "memberships__client").get(pk=user.pk)
    return MeSerializer(user).data


@method_decorator(ensure_csrf_cookie, name="get")
class CsrfView(APIView):
    """Sets the `csrftoken` cookie; the PWA sends it back as `X-CSRFToken` on every write."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=inline_serializer("Csrf", {"csrfToken": serializers.CharField()}))
    def get(self, request):
        return Response({"csrfToken": get_token(request)})


class LoginView(APIView):
    """Session sign-in for the same-origin PWA (CSRF-protected)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=CredentialsSerializer, responses=MeSerializer, examples=[OpenApiExample(
        "Demo auditor", value={"email": "auditor@demo.touchpoint.test", "password": "touchpoint-demo"},
        request_only=True)])
    def post(self, request):
        # DRF checks CSRF only for signed-in sessions; a sign-in form needs it too (login CSRF).
        SessionAuthentication().enforce_csrf(request)
        user = authenticate_or_fail(request, request.data)
        login(request, user)
        return Response(me_document(user))


class LogoutView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(APIView):
    """Token sign-in for API clients: send `Authorization: Token <token>` afterwards."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=CredentialsSerializer,
                   responses=inline_serializer("TokenAnswer", {"token": serializers.CharField()}))
    def post(self, request):
        user = authenticate_or_fail(request, request.data)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(me_document(request.user))


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.all()

    def get_queryset(self):
        return Organization.objects.visible_to(self.request.user)


class ClientSerializer(serializers.ModelSerializer):
    organization = ManagedOrganizationField()

    class Meta:
        model = Client
        fields = ["id", "organization", "name", "sector", "created_at"]
        read_only_fields = ["created_at"]

    def update(self, instance, validated_data):
        validated_data.pop("organization", None)  # a client never moves between organizations
        return super().update(instance, validated_data)


class ClientViewSet(TenantViewSet):
    queryset = Client.objects.all()
    serializer_class = ClientSerializer
    filterset_fields = ["organization"]
    search_fields = ["name", "sector"]


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """The people of the organizations you manage (members see only their own memberships)."""

    serializer_class = MembershipSerializer
    queryset = Membership.objects.all()
    filterset_fields = ["organization", "role"]

    def get_queryset(self):
        user = self.request.user
        managed = Organization.objects.managed_by(user).values("pk")
        return (Membership.objects.filter(organization__in=managed) | Membership.objects.filter(user=user)
                ).select_related("organization", "client", "user").distinct()
