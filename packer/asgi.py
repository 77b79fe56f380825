"""ASGI entry point: HTTP through Django (bodies capped first), WebSockets through Channels.

HTTP requests run their middleware chain and view in one thread each, entered once
(packer.handler.SyncChainASGIHandler), instead of a thread hop per middleware hook.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
django.setup(set_prefix=False)

from packer.handler import SyncChainASGIHandler  # noqa: E402

django_asgi_app = SyncChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from packer.body_limit import BodyLimitMiddleware  # noqa: E402
from sessions.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
