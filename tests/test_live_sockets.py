"""Live sockets forward, they do not re-read (issue 9, part 5).

- every update and heartbeat a socket gets is the message built once at publish time: zero
  database queries per update per socket, whatever the number of sockets;
- a heartbeat carries only the claim's age;
- the floor and list sockets show the same figures as the REST API;
- the list socket admits exactly the accounts the API admits (profiles.roles.has_floor_role);
- a (re)connect still gets a fresh snapshot from the database.
"""

import threading

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.db.backends import utils as db_utils

from sessions.claims import heartbeat
from sessions.live import publish
from sessions.live.routing import websocket_urlpatterns
from sessions.scanning.codes import scan
from tests.api_helpers import token_client
from tests.builders import build_list, build_user, claimed

app = URLRouter(websocket_urlpatterns)
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_connections")]


@pytest.fixture
async def close_connections():
    """The consumers' database thread keeps its own connection: close it after the test."""
    yield
    await database_sync_to_async(connections.close_all)()


class QueryCounter:
    """Counts SQL statements run by any thread (consumers run theirs in a worker thread)."""

    def __init__(self, monkeypatch):
        self.count = 0
        self.active = False
        self._lock = threading.Lock()
        original = db_utils.CursorWrapper._execute_with_wrappers
        counter = self

        def counted(cursor, sql, *args, **kwargs):
            if counter.active:
                with counter._lock:
                    counter.count += 1
            return original(cursor, sql, *args, **kwargs)

        monkeypatch.setattr(db_utils.CursorWrapper, "_execute_with_wrappers", counted)


async def connect(path, user):
    communicator = WebsocketCommunicator(app, path)
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


def held_list():
    packing_list = build_list({"F-1": [("SKU-A", 2)], "F-2": [("SKU-B", 1)]})
    return claimed(packing_list)


@pytest.fixture
def captured(monkeypatch):
    """Publishes queued by the services, kept instead of sent, so the test sends them while
    it counts queries (a scan's own queries are not the sockets')."""
    queued = []
    monkeypatch.setattr(publish, "_queue", lambda list_id, kind, body, groups: queued.append(
        (groups, {"type": kind, "list_id": list_id, "text": publish.json.dumps(body)})))
    # The floor's station rows and summary: built once per change, after it commits.
    monkeypatch.setattr(publish, "_send_floor", lambda message: queued.append(
        ((publish.FLOOR_GROUP,), message)))
    return queued


async def receive_skipping(sock, count, skip=("floor",)):
    """The next `count` messages of a socket that are not of the `skip` types."""
    got = []
    while len(got) < count:
        message = await sock.receive_json_from(timeout=5)
        if message["type"] not in skip:
            got.append(message)
    return got


async def test_sockets_forward_each_update_with_zero_queries(monkeypatch, captured):
    claim = await database_sync_to_async(held_list)()
    supervisor = await database_sync_to_async(build_user)(role="supervisor")
    packer = await database_sync_to_async(build_user)(role="packer")
    floors = [(await connect("/ws/floor/", supervisor))[0] for _ in range(3)]
    station, connected, _code = await connect(f"/ws/lists/{claim.list_id}/", packer)
    assert connected
    sockets = [*floors, station]
    for sock in sockets:
        assert (await sock.receive_json_from(timeout=5))["type"] == "snapshot"

    captured.clear()  # the claim's publish
    for code in ("F-1", "SKU-A", "NOPE", "SKU-A"):
        await database_sync_to_async(scan)(claim.list_id, token=claim.token, code=code)
    await database_sync_to_async(heartbeat)(claim.list_id, token=claim.token)
    list_messages = [m for _g, m in captured if m["type"] != "floor.update"]
    floor_messages = [m for _g, m in captured if m["type"] == "floor.update"]
    assert len(list_messages) == 5
    assert len(floor_messages) == 4  # the station's row after each scan, built once each

    queries = QueryCounter(monkeypatch)
    queries.active = True
    layer = get_channel_layer()
    for groups, message in captured:
        await publish._send_all(layer, groups, message)
    received = {id(sock): [await sock.receive_json_from(timeout=5)
                           for _ in (captured if sock in floors else list_messages)]
                for sock in sockets}
    queries.active = False

    assert queries.count == 0  # 9 messages to 3 floors, 5 to a station: not one query
    for sock in sockets:
        messages = received[id(sock)]
        updates = [m for m in messages if m["type"] != "floor"]
        assert [m["type"] for m in updates] == ["update"] * 4 + ["heartbeat"]
        last = updates[3]["row"]
        assert last["packed_units"] == 2 and last["errors"] == 1
        assert last["last_scan"]["code"] == "SKU-A"
        if sock in floors:
            [station] = [m for m in messages if m["type"] == "floor"][-1]["stations"]
            assert station["wrong_window"] == 1 and station["scans_window"] == 4
    for sock in sockets:
        await sock.disconnect()


