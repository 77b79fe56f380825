"""The packer's pages: choosing a list and the scanning screen's start-up data."""

import json

import pytest
from django.utils import timezone

from profiles.models import CourierDeadline
from sessions.models import PackingList
from sessions.scanning.codes import scan
from tests.builders import build_list, build_station, build_user, build_worker, claimed

pytestmark = pytest.mark.django_db


@pytest.fixture
def terminal(client):
    """A signed-in packer at station PC-1."""
    worker = build_worker("Pat Packer", role="packer")
    client.force_login(worker.user)
    station = build_station("PC-1")
    client.cookies["packer_station"] = station.name
    client.worker, client.station = worker, station
    return client


def page_config(response):
    html = response.content.decode()
    start = html.index('<script id="station-config" type="application/json">') + 52
    return json.loads(html[start:html.index("</script>", start)])


def test_pick_page_shows_open_lists_with_progress_and_who_holds_them(terminal):
    free = build_list({"A-1": [("X", 2)]}, name="DHL_Orders")
    held = build_list({"B-1": [("Y", 1)]}, session=free.session, name="Speedy_Orders")
    claimed(held, worker=build_worker("Olga"), station=build_station("PC-9"))
    ended = build_list({"C-1": [("Z", 1)]}, session=free.session, name="Done_Orders")
    PackingList.objects.filter(pk=ended.pk).update(status="completed")

    html = terminal.get(f"/station/?client={free.session.client.code}").content.decode()
    assert "DHL_Orders" in html and "Speedy_Orders" in html
    assert "Done_Orders" not in html
    assert "Olga @ PC-9" in html
    assert "0 of 1 order" in html  # plural by the total (issue 11)


def test_list_number_typed_or_scanned_opens_that_list(terminal):
    packing_list = build_list({"A-1": [("X", 1)]})
    response = terminal.get("/station/go/", {"code": f"L{packing_list.pk}"})
    assert response["Location"] == f"/station/lists/{packing_list.pk}/"
    response = terminal.get("/station/go/", {"code": "99999"}, follow=True)
    assert "No packing list has the number 99999." in response.content.decode()


def test_station_page_carries_what_the_script_needs(terminal, settings):
    settings.PACKER_HEARTBEAT_SECONDS = 17
    packing_list = build_list({"A-1": [("X", 1)]})
    CourierDeadline.objects.create(client=packing_list.session.client, courier="DHL",
                                   deadline=timezone.datetime(2000, 1, 1, 16, 0).time())
    config = page_config(terminal.get(f"/station/lists/{packing_list.pk}/"))
    assert config["listId"] == packing_list.pk
    assert config["station"] == "PC-1"
    assert config["api"] == f"/api/v1/lists/{packing_list.pk}/"
    assert config["heartbeatSeconds"] == 17
    assert config["scanner"]["doubleFireMs"] == 150
    assert config["deadlines"] == {"dhl": "16:00"}
    assert config["openOrder"] is None
    assert config["strings"]["outcomes"]["item_ok"] == {"label": "Item OK", "tone": "ok",
                                                        "offer": "", "packs": True}
    assert config["strings"]["outcomes"]["unknown_item"]["tone"] == "bad"


def test_station_page_reopens_the_open_order_and_lists_todays_history(terminal):
    packing_list = build_list({"A-1": [("X", 1)], "A-2": [("Y", 2)]})
    claim = claimed(packing_list, worker=terminal.worker, station=terminal.station)
    for code in ("A-1", "X", "A-2", "Y"):
        scan(packing_list.pk, token=claim.token, code=code)
    config = page_config(terminal.get(f"/station/lists/{packing_list.pk}/"))
    assert config["openOrder"]["number"] == "A-2"
    assert config["openOrder"]["items"][0]["packed"] == 1
    assert [h["number"] for h in config["history"]] == ["A-1"]


def test_station_page_speaks_the_users_language(terminal):
    packing_list = build_list({"A-1": [("X", 1)]})
    terminal.cookies["django_language"] = "bg"
    config = page_config(terminal.get(f"/station/lists/{packing_list.pk}/"))
    assert config["strings"]["outcomes"]["item_ok"] != "Item OK"


def test_station_page_of_a_missing_list_is_404(terminal):
    assert terminal.get("/station/lists/424242/").status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client):
    build_user()
    response = client.get("/station/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
