"""Claim endpoints of the station contract: claim, heartbeat, release, takeover, force-release."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import ClaimEvent, PackingList
from sessions.reads.payloads import iso
from tests.api_helpers import assert_error, claim, role_client, token_client, url
from tests.builders import build_list, build_station, build_user

pytestmark = pytest.mark.django_db

LINES = {"ORDER-001": [("SKU-A", 2)], "ORDER-002": [("SKU-B", 1)]}


def make_stale(packing_list, seconds=122):
    PackingList.objects.filter(pk=packing_list.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds))


@pytest.fixture
def packing_list():
    return build_list(LINES)


def test_claim_returns_token_intervals_and_the_list(packing_list, settings):
    station = build_station("PC-1")
    api = role_client("packer")
    response = claim(api, packing_list.pk, "PC-1")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "heartbeat_seconds", "stale_after_seconds", "list"}
    assert body["heartbeat_seconds"] == settings.PACKER_HEARTBEAT_SECONDS
    assert body["stale_after_seconds"] == settings.PACKER_STALE_AFTER_SECONDS
    packing_list.refresh_from_db()
    assert body["token"] == str(packing_list.claim_token)
    assert packing_list.station == station
    assert packing_list.holder.user == api.user
    assert body["list"]["id"] == packing_list.pk
    assert body["list"]["claim"]["station"] == "PC-1"
    assert body["list"]["claim"]["active"] is True
    assert body["list"]["status"] == "in_progress"


def test_claim_by_station_id_and_reclaim_from_the_same_station_keeps_the_token(packing_list):
    station = build_station("PC-2")
    api = role_client("packer")
    first = claim(api, packing_list.pk, str(station.pk)).json()["token"]
    second = claim(api, packing_list.pk, "pc-2").json()["token"]
    assert first == second


def test_second_station_gets_409_list_claimed_with_exact_body(packing_list):
    build_station("PC-1")
    build_station("PC-2")
    holder = role_client("packer")
    claim(holder, packing_list.pk, "PC-1")
    response = claim(role_client("packer"), packing_list.pk, "PC-2")
    body = assert_error(response, 409, "list_claimed")
    packing_list.refresh_from_db()
    assert body["holder"] == packing_list.holder.display_name
    assert body["station"] == "PC-1"
    assert body["since"] == iso(packing_list.claimed_at)
    assert body["stale"] is False
    # The contract's fields, plus heartbeat_at (when the holder was last heard of): nothing else.
    assert set(body) == {"code", "message", "holder", "station", "since", "stale", "heartbeat_at",
                         "can_take_over"}
    assert body["can_take_over"] is False
    assert "PC-1" in body["message"]


def test_list_claimed_says_stale_when_the_holder_went_silent(packing_list):
    build_station("PC-1")
    build_station("PC-2")
    claim(role_client("packer"), packing_list.pk, "PC-1")
    make_stale(packing_list)
    body = assert_error(claim(role_client("packer"), packing_list.pk, "PC-2"), 409,
                        "list_claimed")
    assert body["stale"] is True


def test_claim_errors(packing_list):
    build_station("PC-1")
    api = role_client("packer")
    assert_error(claim(api, packing_list.pk, "NO-SUCH-PC"), 404, "not_found")
    assert_error(api.post(url(packing_list.pk, "claim/"), {}, format="json"), 400, "invalid")
    assert_error(claim(api, 999999, "PC-1"), 404, "not_found")
    PackingList.objects.filter(pk=packing_list.pk).update(status="completed")
    assert_error(claim(api, packing_list.pk, "PC-1"), 409, "list_completed")


def test_station_holding_another_workers_list_is_409_station_busy(packing_list):
    build_station("PC-1")
    claim(role_client("packer"), build_list(LINES).pk, "PC-1")
    assert_error(claim(role_client("packer"), packing_list.pk, "PC-1"), 409, "station_busy")


def test_heartbeat_refreshes_and_needs_the_token(packing_list):
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    make_stale(packing_list, 60)
    response = api.post(url(packing_list.pk, "heartbeat/"), HTTP_X_CLAIM_TOKEN=token)
    assert response.status_code == 200
    body = response.json()
    assert body["claim"]["heartbeat_age_seconds"] < 5
    assert body["heartbeat_seconds"] and body["stale_after_seconds"]
    assert_error(api.post(url(packing_list.pk, "heartbeat/")), 409, "not_claim_holder")
    assert_error(api.post(url(packing_list.pk, "heartbeat/"), HTTP_X_CLAIM_TOKEN="not-a-uuid"),
                 409, "not_claim_holder")
    other = "00000000-0000-4000-8000-000000000000"
    assert_error(api.post(url(packing_list.pk, "heartbeat/"), HTTP_X_CLAIM_TOKEN=other),
                 409, "not_claim_holder")


def test_release_frees_the_list_and_logs_it(packing_list):
    build_station("PC-1")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    response = api.post(url(packing_list.pk, "release/"), HTTP_X_CLAIM_TOKEN=token)
    assert response.status_code == 200
    assert response.json()["list"]["claim"] is None
    assert ClaimEvent.objects.filter(packing_list=packing_list, kind="release").exists()
    assert_error(api.post(url(packing_list.pk, "release/"), HTTP_X_CLAIM_TOKEN=token),
                 409, "not_claim_holder")


def test_takeover_of_an_active_claim_is_409_claim_active(packing_list):
    build_station("PC-1")
    build_station("PC-2")
    claim(role_client("packer"), packing_list.pk, "PC-1")
    response = role_client("supervisor").post(
        url(packing_list.pk, "takeover/"), {"station": "PC-2"}, format="json")
    assert_error(response, 409, "claim_active")


def test_takeover_of_someone_elses_stale_claim_needs_a_supervisor(packing_list):
    build_station("PC-1")
    build_station("PC-2")
    old = role_client("packer")
    old_token = claim(old, packing_list.pk, "PC-1").json()["token"]
    make_stale(packing_list)
    body = {"station": "PC-2", "reason": "PC-1 crashed"}
    assert_error(role_client("packer").post(url(packing_list.pk, "takeover/"), body,
                                            format="json"), 403, "forbidden")
    supervisor = role_client("supervisor")
    response = supervisor.post(url(packing_list.pk, "takeover/"), body, format="json")
    assert response.status_code == 200
    answer = response.json()
    assert answer["token"] != old_token
    assert answer["list"]["claim"]["station"] == "PC-2"
    event = ClaimEvent.objects.get(packing_list=packing_list, kind="takeover")
    assert event.reason == "PC-1 crashed" and event.by_user == supervisor.user
    assert event.previous_station.name == "PC-1"
    # The old station's token no longer works.
    assert_error(old.post(url(packing_list.pk, "heartbeat/"), HTTP_X_CLAIM_TOKEN=old_token),
                 409, "not_claim_holder")


def test_the_same_worker_may_take_over_their_own_stale_claim(packing_list):
    build_station("PC-1")
    build_station("PC-2")
    api = role_client("packer")
    claim(api, packing_list.pk, "PC-1")
    make_stale(packing_list)
    response = api.post(url(packing_list.pk, "takeover/"), {"station": "PC-2"}, format="json")
    assert response.status_code == 200
    assert response.json()["list"]["claim"]["station"] == "PC-2"


def test_force_release_is_for_supervisors_with_a_reason(packing_list):
    build_station("PC-1")
    claim(role_client("packer"), packing_list.pk, "PC-1")
    path = url(packing_list.pk, "force-release/")
    assert_error(role_client("packer").post(path, {"reason": "x"}, format="json"),
                 403, "forbidden")
    supervisor = role_client("supervisor")
    assert_error(supervisor.post(path, {}, format="json"), 400, "invalid")
    assert_error(supervisor.post(path, {"reason": "   "}, format="json"), 400, "invalid")
    response = supervisor.post(path, {"reason": "Packer went home"}, format="json")
    assert response.status_code == 200
    assert response.json()["list"]["claim"] is None
    event = ClaimEvent.objects.get(packing_list=packing_list, kind="force_release")
    assert event.reason == "Packer went home"
    assert_error(supervisor.post(path, {"reason": "again"}, format="json"), 409,
                 "list_not_claimed")


def test_admin_may_force_release():
    packing_list = build_list(LINES)
    build_station("PC-1")
    claim(role_client("packer"), packing_list.pk, "PC-1")
    response = token_client(build_user(role="admin")).post(
        url(packing_list.pk, "force-release/"), {"reason": "maintenance"}, format="json")
    assert response.status_code == 200
