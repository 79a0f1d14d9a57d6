"""archive.api.auth and the api_token command: tokens, sessions, and nothing without them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.archive.api.conftest import DOCUMENTS

pytestmark = pytest.mark.django_db


def test_nothing_without_credentials():
    client = APIClient()
    for method, path in [("get", DOCUMENTS), ("post", DOCUMENTS), ("get", "/api/search/?q=x")]:
        response = getattr(client, method)(path)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "Authentication credentials were not provided."}
    # A document id is not even looked up: 401 whether it exists or not.
    assert client.get(f"{DOCUMENTS}1/").status_code == 401


def test_a_wrong_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = client.get(DOCUMENTS)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_token_from_username_and_password_then_revoked(alice):
    client = APIClient()
    response = client.post("/api/token/", {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 200
    key = response.json()["token"]
    assert key == Token.objects.get(user=alice).key
    # Asking again gives the same token (one per user).
    again = client.post("/api/token/", {"username": "alice", "password": "alice-password-1"})
    assert again.json()["token"] == key

    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(DOCUMENTS).status_code == 200
    assert client.delete("/api/token/").status_code == 204
    assert client.get(DOCUMENTS).status_code == 401


def test_wrong_password_gets_no_token(alice):
    client = APIClient()
    response = client.post("/api/token/", {"username": "alice", "password": "guess"})
    assert response.status_code == 400
    assert response.json() == {"detail": "The username or password is not correct."}
    assert client.post("/api/token/", {"username": "alice"}).json() == {
        "password": ["This field is required."]
    }
    alice.is_active = False
    alice.save()
    response = client.post("/api/token/", {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_browser_session_works_and_writes_need_the_csrf_token(alice, make_upload):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(DOCUMENTS).status_code == 200
    refused = client.post(DOCUMENTS, {"files": [make_upload()]})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    # With the token from the CSRF cookie (as Swagger UI sends it) the upload goes through.
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    accepted = client.post(DOCUMENTS, {"files": [make_upload()]}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def test_api_token_command_prints_and_resets(alice):
    out = io.StringIO()
    call_command("api_token", "alice", stdout=out)
    key = out.getvalue().strip()
    assert key == Token.objects.get(user=alice).key
    out = io.StringIO()
    call_command("api_token", "alice", stdout=out)
    assert out.getvalue().strip() == key
    out = io.StringIO()
    call_command("api_token", "alice", "--reset", stdout=out)
    assert out.getvalue().strip() not in ("", key)
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("api_token", "nobody")
