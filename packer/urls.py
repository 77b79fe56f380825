"""Top-level URLs: pages of each app, the REST API, admin, health check, i18n."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from packer.health import healthz
from profiles.views import sign_in

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("sessions.api.urls")),
    path("", include("stats.urls")),
    path("", include("sessions.urls")),
]
