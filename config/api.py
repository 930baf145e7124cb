"""The /api/v1/ router: every viewset registered here is walked by the cross-organization test."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from audits.api import accounts

router = DefaultRouter(trailing_slash=False)
router.register("organizations", accounts.OrganizationViewSet, basename="organization")
router.register("clients", accounts.ClientViewSet, basename="client")
router.register("memberships", accounts.MembershipViewSet, basename="membership")

urlpatterns = [
    path("auth/csrf", accounts.CsrfView.as_view(), name="auth-csrf"),
    path("auth/login", accounts.LoginView.as_view(), name="auth-login"),
    path("auth/logout", accounts.LogoutView.as_view(), name="auth-logout"),
    path("auth/token", accounts.TokenView.as_view(), name="auth-token"),
    path("me", accounts.MeView.as_view(), name="me"),
    *router.urls,
]
