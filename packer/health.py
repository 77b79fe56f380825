"""Health probes: /healthz (liveness: process + database) and /readyz (readiness: everything).

Liveness is what Caddy and the compose health check use to decide whether to send traffic, so
it checks only what a scan needs: this process answers and the database answers. Redis carries
live updates only; a Redis blip must not take the server out of the proxy (a scan never needs
Redis: publishing is after commit and never fails the write). Readiness reports the channel
layer and pending migrations too, for monitoring and people.

The public (any caller) gets a status word and nothing else; supervisors and admins signed in
get each check's detail, including the error text, which may name hosts and users.
"""

import asyncio
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from profiles.roles import is_supervisor


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


def check_migrations():
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migration(s) not applied")
    return {"ok": True}


LIVENESS = ("database",)
READINESS = ("database", "channel_layer", "migrations")
# Looked up at call time (tests replace the functions above to simulate an outage).
CHECKS = {
    "database": lambda: check_database(),
    "channel_layer": lambda: check_channel_layer(),
    "migrations": lambda: check_migrations(),
}


def run_checks(names):
    """{name: detail} and whether all passed; a failing check's detail carries its error."""
    results, healthy = {}, True
    for name in names:
        started = time.perf_counter()
        try:
            results[name] = CHECKS[name]()
        except Exception as exc:
            healthy = False
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results, healthy


def answer(request, names):
    results, healthy = run_checks(names)
    body = {"status": "ok" if healthy else "unavailable"}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and is_supervisor(user):
        body.update(results)
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def healthz(request):
    """Liveness: 200 while this process and the database answer, else 503."""
    return answer(request, LIVENESS)


@never_cache
@require_GET
def readyz(request):
    """Readiness: database, channel layer (Redis) and migrations; 503 naming none to the public."""
    return answer(request, READINESS)
