from csp.decorators import csp_replace
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api.errors import api_not_found
from audits.api.reports import shared_report
from config import views

# The shared report is one self-contained page: its styles inline, its charts inline SVG, no script at all.
SHARED_REPORT = csp_replace({"style-src": ["'self'", "'unsafe-inline'"], "script-src": ["'none'"]})(
    shared_report)  # type: ignore[arg-type]  # django-csp types a view as taking only the request

urlpatterns = [
    path("", RedirectView.as_view(url="/app/", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api")),
    path("r/<str:token>", SHARED_REPORT, name="report-share"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    re_path(r"^api/", api_not_found),
    path("app/", views.pwa, name="pwa"),
    re_path(r"^app/(?P<path>.+)$", views.pwa),
]
