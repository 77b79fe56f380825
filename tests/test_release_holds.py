"""A force-release holds; a release is normal (issue 10, scenarios 42 and 43): the released
station is told who, when and why, cannot re-claim during the cool-down without a supervisor,
a packer pauses their own list and another packer resumes it exactly, take-over is offered only
to those who may, and the claims history names releaser, holder and station."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.claims import claim_list, force_release, release
from sessions.errors import ReleaseCooldown
from sessions.models import Approval, ClaimEvent, OrderItem, PackingList
from sessions.reads.claim_history import claim_history
from tests.api_helpers import assert_error, claim, role_client, scan, supervisor_badge, url
from tests.builders import build_list, build_station, build_user, claimed, supervisor_approval

pytestmark = pytest.mark.django_db

LINES = {"R-1": [("SKU-A", 3), ("SKU-B", 1)], "R-2": [("SKU-C", 1)]}


@pytest.fixture
def held():
    """A packer holds the list at PC-1 with R-1 half packed."""
    packing_list = build_list(LINES)
    build_station("PC-1")
    build_station("PC-2")
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-1").json()["token"]
    for code in ("R-1", "SKU-A", "SKU-A"):
        scan(api, packing_list.pk, token, code)
    return api, packing_list, token


def heartbeat(api, pk, token):
    return api.post(url(pk, "heartbeat/"), {}, format="json", HTTP_X_CLAIM_TOKEN=token)


def test_s42_the_released_station_is_told_who_when_and_why(held, settings):
    api, packing_list, token = held
    boss = build_user("boss", role="supervisor")
    force_release(packing_list.pk, by_user=boss, reason="PC-1 is needed for returns")
    body = assert_error(heartbeat(api, packing_list.pk, token), 409, "not_claim_holder")
    ended = body["ended"]
    assert ended["kind"] == "force_release" and ended["by"] == "boss"
    assert ended["reason"] == "PC-1 is needed for returns"
    assert ended["station"] == "PC-1" and ended["at"]
    # A scan with the old token gets the same explanation.
    body = assert_error(scan(api, packing_list.pk, token, "SKU-A"), 409, "not_claim_holder")
    assert body["ended"]["by"] == "boss"
    # A token nobody ever had gets no story.
    body = assert_error(heartbeat(api, packing_list.pk, "00000000-0000-4000-8000-000000000000"),
                        409, "not_claim_holder")
    assert "ended" not in body


def test_s42_no_reclaim_during_the_cooldown_without_approval(held, settings):
    api, packing_list, token = held
    force_release(packing_list.pk, by_user=build_user("boss", role="supervisor"),
                  reason="go home")
    body = assert_error(claim(api, packing_list.pk, "PC-1"), 409, "release_cooldown")
    assert body["released_by"] == "boss" and body["reason"] == "go home"
    assert body["approve_with"] == ["badge", "pin"] and body["until"] > body["released_at"]
    assert PackingList.objects.get(pk=packing_list.pk).claim_token is None
    # The same worker at another station is held back too.
    assert_error(claim(api, packing_list.pk, "PC-2"), 409, "release_cooldown")
    # With a supervisor's approval it may: stored with the claim.
    answer = api.post(url(packing_list.pk, "claim/"),
                      {"station": "PC-1", "approval": supervisor_badge()}, format="json")
    assert answer.status_code == 200
    approval = Approval.objects.get()
    assert approval.action == "reclaim" and approval.claim_event.kind == "claim"


def test_s42_after_the_cooldown_the_station_may_claim_again(held, settings):
    api, packing_list, _token = held
    settings.PACKER_RELEASE_COOLDOWN_SECONDS = 600
    force_release(packing_list.pk, by_user=build_user("boss", role="supervisor"), reason="x")
    ClaimEvent.objects.filter(kind="force_release").update(
        created_at=timezone.now() - timedelta(seconds=601))
    assert claim(api, packing_list.pk, "PC-1").status_code == 200


def test_s42_another_packer_is_not_held_back(held):
    _api, packing_list, _token = held
    force_release(packing_list.pk, by_user=build_user("boss", role="supervisor"), reason="x")
    assert claim(role_client("packer"), packing_list.pk, "PC-2").status_code == 200


def test_cooldown_in_the_service(held):
    _api, packing_list, _token = held
    packing_list.refresh_from_db()
    worker, station = packing_list.holder, packing_list.station
    force_release(packing_list.pk, by_user=build_user("boss", role="supervisor"), reason="x")
    with pytest.raises(ReleaseCooldown):
        claim_list(packing_list.pk, worker=worker, station=station)
    claim_list(packing_list.pk, worker=worker, station=station, approver=supervisor_approval())


def test_s43_a_packer_releases_for_a_break_and_another_resumes_exactly(held):
    api, packing_list, token = held
    response = api.post(url(packing_list.pk, "release/"), {"reason": "lunch"}, format="json",
                        HTTP_X_CLAIM_TOKEN=token)
    assert response.status_code == 200 and response.json()["list"]["claim"] is None
    event = ClaimEvent.objects.filter(kind="release").get()
    assert event.reason == "lunch" and event.worker.user == api.user
    assert event.station.name == "PC-1"
    # The releasing station learns it was released by itself, not by a supervisor.
    assert assert_error(heartbeat(api, packing_list.pk, token), 409,
                        "not_claim_holder")["ended"]["kind"] == "release"
    other = role_client("packer")
    answer = claim(other, packing_list.pk, "PC-2")
    assert answer.status_code == 200  # no cool-down after an ordinary release
    new_token = answer.json()["token"]
    assert answer.json()["list"]["open_order"] == packing_list.orders.get(number="R-1").pk
    resumed = scan(other, packing_list.pk, new_token, "SKU-A").json()
    assert resumed["outcome"] == "item_ok"
    assert OrderItem.objects.get(sku="SKU-A").packed == 3


def test_take_over_is_offered_only_to_those_who_may(held, settings):
    _api, packing_list, _token = held
    PackingList.objects.filter(pk=packing_list.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.PACKER_STALE_AFTER_SECONDS + 5))
    other = assert_error(claim(role_client("packer"), packing_list.pk, "PC-2"), 409,
                         "list_claimed")
    assert other["stale"] is True and other["can_take_over"] is False
    assert "supervisor" in other["message"]
    boss = assert_error(claim(role_client("supervisor"), packing_list.pk, "PC-2"), 409,
                        "list_claimed")
    assert boss["can_take_over"] is True


def test_claims_history_names_the_releaser_the_holder_and_the_station(held):
    api, packing_list, token = held
    boss = build_user("boss", role="supervisor")
    force_release(packing_list.pk, by_user=boss, reason="swap")
    other = claimed(PackingList.objects.get(pk=packing_list.pk))
    release(packing_list.pk, token=other.token)
    rows = claim_history(PackingList.objects.get(pk=packing_list.pk))
    kinds = [row["kind"] for row in rows]
    assert kinds == ["release", "claim", "force_release", "claim"]
    forced = rows[2]
    assert forced["by"] == "boss" and forced["holder"] == api.user.worker.display_name
    assert forced["station"] == "PC-1" and forced["reason"] == "swap"
    released = rows[0]
    assert released["by"] == other.worker.display_name == released["holder"]
    assert released["station"] == other.station.name


def test_claims_history_is_on_the_list_page(held, client):
    api, packing_list, _token = held
    force_release(packing_list.pk, by_user=build_user("boss", role="supervisor"),
                  reason="swap stations")
    client.force_login(build_user(role="supervisor"))
    page = client.get(f"/sessions/lists/{packing_list.pk}/").content.decode()
    assert "swap stations" in page and "boss" in page
    assert api.user.worker.display_name in page and "PC-1" in page
