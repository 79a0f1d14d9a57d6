"""Getting an API token with a username and password (and the two-factor code, for an account
that has one: ``otp``), and giving it up.

A user has one token (``rest_framework.authtoken``); ``manage.py api_token USERNAME`` prints it
for an administrator. Requests then send ``Authorization: Token <token>``.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import status as http
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api import serializers as s
from archive.loginforms import locked_text
from archive.throttle import LOCKED_ATTRIBUTE
from archive.twofactor import CodeRefused, token_allowed

_WRONG_CREDENTIALS = "The username or password is not correct."


class TokenView(APIView):
    """``POST`` credentials for the user's token; ``DELETE`` (with the token) revokes it."""

    def get_permissions(self) -> list[AllowAny | IsAuthenticated]:
        # Anyone may try to log in; only an authenticated user can revoke their token.
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Credentials come in the body: a stale session or token must not get in the way.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        tags=["auth"],
        summary="Get a token",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, 429: s.DetailSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = s.TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if user is None:
            wait = getattr(request._request, LOCKED_ATTRIBUTE, 0)
            if wait:
                return Response(
                    {"detail": locked_text(wait)},
                    status=http.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(wait)},
                )
            return Response({"detail": _WRONG_CREDENTIALS}, status=http.HTTP_400_BAD_REQUEST)
        try:
            # Two-factor login (archive.twofactor): the password alone gets no token.
            token_allowed(request._request, user, credentials.validated_data["otp"])
        except CodeRefused as refusal:
            if refusal.wait:
                return Response(
                    {"detail": str(refusal)},
                    status=http.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(refusal.wait)},
                )
            return Response({"detail": str(refusal)}, status=http.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(tags=["auth"], summary="Revoke the token in use", responses={204: None})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()  # type: ignore[misc]
        return Response(status=http.HTTP_204_NO_CONTENT)
