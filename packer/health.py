"""GET /healthz: is the database and the channel layer reachable? JSON, no login."""

import asyncio
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


PING_TIMEOUT = 5  # seconds: a health check answers, it never hangs


async def _ping(layer):
    """Send a message to a new channel and read it back, in one event loop (a pub/sub layer
    keeps its subscriptions per loop: three separate async_to_sync calls could each get a
    different one outside a server)."""
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "health.ping"})
    return await asyncio.wait_for(layer.receive(channel), PING_TIMEOUT)


def check_channel_layer():
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    message = async_to_sync(_ping)(layer)
    if message.get("type") != "health.ping":
        raise RuntimeError("channel layer returned an unexpected message")
    return {"ok": True, "backend": type(layer).__name__}


@never_cache
@require_GET
def healthz(request):
    """200 when every dependency answers, 503 naming the one that does not."""
    result, healthy = {}, True
    for name, check in (("database", check_database), ("channel_layer", check_channel_layer)):
        started = time.perf_counter()
        try:
            result[name] = check()
        except Exception as exc:
            healthy = False
            result[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        result[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    result["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(result, status=200 if healthy else 503)
