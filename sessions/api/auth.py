"""API sign-in: username + password → a token for the `Authorization: Token …` header, which
lives PACKER_API_TOKEN_HOURS (profiles/tokens.py); and signing out: revoking it.

The password is checked through `django.contrib.auth.authenticate(request=…)` so that
django-axes counts failures and locks a username/address out exactly as on the login page.
"""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles import tokens
from sessions.api import serializers as s
from sessions.errors import InvalidCredentials, LockedOut
from sessions.reads.payloads import iso


class ObtainToken(APIView):
    # No session authentication here: a browser with a session cookie must not need CSRF to
    # sign in, and a stale token must not block getting a new one.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token", tags=["auth"], request=s.TokenRequestSerializer,
        responses={
            200: s.TokenAnswerSerializer,
            400: OpenApiResponse(s.ErrorSerializer, description="invalid_credentials"),
            429: OpenApiResponse(s.ErrorSerializer, description="locked_out"),
        },
        auth=[],
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(request=django_request, **serializer.validated_data)
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                # Answer in the API's own JSON shape; otherwise AxesMiddleware would replace
                # this response with its HTML lockout page.
                django_request.axes_locked_out = False
                raise LockedOut()
            raise InvalidCredentials()
        token = tokens.issue(user)
        return Response({"token": token.key,
                         "expires_at": iso(token.created + tokens.lifetime())})


class RevokeToken(APIView):
    """The caller's API token ends now (signing out a program or a lost device)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_token_revoke", tags=["auth"], request=None,
        responses={200: inline_serializer("TokenRevoked", {"revoked": serializers.BooleanField(
            help_text="Whether there was a token to end.")}),
            401: OpenApiResponse(s.ErrorSerializer, description="not_authenticated")},
    )
    def post(self, request):
        return Response({"revoked": bool(tokens.revoke(request.user))})
