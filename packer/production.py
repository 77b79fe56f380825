"""Production settings: everything from packer.settings, hardened for `check --deploy`.

Use with DJANGO_SETTINGS_MODULE=packer.production. Refuses to start without SECRET_KEY.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from packer.settings import *  # noqa: F403
from packer.settings import env_bool, env_int

DEBUG = False
# uvicorn serves production (deploy/start-web.sh); daphne is only for `runserver`.
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "daphne"]  # noqa: F405
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters.")

STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# /healthz and /readyz are probed over plain HTTP inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
