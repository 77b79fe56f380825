"""Live list updates: sent after commit to the floor and list groups (and to no group nobody
joins), never on rollback; built once at publish time (the list's row, the last scan), a
heartbeat carrying only the claim's age; a broken channel layer never fails the scan."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer
from django.db import transaction

from sessions.claims import heartbeat, release
from sessions.errors import NotClaimHolder
from sessions.live import publish
from sessions.scanning.codes import scan
from tests.builders import build_list, claimed

pytestmark = pytest.mark.django_db


@pytest.fixture
def layer(monkeypatch):
    layer = InMemoryChannelLayer()
    monkeypatch.setattr(publish, "get_channel_layer", lambda: layer)
    return layer


def listen(layer, group):
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def received(layer, channel, kind="list.update"):
    """(channel-layer message, the screen message it carries, decoded): the next one of `kind`
    (the floor also gets its station rows and summary, "floor.update")."""
    while True:
        message = async_to_sync(layer.receive)(channel)
        if message["type"] in (kind, "list.heartbeat"):
            return message, json.loads(message["text"])


def test_scan_update_reaches_floor_and_list_groups_after_commit(
    layer, django_capture_on_commit_callbacks
):
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    channels = [listen(layer, g) for g in ("floor", f"list-{claim.list_id}")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = scan(claim.list_id, token=claim.token, code="O-1")
    # Queued, not sent, until the transaction commits: the list's row, then the floor's
    # station rows (built after the commit).
    assert len(callbacks) == 2
    callbacks[0]()
    for channel in channels:
        message, screen = received(layer, channel)
        assert message["type"] == "list.update"
        assert message["list_id"] == claim.list_id
        assert screen["type"] == "update"
        row = screen["row"]
        assert row["in_progress_orders"] == 1 and row["open_order"] is not None
        assert {k: row[k] for k in answer["list"]} == answer["list"]  # the answer's figures
        assert row["errors"] == 0 and row["server_now"]
        assert row["last_scan"]["code"] == "O-1"
        assert row["last_scan"]["outcome"] == "order_loaded"
        assert row["last_scan"]["worker"] == claim.worker.display_name
        assert row["last_scan"]["station"] == claim.station.name


def test_no_publish_to_the_client_group_nobody_joins(layer, django_capture_on_commit_callbacks):
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    sent = []
    original = layer.group_send

    async def spy(group, message):
        sent.append(group)
        await original(group, message)

    layer.group_send = spy
    with django_capture_on_commit_callbacks(execute=True):
        scan(claim.list_id, token=claim.token, code="O-1")
        heartbeat(claim.list_id, token=claim.token)
    assert sent == ["floor", f"list-{claim.list_id}", "floor",  # the row, the station's row
                    "floor", f"list-{claim.list_id}"]  # the heartbeat


def test_heartbeat_publishes_only_the_claims_age(layer, django_capture_on_commit_callbacks):
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    channel = listen(layer, "floor")
    with django_capture_on_commit_callbacks(execute=True):
        heartbeat(claim.list_id, token=claim.token)
    message, screen = received(layer, channel)
    assert message["type"] == "list.heartbeat" and message["list_id"] == claim.list_id
    assert set(screen) == {"type", "list_id", "claim", "server_now"}
    assert screen["type"] == "heartbeat" and screen["list_id"] == claim.list_id
    assert set(screen["claim"]) == {"heartbeat_at", "heartbeat_age_seconds", "stale", "active"}
    assert screen["claim"]["heartbeat_age_seconds"] == 0 and screen["claim"]["active"] is True


def test_heartbeat_publish_reads_nothing(layer, django_capture_on_commit_callbacks,
                                         django_assert_num_queries):
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    with django_capture_on_commit_callbacks(execute=True):
        # Lock the list (with its holder and station), update it (+2 savepoints in the test).
        with django_assert_num_queries(4):
            heartbeat(claim.list_id, token=claim.token)


def test_refused_scan_publishes_nothing(layer, django_capture_on_commit_callbacks):
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(NotClaimHolder):
            scan(claim.list_id, token="00000000-0000-4000-8000-000000000000", code="O-1")
    assert callbacks == []


def test_broken_channel_layer_does_not_fail_the_scan(
    monkeypatch, django_capture_on_commit_callbacks
):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(publish, "get_channel_layer", lambda: Broken())
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    with django_capture_on_commit_callbacks(execute=True):
        answer = scan(claim.list_id, token=claim.token, code="O-1")
    assert answer["outcome"] == "order_loaded"


def test_claim_changes_carry_the_last_scan_and_a_release_the_released_row(
    layer, django_capture_on_commit_callbacks
):
    packing_list = build_list({"O-1": [("SKU-A", 2)]})
    channel = listen(layer, "floor")
    with django_capture_on_commit_callbacks(execute=True):
        claim = claimed(packing_list)
    _message, screen = received(layer, channel)
    assert screen["row"]["claim"]["holder"] == claim.worker.display_name
    assert screen["row"]["last_scan"] is None  # nothing scanned yet
    with django_capture_on_commit_callbacks(execute=True):
        scan(claim.list_id, token=claim.token, code="O-1")
        release(claim.list_id, token=claim.token)
    received(layer, channel)  # the scan's row
    _message, screen = received(layer, channel)
    assert screen["row"] == {"id": claim.list_id, "released": True}
    with django_capture_on_commit_callbacks(execute=True):
        again = claimed(packing_list, worker=claim.worker)
    _message, screen = received(layer, channel)
    assert screen["row"]["claim"]["station"] == again.station.name
    assert screen["row"]["last_scan"]["code"] == "O-1"  # read once, at publish time


def test_the_floor_gets_the_touched_stations_once_per_transaction(
    layer, django_capture_on_commit_callbacks
):
    """A scan and a release in one transaction: the floor gets ONE "floor.update", after the
    commit, with the station the release left (now idle) and the summary (its list waits)."""
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    channel = listen(layer, "floor")
    sent = []
    original = layer.group_send

    async def spy(group, message):
        sent.append(message["type"])
        await original(group, message)

    layer.group_send = spy
    with transaction.atomic(), django_capture_on_commit_callbacks(execute=True):
        scan(claim.list_id, token=claim.token, code="O-1")
        release(claim.list_id, token=claim.token)
    assert sent.count("floor.update") == 1
    _message, first = received(layer, channel, kind="floor.update")
    [station] = first["stations"]
    assert station["id"] == claim.station.pk and station["state"] == "idle"
    assert station["list"] is None
    assert [w["id"] for w in first["summary"]["waiting"]] == [claim.list_id]