async def test_heartbeat_message_carries_only_the_claims_age():
    claim = await database_sync_to_async(held_list)()
    supervisor = await database_sync_to_async(build_user)(role="supervisor")
    floor, _connected, _code = await connect("/ws/floor/", supervisor)
    await floor.receive_json_from(timeout=5)
    await database_sync_to_async(heartbeat)(claim.list_id, token=claim.token)
    message = await floor.receive_json_from(timeout=5)
    assert message["type"] == "heartbeat"
    assert message["list_id"] == claim.list_id
    assert set(message) == {"type", "list_id", "claim", "server_now"}
    assert set(message["claim"]) == {"heartbeat_at", "heartbeat_age_seconds", "stale", "active"}
    assert message["claim"]["stale"] is False and message["claim"]["heartbeat_age_seconds"] == 0
    await floor.disconnect()


FIGURES = ("orders", "required_units", "units", "packed_units", "completed_orders",
           "skipped_orders", "in_progress_orders", "new_orders", "open_order", "all_done")


async def test_floor_and_list_sockets_show_the_api_figures():
    claim = await database_sync_to_async(held_list)()
    supervisor = await database_sync_to_async(build_user)(role="supervisor")
    packer = await database_sync_to_async(build_user)(role="packer")
    floor, _c, _code = await connect("/ws/floor/", supervisor)
    station, _c, _code = await connect(f"/ws/lists/{claim.list_id}/", packer)
    await floor.receive_json_from(timeout=5)
    await station.receive_json_from(timeout=5)

    for code in ("F-1", "SKU-A", "SKU-A", "F-2", "SKU-B"):
        await database_sync_to_async(scan)(claim.list_id, token=claim.token, code=code)
    updates = [await receive_skipping(sock, 5) for sock in (floor, station)]

    def api_list():
        return token_client(packer).get(f"/api/v1/lists/{claim.list_id}/").json()

    api = await database_sync_to_async(api_list)()
    assert api["completed_orders"] == 2 and api["packed_units"] == 3 and api["all_done"]
    for messages in updates:
        row = messages[-1]["row"]
        assert {k: row[k] for k in FIGURES} == {k: api[k] for k in FIGURES}
        assert row["claim"]["station"] == api["claim"]["station"]

    # A reconnecting screen reads the database afresh: the same figures again.
    await floor.disconnect()
    again, _c, _code = await connect("/ws/floor/", supervisor)
    snapshot = await again.receive_json_from(timeout=5)
    [row] = snapshot["rows"]
    assert {k: row[k] for k in FIGURES} == {k: api[k] for k in FIGURES}
    await again.disconnect()
    await station.send_json_to({"type": "refresh"})
    refreshed = await station.receive_json_from(timeout=5)
    assert refreshed["type"] == "snapshot"
    assert {k: refreshed["row"][k] for k in FIGURES} == {k: api[k] for k in FIGURES}
    await station.disconnect()


async def test_list_socket_admits_whom_the_api_admits():
    claim = await database_sync_to_async(held_list)()
    no_role = await database_sync_to_async(build_user)()  # a bare account, e.g. for the admin

    def api_status(user):
        return token_client(user).get(f"/api/v1/lists/{claim.list_id}/").status_code

    assert await database_sync_to_async(api_status)(no_role) == 403
    _sock, connected, code = await connect(f"/ws/lists/{claim.list_id}/", no_role)
    assert not connected and code == 4403
    for role in ("packer", "supervisor", "admin"):
        user = await database_sync_to_async(build_user)(role=role)
        assert await database_sync_to_async(api_status)(user) == 200
        sock, connected, _code = await connect(f"/ws/lists/{claim.list_id}/", user)
        assert connected, role
        await sock.disconnect()
