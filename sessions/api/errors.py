"""DRF exception handler: every error is JSON {"code", "message", ...} with a proper status."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sessions.errors import PackingError

DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "invalid",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def exception_handler(exc, context):
    """Render PackingError and DRF's own errors in one shape."""
    if isinstance(exc, PackingError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in DRF_CODES.items() if isinstance(exc, cls)), "error")
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": code, "message": first_message(data), "fields": data}
    else:
        message = data.get("detail", "") if isinstance(data, dict) else str(data)
        body = {"code": code, "message": str(message)}
    response.data = body
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        # DRF answers 403 when the first authenticator (session) has no WWW-Authenticate
        # challenge; stations need 401 to know they must fetch a new token.
        response.status_code = status.HTTP_401_UNAUTHORIZED
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = "Token"
    return response


def first_message(data):
    """The first human-readable message of a nested DRF validation error."""
    if isinstance(data, dict):
        for key, value in data.items():
            msg = first_message(value)
            if msg:
                return msg if key == "non_field_errors" else f"{key}: {msg}"
    if isinstance(data, list) and data:
        return first_message(data[0])
    return str(data) if data else ""
