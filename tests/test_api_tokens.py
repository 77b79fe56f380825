"""API tokens end (issue 12): after PACKER_API_TOKEN_HOURS, on a password change or a
deactivation, when their holder revokes them, and when an admin deletes them. The token check
stays one query on the hot path."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api_helpers import assert_error, token_client
from tests.builders import build_user

pytestmark = pytest.mark.django_db
TOKEN_URL, REVOKE_URL = "/api/v1/auth/token/", "/api/v1/auth/token/revoke/"
PASSWORD = "pw-123456"


def sign_in(username="pat"):
    response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD},
                                format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def with_key(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def age(key, hours):
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=hours))


@pytest.fixture
def pat():
    return build_user("pat", role="packer", password=PASSWORD)


def test_a_token_says_when_it_expires_and_is_refused_after(pat, settings):
    assert settings.PACKER_API_TOKEN_HOURS == 24
    answer = sign_in()
    expires = timezone.datetime.fromisoformat(answer["expires_at"])
    assert timedelta(hours=23, minutes=59) < expires - timezone.now() <= timedelta(hours=24)
    age(answer["token"], 23.9)
    assert with_key(answer["token"]).get("/api/v1/clients/").status_code == 200
    age(answer["token"], 24.1)
    body = assert_error(with_key(answer["token"]).get("/api/v1/clients/"), 401,
                        "authentication_failed")
    assert "expired" in body["message"]
    assert not Token.objects.filter(key=answer["token"]).exists()
    fresh = sign_in()
    assert fresh["token"] != answer["token"]
    assert with_key(fresh["token"]).get("/api/v1/clients/").status_code == 200


def test_signing_in_again_before_expiry_keeps_the_token(pat):
    assert sign_in()["token"] == sign_in()["token"]


def test_an_expired_token_is_replaced_at_sign_in(pat):
    first = sign_in()["token"]
    age(first, 25)
    assert sign_in()["token"] != first


def test_the_token_check_is_still_one_query(pat):
    api = with_key(sign_in()["token"])
    from sessions.api.authentication import RoleTokenAuthentication

    key = Token.objects.get(user=pat).key
    with CaptureQueriesContext(connection) as queries:
        user, _token = RoleTokenAuthentication().authenticate_credentials(key)
    assert user == pat and len(queries) == 1
    assert api.get("/api/v1/clients/").status_code == 200


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_a_password_change_or_deactivation_revokes_the_token(pat, change):
    key = sign_in()["token"]
    if change == "password":
        pat.set_password("another-pw-987")
    else:
        pat.is_active = False
    pat.save()
    assert not Token.objects.filter(user=pat).exists()
    assert with_key(key).get("/api/v1/clients/").status_code == 401


def test_other_saves_of_the_user_keep_the_token_without_an_extra_query(pat):
    key = sign_in()["token"]
    pat.first_name = "Pat"
    pat.save()
    with CaptureQueriesContext(connection) as queries:
        pat.last_login = timezone.now()
        pat.save(update_fields=["last_login"])
    assert len(queries) == 1
    assert Token.objects.get(user=pat).key == key


def test_a_password_changed_in_the_admin_revokes_the_token(pat, client):
    key = sign_in()["token"]
    admin = User.objects.create_superuser("root", password="root-pw-123")
    client.force_login(admin)
    response = client.post(f"/admin/auth/user/{pat.pk}/password/",
                           {"password1": "brand-new-pw-555", "password2": "brand-new-pw-555",
                            "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert with_key(key).get("/api/v1/clients/").status_code == 401


def test_the_holder_revokes_the_token(pat):
    key = sign_in()["token"]
    api = with_key(key)
    response = api.post(REVOKE_URL)
    assert response.status_code == 200 and response.json() == {"revoked": True}
    assert_error(api.get("/api/v1/clients/"), 401, "authentication_failed")
    assert_error(api.post(REVOKE_URL), 401, "authentication_failed")
    assert_error(APIClient().post(REVOKE_URL), 401, "not_authenticated")


def test_revoking_by_session_when_there_is_no_token(pat):
    api = APIClient()
    api.force_login(pat)
    assert api.post(REVOKE_URL).json() == {"revoked": False}


def test_an_admin_deletes_a_token(pat, client):
    key = token_client(pat) and Token.objects.get(user=pat).key
    admin = User.objects.create_superuser("root", password="root-pw-123")
    client.force_login(admin)
    listing = client.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200 and "pat" in listing.content.decode()
    response = client.post(f"/admin/authtoken/tokenproxy/{pat.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(key=key).exists()
    assert with_key(key).get("/api/v1/clients/").status_code == 401


def test_a_users_token_is_created_for_the_first_sign_in_only_once():
    build_user("sam", role="packer", password=PASSWORD)
    keys = {sign_in("sam")["token"] for _ in range(3)}
    assert len(keys) == 1 and Token.objects.count() == 1
