"""Top-level URLs: pages of each app, the REST API, admin, health check, i18n."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from packer.health import healthz, readyz
from packer.middleware import no_floor_role_required
from profiles.views import sign_in

# A refused page in the site's layout: what the role allows, and the way back to the station.
handler403 = "sessions.web.refused.permission_denied"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    # The language switcher must work before signing in (the sign-in page has it too).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/login/", sign_in, name="login"),
    path("accounts/logout/", no_floor_role_required(auth_views.LogoutView.as_view()),
         name="logout"),
    path("api/v1/", include("sessions.api.urls")),
    path("", include("stats.urls")),
    path("", include("sessions.web.urls")),
]
