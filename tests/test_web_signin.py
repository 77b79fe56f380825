"""Sign-in by password, badge or username + PIN, and the terminal's station choice."""

import pytest
from django.contrib.auth.models import User

from profiles.models import Worker
from tests.builders import build_station, build_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def packer():
    user = User.objects.create_user("ivan", password="long-enough-pass-1")
    worker = Worker.objects.create(user=user, display_name="Ivan", badge_code="BADGE-77")
    worker.set_pin("4321")
    worker.save()
    return user


def signed_in_as(client):
    return client.get("/").wsgi_request.user


def test_password_sign_in(client, packer):
    response = client.post("/accounts/login/", {"method": "password", "username": "ivan",
                                                "password": "long-enough-pass-1"})
    assert response.status_code == 302
    assert signed_in_as(client) == packer


def test_badge_scan_signs_in_without_username(client, packer):
    response = client.post("/accounts/login/", {"method": "badge", "badge": " BADGE-77 "})
    assert response.status_code == 302
    assert signed_in_as(client) == packer


def test_username_and_pin_sign_in(client, packer):
    response = client.post("/accounts/login/", {"method": "pin", "username": "ivan",
                                                "pin": "4321"})
    assert response.status_code == 302
    assert signed_in_as(client) == packer


@pytest.mark.parametrize("data, message", [
    ({"method": "password", "username": "ivan", "password": "wrong"},
     "Wrong username or password."),
    ({"method": "badge", "badge": "BADGE-00"}, "This badge is not known."),
    ({"method": "pin", "username": "ivan", "pin": "0000"}, "Wrong username or PIN."),
    ({"method": "pin", "pin": "4321"}, "Please fill in: Username."),
])
def test_refused_sign_in_says_why_and_signs_nobody_in(client, packer, data, message):
    response = client.post("/accounts/login/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not signed_in_as(client).is_authenticated


def test_a_pin_alone_is_not_enough(client, packer):
    response = client.post("/accounts/login/", {"method": "pin", "username": "", "pin": "4321"})
    assert response.status_code == 400


def test_next_is_followed_only_on_this_site(client, packer):
    data = {"method": "badge", "badge": "BADGE-77"}
    assert client.post("/accounts/login/?next=/sessions/", data)["Location"] == "/sessions/"
    client.logout()
    assert client.post("/accounts/login/?next=https://evil.example/", data)["Location"] == "/"


def test_station_pages_ask_for_the_terminals_station_first(client):
    client.force_login(build_user(role="packer"))
    station = build_station("PACK-7")
    response = client.get("/station/")
    assert response.status_code == 302
    assert response["Location"].startswith("/station/setup/")
    response = client.post("/station/setup/", {"station": "PACK-7", "next": "/station/"})
    assert response["Location"] == "/station/"
    assert response.cookies["packer_station"].value == station.name
    assert client.get("/station/").status_code == 200


def test_an_unknown_or_inactive_station_cookie_is_not_trusted(client):
    client.force_login(build_user(role="packer"))
    build_station("OLD").__class__.objects.filter(name="OLD").update(active=False)
    client.cookies["packer_station"] = "OLD"
    assert client.get("/station/").status_code == 302
    assert client.post("/station/setup/", {"station": "OLD"}).status_code == 200
