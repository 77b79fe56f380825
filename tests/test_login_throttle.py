"""Password guessing is throttled (django-axes): five wrong attempts lock that username from
that address, on the admin login and on the floor's sign-in page (password and PIN alike)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from profiles.models import Worker
from profiles.roles import PACKER, SUPERVISOR, assign_role

pytestmark = pytest.mark.django_db

LOCKED = "too many login attempts"
ADMIN_LOGIN = "/admin/login/"
SIGN_IN = "/accounts/login/"


@pytest.fixture
def sue():
    user = User.objects.create_user("sue", password="right-pw-123")
    return assign_role(user, SUPERVISOR)


def admin_attempt(client, username, password):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password,
                                     "next": "/admin/"})


def sign_in_attempt(client, username, password):
    return client.post(SIGN_IN, {"method": "password", "username": username,
                                 "password": password})


def test_the_limit_is_five():
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 5


@pytest.mark.parametrize("attempt", [admin_attempt, sign_in_attempt])
def test_five_wrong_passwords_lock_out_even_the_right_one(client, sue, attempt):
    for _ in range(4):
        response = attempt(client, "sue", "wrong")
        assert response.status_code in (200, 400)  # the form again, with its error
        assert LOCKED not in response.content.decode()
    fifth = attempt(client, "sue", "wrong")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    right = attempt(client, "sue", "right-pw-123")
    assert right.status_code == 429 and LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_on_one_login_page_holds_on_the_other(client, sue):
    for _ in range(5):
        sign_in_attempt(client, "sue", "wrong")
    assert admin_attempt(client, "sue", "right-pw-123").status_code == 429


def test_other_users_at_the_same_address_can_still_sign_in(client, sue):
    other = assign_role(User.objects.create_user("max", password="max-pw-123"), SUPERVISOR)
    for _ in range(5):
        admin_attempt(client, "sue", "wrong")
    response = admin_attempt(client, other.username, "max-pw-123")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_a_successful_sign_in_resets_the_count(client, sue):
    for _ in range(4):
        admin_attempt(client, "sue", "wrong")
    assert admin_attempt(client, "sue", "right-pw-123").status_code == 302
    client.logout()
    for _ in range(4):
        admin_attempt(client, "sue", "wrong")
    assert admin_attempt(client, "sue", "right-pw-123").status_code == 302


def test_pin_guessing_is_locked_out_too(client):
    user = assign_role(User.objects.create_user("pat", password="pat-pw-123"), PACKER)
    worker = Worker(user=user, display_name="Pat")
    worker.set_pin("2468")
    worker.save()
    statuses = [
        client.post(SIGN_IN, {"method": "pin", "username": "pat", "pin": pin}).status_code
        for pin in ["0000", "1111", "2222", "3333", "4444"]
    ]
    assert statuses == [400, 400, 400, 400, 429]
    response = client.post(SIGN_IN, {"method": "pin", "username": "pat", "pin": "2468"})
    assert response.status_code == 429
