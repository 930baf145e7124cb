"""The /api/v1/ router: every viewset registered here is walked by the cross-organization test."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import views as accounts
from audits.api import checklists as checklists_api
from audits.api import fieldwork as fieldwork_api
from audits.api import reports as api_reports
from journeys import api as journeys_api

router = DefaultRouter(trailing_slash=False)
router.register("organizations", accounts.OrganizationViewSet, basename="organization")
router.register("clients", accounts.ClientViewSet, basename="client")
router.register("memberships", accounts.MembershipViewSet, basename="membership")
router.register("journeys", journeys_api.JourneyViewSet, basename="journey")
router.register("personas", journeys_api.PersonaViewSet, basename="persona")
router.register("friction-tags", journeys_api.FrictionTagViewSet, basename="friction-tag")
router.register("checklist-templates", checklists_api.ChecklistTemplateViewSet, basename="checklist-template")
router.register("checklist-versions", checklists_api.ChecklistVersionViewSet, basename="checklist-version")
router.register("scenarios", checklists_api.ScenarioViewSet, basename="scenario")
router.register("locations", fieldwork_api.LocationViewSet, basename="location")
router.register("waves", fieldwork_api.WaveViewSet, basename="wave")
router.register("visits", fieldwork_api.VisitViewSet, basename="visit")
router.register("audits", fieldwork_api.AuditViewSet, basename="audit")
router.register("photos", fieldwork_api.PhotoViewSet, basename="photo")
router.register("reports", api_reports.ReportViewSet, basename="report")
router.register("share-links", api_reports.ShareLinkViewSet, basename="share-link")

urlpatterns = [
    path("auth/csrf", accounts.CsrfView.as_view(), name="auth-csrf"),
    path("auth/login", accounts.LoginView.as_view(), name="auth-login"),
    path("auth/logout", accounts.LogoutView.as_view(), name="auth-logout"),
    path("auth/token", accounts.TokenView.as_view(), name="auth-token"),
    path("auth/tokens", accounts.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<str:token_id>", accounts.TokenDetailView.as_view(), name="auth-token-detail"),
    path("auth/password", accounts.PasswordView.as_view(), name="auth-password"),
    path("me", accounts.MeView.as_view(), name="me"),
    path("sync", fieldwork_api.SyncView.as_view(), name="sync"),
    *router.urls,
]
