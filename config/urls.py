from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from audits.api.reports import shared_report
from config import views

urlpatterns = [
    path("", RedirectView.as_view(url="/app/", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api")),
    path("r/<str:token>", shared_report, name="report-share"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("app/", views.pwa, name="pwa"),
    re_path(r"^app/(?P<path>.+)$", views.pwa),
]
