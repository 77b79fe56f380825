"""The list barcode `LIST-<id>`: written and read in one place, printed, scanned to claim."""

import pytest

from sessions.listcodes import list_barcode, list_id_from_input, parse_list_barcode
from sessions.models import ClaimEvent, PackingList
from tests.builders import build_list, build_station, build_worker, claimed


def test_list_barcode_text_and_parsing():
    assert list_barcode(42) == "LIST-42"
    assert parse_list_barcode("LIST-42") == 42
    assert parse_list_barcode(" list-42\r\n") == 42
    for other in ("", None, "LIST-", "LIST-4x", "42", "L42", "BADGE-42", "XLIST-42", "LIST-42-1"):
        assert parse_list_barcode(other) is None
    assert [list_id_from_input(c) for c in ("LIST-7", "7", "L7", "#7", "BADGE-7", "P-7")] == [
        7, 7, 7, 7, None, None]


@pytest.fixture
def terminal(client, db):
    worker = build_worker("Pat Packer", role="packer")
    worker.badge_code = "BADGE-PAT"
    worker.save()
    client.force_login(worker.user)
    station = build_station("PC-1")
    client.cookies["packer_station"] = station.name
    client.worker, client.station = worker, station
    return client


def test_scanned_list_barcode_claims_the_list_and_opens_the_station(terminal):
    packing_list = build_list({"A-1": [("X", 1)]})
    response = terminal.post("/station/go/", {"code": packing_list.barcode})
    assert response["Location"] == f"/station/lists/{packing_list.pk}/"
    packing_list.refresh_from_db()
    assert (packing_list.holder, packing_list.station) == (terminal.worker, terminal.station)
    assert ClaimEvent.objects.filter(packing_list=packing_list).count() == 1


def test_a_list_held_elsewhere_is_refused_on_the_pick_page(terminal):
    packing_list = build_list({"A-1": [("X", 1)]})
    claimed(packing_list, worker=build_worker("Olga"), station=build_station("PC-9"))
    response = terminal.post("/station/go/", {"code": packing_list.barcode}, follow=True)
    assert response.redirect_chain[-1][0] == "/station/"
    assert "Olga" in response.content.decode()
    assert PackingList.objects.get(pk=packing_list.pk).station.name == "PC-9"


def test_own_badge_signs_out_another_badge_takes_over(terminal):
    other = build_worker("Dan", role="packer")
    other.badge_code = "BADGE-DAN"
    other.save()
    response = terminal.post("/station/go/", {"code": "BADGE-DAN"})
    assert response["Location"] == "/station/"
    assert terminal.get("/station/").context["user"] == other.user
    response = terminal.post("/station/go/", {"code": "BADGE-DAN"})
    assert response["Location"] == "/accounts/login/"
    assert not terminal.get("/accounts/login/").context["user"].is_authenticated


def test_unknown_code_is_no_list_and_no_badge(terminal):
    response = terminal.post("/station/go/", {"code": "NOPE-1"}, follow=True)
    assert "No packing list has the number NOPE-1." in response.content.decode()
    assert response.context["user"] == terminal.worker.user
