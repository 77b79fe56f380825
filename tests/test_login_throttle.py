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


@pytest.fixture
def pat():
    """A packer who signs in with username + PIN 2468."""
    user = assign_role(User.objects.create_user("pat", password="pat-pw-123"), PACKER)
    worker = Worker(user=user, display_name="Pat")
    worker.set_pin("2468")
    worker.save()
    return worker


def test_pin_guessing_is_locked_out_too(client, pat):
    statuses = [
        client.post(SIGN_IN, {"method": "pin", "username": "pat", "pin": pin}).status_code
        for pin in ["0000", "1111", "2222", "3333", "4444"]
    ]
    assert statuses == [400, 400, 400, 400, 429]
    response = client.post(SIGN_IN, {"method": "pin", "username": "pat", "pin": "2468"})
    assert response.status_code == 429


# --- issue 12: badges count per badge; forwarded addresses only from trusted proxies --------

def badge_attempt(client, badge, **headers):
    return client.post(SIGN_IN, {"method": "badge", "badge": badge}, **headers)


@pytest.fixture
def ivan():
    user = assign_role(User.objects.create_user("ivan", password="ivan-pw-123"), PACKER)
    return Worker.objects.create(user=user, display_name="Ivan", badge_code="BADGE-77")


def test_unknown_badges_do_not_lock_the_other_badges_of_the_terminal(client, ivan):
    for n in range(8):
        response = badge_attempt(client, f"UNKNOWN-{n}")
        assert response.status_code == 400 and LOCKED not in response.content.decode()
    assert badge_attempt(client, "BADGE-77").status_code == 302
    assert client.session["_auth_user_id"] == str(ivan.user_id)


def test_one_badge_tried_five_times_is_locked_and_only_that_badge(client, ivan):
    statuses = [badge_attempt(client, "LOST-CARD").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert badge_attempt(client, "LOST-CARD").status_code == 429
    assert badge_attempt(client, "BADGE-77").status_code == 302


def test_a_badge_is_not_stored_in_the_lockout_records(client, ivan):
    from axes.models import AccessAttempt

    badge_attempt(client, "SECRET-CARD-123")
    names = list(AccessAttempt.objects.values_list("username", flat=True))
    assert names and all(name.startswith("badge:") for name in names)
    assert not any("SECRET-CARD-123" in (a.post_data + a.username)
                   for a in AccessAttempt.objects.all())


def test_a_made_up_forwarded_address_from_a_client_is_ignored(client, pat):
    statuses = [
        client.post(SIGN_IN, {"method": "pin", "username": "pat", "pin": f"{n:04d}"},
                    REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(client, sue, settings):
    settings.PACKER_TRUSTED_PROXIES = ["172.18.0.0/16"]
    via_proxy = {"REMOTE_ADDR": "172.18.0.5"}
    for _ in range(5):
        sign_in_attempt_from(client, "sue", "wrong", HTTP_X_FORWARDED_FOR="192.168.1.20",
                             **via_proxy)
    locked = sign_in_attempt_from(client, "sue", "right-pw-123",
                                  HTTP_X_FORWARDED_FOR="192.168.1.20", **via_proxy)
    assert locked.status_code == 429
    # Another terminal behind the same proxy is not locked; a spoofed left-most entry is
    # ignored (Caddy appends the address it saw).
    other = sign_in_attempt_from(client, "sue", "right-pw-123",
                                 HTTP_X_FORWARDED_FOR="192.168.1.20, 192.168.1.21", **via_proxy)
    assert other.status_code == 302


def sign_in_attempt_from(client, username, password, **headers):
    return client.post(SIGN_IN, {"method": "password", "username": username,
                                 "password": password}, **headers)


def test_the_client_address_rules():
    from packer.proxies import client_address

    trusted = {"REMOTE_ADDR": "127.0.0.1"}
    assert client_address({"REMOTE_ADDR": "198.51.100.1",
                           "HTTP_X_FORWARDED_FOR": "1.2.3.4"}) == "198.51.100.1"
    assert client_address({**trusted, "HTTP_X_FORWARDED_FOR": "1.2.3.4"}) == "1.2.3.4"
    assert client_address({**trusted, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}) == "1.2.3.4"
    assert client_address({**trusted, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 127.0.0.1"}) \
        == "1.2.3.4"
    assert client_address({**trusted, "HTTP_X_FORWARDED_FOR": "not-an-ip"}) == "127.0.0.1"
    assert client_address({**trusted, "HTTP_X_FORWARDED_FOR": "[2001:db8::1]"}) == "2001:db8::1"
    assert client_address(trusted) == "127.0.0.1"


def uvicorn_app_as_started_by_the_deploy_script():
    """The ASGI app wrapped exactly as uvicorn wraps it with deploy/start-web.sh's proxy flags."""
    import re
    from pathlib import Path

    import uvicorn

    from packer.asgi import application

    script = (Path(__file__).resolve().parents[1] / "deploy" / "start-web.sh").read_text()
    allowed = re.search(r"--forwarded-allow-ips[= ]['\"]?([^'\"\s]+)", script)
    config = uvicorn.Config(application, lifespan="off",
                            proxy_headers="--no-proxy-headers" not in script,
                            forwarded_allow_ips=allowed.group(1) if allowed else None)
    config.load()
    return config.loaded_app


@pytest.mark.django_db(transaction=True)
async def test_a_fake_forwarded_for_straight_to_uvicorn_does_not_defeat_the_lockout():
    """Issue 12: every guess sent with a new X-Forwarded-For straight to uvicorn counted as a
    new address, so the lockout never came."""
    import httpx
    from asgiref.sync import sync_to_async

    await sync_to_async(lambda: assign_role(
        User.objects.create_user("kim", password="kim-pw-123"), SUPERVISOR))()
    transport = httpx.ASGITransport(app=uvicorn_app_as_started_by_the_deploy_script(),
                                    client=("203.0.113.50", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        statuses = []
        for n in range(6):
            response = await http.post("/api/v1/auth/token/",
                                       json={"username": "kim", "password": f"guess-{n}"},
                                       headers={"X-Forwarded-For": f"10.1.{n}.{n}"})
            statuses.append(response.status_code)
    assert statuses == [400, 400, 400, 400, 429, 429]
