"""Live list updates: sent after commit to floor / client / list groups, never on rollback, and a
broken channel layer never fails the scan that caused the update."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer

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


def test_scan_update_reaches_floor_client_and_list_groups_after_commit(
    layer, django_capture_on_commit_callbacks
):
    claim = claimed(build_list({"O-1": [("SKU-A", 2)]}))
    code = claim.packing_list.session.client.code
    channels = [listen(layer, g) for g in ("floor", f"client-{code}", f"list-{claim.list_id}")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scan(claim.list_id, token=claim.token, code="O-1")
    assert len(callbacks) == 1  # queued, not sent, until the transaction commits
    callbacks[0]()
    for channel in channels:
        message = async_to_sync(layer.receive)(channel)
        assert message["type"] == "list.update"
        assert message["list_id"] == claim.list_id
        payload = message["payload"]
        assert payload["in_progress_orders"] == 1 and payload["open_order"] is not None
        assert payload["last_scan"]["code"] == "O-1"
        assert payload["last_scan"]["outcome"] == "order_loaded"
        assert payload["last_scan"]["worker"] == claim.worker.display_name
        assert payload["last_scan"]["station"] == claim.station.name


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


def test_claim_changes_are_published_without_last_scan(layer, django_capture_on_commit_callbacks):
    packing_list = build_list({"O-1": [("SKU-A", 2)]})
    channel = listen(layer, "floor")
    with django_capture_on_commit_callbacks(execute=True):
        claim = claimed(packing_list)
    message = async_to_sync(layer.receive)(channel)
    assert message["payload"]["claim"]["holder"] == claim.worker.display_name
    assert message["payload"]["last_scan"] is None
