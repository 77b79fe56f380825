"""Every page requires a login, except the few that must not."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

# DRF authenticates inside its views (session or token) and answers 401/403 as JSON, so API
# paths must not be redirected to the HTML login page. /healthz and /readyz are for probes.
OPEN_PREFIXES = ("/api/", "/healthz", "/readyz", "/static/")


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's LoginRequiredMiddleware, leaving the API and health check to their own auth."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
