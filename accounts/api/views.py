"""Sign-in (session for the same-origin PWA, token for API clients), /me, organizations, clients."""

from __future__ import annotations

from django.contrib.auth import login, logout, update_session_auth_hash
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import ManagedOrganizationField, ModelSerializer, TenantViewSet, signed_in
from accounts.api.errors import ErrorBody
from accounts.models import ApiToken, Client, Membership, Organization, User
from accounts.services import password_change, token_create, token_list, token_revoke
from accounts.signin import sign_in


class CredentialsSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class OrganizationSerializer(ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug"]


class ClientBriefSerializer(ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "name"]


class MembershipSerializer(ModelSerializer):
    organization = OrganizationSerializer(read_only=True)
    client = ClientBriefSerializer(read_only=True, allow_null=True)
    user = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "organization", "role", "client"]


class MeSerializer(ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "language", "memberships"]


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
    """Session sign-in for the same-origin PWA and console (CSRF-protected; failures throttled)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=CredentialsSerializer, responses={200: MeSerializer, 400: ErrorBody, 429: ErrorBody},
                   examples=[OpenApiExample(
                       "Demo auditor", value={"email": "auditor@demo.touchpoint.test", "password": "touchpoint-demo"},
                       request_only=True)])
    def post(self, request: Request) -> Response:
        # DRF checks CSRF only for signed-in sessions; a sign-in form needs it too (login CSRF).
        SessionAuthentication().enforce_csrf(request)
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = sign_in(request, email=credentials.validated_data["email"],
                       password=credentials.validated_data["password"])
        login(request, user, backend="accounts.signin.DemoAwareBackend")
        return Response(me_document(user))


class LogoutView(APIView):
    """Ends the session, and revokes the token the request was made with (if it was made with one)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            request.auth.delete()
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRequestSerializer(CredentialsSerializer):
    device = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                   help_text="A name for this device or client, shown in the list of tokens.")


class TokenAnswerSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`. Shown only once.")
    id = serializers.CharField(help_text="The token's public id (its first characters), to list or revoke it.")
    expiry = serializers.DateTimeField(allow_null=True)


class TokenView(APIView):
    """Token sign-in for API clients and devices: every sign-in makes a new token, which expires."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer,
                   responses={201: TokenAnswerSerializer, 400: ErrorBody, 429: ErrorBody})
    def post(self, request: Request) -> Response:
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = sign_in(request, email=body.validated_data["email"], password=body.validated_data["password"])
        token, key = token_create(user=user, device=body.validated_data.get("device", ""))
        return Response({"token": key, "id": token.token_key, "expiry": token.expiry},
                        status=status.HTTP_201_CREATED)


class TokenSerializer(ModelSerializer):
    id = serializers.CharField(source="token_key", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "device", "created", "expiry", "current"]

    def get_current(self, token: ApiToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.digest == token.digest


class TokenListView(APIView):
    """Your tokens (one per device or client that signed in); the secret itself is never shown again."""

    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        tokens = token_list(user=signed_in(request))
        return Response(TokenSerializer(tokens, many=True, context={"request": request}).data)


class TokenDetailView(APIView):
    @extend_schema(request=None, responses={204: None, 404: ErrorBody})
    def delete(self, request: Request, token_id: str) -> Response:
        token_revoke(user=signed_in(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False, max_length=128)
    new_password = serializers.CharField(trim_whitespace=False, max_length=128)


class PasswordView(APIView):
    """Change your password: every token and every other session of yours is revoked; this session stays."""

    @extend_schema(request=PasswordChangeSerializer, responses={204: None, 400: ErrorBody})
    def post(self, request: Request) -> Response:
        body = PasswordChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = signed_in(request)
        password_change(user=user, old_password=body.validated_data["old_password"],
                        new_password=body.validated_data["new_password"])
        if request.session and request.session.session_key:
            update_session_auth_hash(request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(me_document(request.user))


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.all()

    def get_queryset(self):
        return Organization.objects.visible_to(self.request.user)


class ClientSerializer(ModelSerializer):
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

    def get_queryset(self) -> QuerySet[Membership]:
        user = self.request.user
        managed = Organization.objects.managed_by(user).values("pk")
        return (Membership.objects.filter(organization__in=managed) | Membership.objects.filter(user_id=user.pk or 0)
                ).select_related("organization", "client", "user").distinct()
