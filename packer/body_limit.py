"""Request body caps at the ASGI edge: 413 before Django reads (and spools) an oversized body.

Django's ASGI handler reads the whole body into a temporary file (on disk above
FILE_UPLOAD_MAX_MEMORY_SIZE) before any middleware or view runs, so the login check came after
the spooling: anonymous 1.5 GB POSTs filled the temp directory and then got 401. This wraps the
HTTP application:

- every request: at most PACKER_BODY_MAX_BYTES (1 MB), which stays in memory;
- upload endpoints (PACKER_UPLOAD_PATHS): PACKER_IMPORT_MAX_BYTES plus a multipart envelope,
  but only for a signed-in caller (a valid session or API token, checked before one byte of the
  body is read). Anonymous callers keep the 1 MB cap, so they never spool.

A declared Content-Length over the cap is refused at once, unread. A body without one (chunked)
is counted as it arrives; at the cap, Django is told the client went away (it drops what it
had) and the caller gets the 413. Caddy (deploy/Caddyfile, request_body) caps bodies too.
"""

import json
import re
from importlib import import_module

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest
from django.http.cookie import parse_cookie

TOO_LARGE = 413


def upload_path(path):
    return any(re.match(pattern, path) for pattern in settings.PACKER_UPLOAD_PATHS)


def upload_cap():
    return settings.PACKER_IMPORT_MAX_BYTES + settings.PACKER_UPLOAD_ENVELOPE_BYTES


def header(scope, name):
    for key, value in scope.get("headers", ()):
        if key.decode("latin-1").lower() == name:
            return value.decode("latin-1")
    return None


def declared_length(scope):
    value = header(scope, "content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@database_sync_to_async
def signed_in(scope):
    """True for an active user's valid session or a valid API token; reads no body.

    The session is checked as Django's AuthenticationMiddleware would (backend, session hash:
    a password change signs it out); the token as the API's token authentication does.
    """
    authorization = header(scope, "authorization") or ""
    if authorization.lower().startswith("token "):
        from sessions.api.authentication import RoleTokenAuthentication

        try:
            user, _token = RoleTokenAuthentication().authenticate_credentials(
                authorization[6:].strip())
        except Exception:  # AuthenticationFailed, or a key that is not even well-formed
            return False
        return user.is_active
    session_key = parse_cookie(header(scope, "cookie") or "").get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(request)
    return user.is_authenticated and user.is_active


async def cap_for(scope, length):
    """The most body bytes this request may send (a database read only for a large upload)."""
    small = settings.PACKER_BODY_MAX_BYTES
    if (length is not None and length <= small) or not upload_path(scope["path"]):
        return small
    if length is not None and length > upload_cap():
        return upload_cap()  # refused whoever asks
    return upload_cap() if await signed_in(scope) else small


def has_body(scope, length):
    """HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding has no body."""
    return (length or 0) > 0 or header(scope, "transfer-encoding") is not None


async def send_too_large(send, cap, scope):
    limit_mb = cap / (1024 * 1024)
    message = f"The request body is larger than {limit_mb:.1f} MB."
    if upload_path(scope["path"]) and cap < upload_cap():
        message += " Sign in to upload files."
    body = json.dumps({"code": "request_too_large", "message": message,
                       "limit_bytes": cap}).encode()
    await send({"type": "http.response.start", "status": TOO_LARGE, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """ASGI middleware around the HTTP application (packer/asgi.py)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        length = declared_length(scope) if scope["type"] == "http" else None
        if scope["type"] != "http" or not has_body(scope, length):
            return await self.app(scope, receive, send)
        cap = await cap_for(scope, length)
        if length is not None and length > cap:
            return await send_too_large(send, cap, scope)
        state = {"received": 0, "over": False, "started": False}

        async def limited_receive():
            if state["over"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > cap:
                    state["over"] = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message):
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, limited_receive, tracked_send)
        if state["over"] and not state["started"]:
            await send_too_large(send, cap, scope)
