"""Floor view: the page (supervisors only), its rows, and the WebSocket consumers
(snapshot on connect = the database's true state; a fresh row after every committed scan)."""

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import connections

from sessions.claims import force_release
from sessions.live.routing import websocket_urlpatterns
from sessions.reads.floor_rows import floor_row, floor_rows
from sessions.scanning.codes import scan
from tests.builders import build_list, build_user, build_worker, claimed

app = URLRouter(websocket_urlpatterns)


@pytest.fixture
async def close_thread_connections():
    """The consumers' database thread keeps its own connection: close it after the test, or
    PostgreSQL refuses to drop the test database while it is still open."""
    yield
    await database_sync_to_async(connections.close_all)()


def held_list():
    packing_list = build_list({"F-1": [("SKU-A", 2)], "F-2": [("SKU-B", 1)]})
    return packing_list, claimed(packing_list)


@pytest.mark.django_db
def test_floor_page_is_for_supervisors(client):
    client.force_login(build_user(role="packer"))
    assert client.get("/floor/").status_code == 403
    client.force_login(build_user(role="supervisor"))
    response = client.get("/floor/")
    assert response.status_code == 200
    # The page asks its socket for a fresh snapshot this often: a message lost in a channel
    # layer blip (the pub/sub layer reconnects under an open socket) is repaired by then, and
    # alerts that only time raises (an order open too long) arrive.
    assert 0 < response.context["config"]["resyncSeconds"] <= 60


@pytest.mark.django_db
def test_floor_rows_show_every_claimed_list_with_last_scan_and_errors():
    packing_list, claim = held_list()
    build_list({"Z-1": [("Q", 1)]})  # free: not on the floor
    for code in ("F-1", "SKU-A", "NOPE", "F-2"):
        scan(packing_list.pk, token=claim.token, code=code)
    [row] = floor_rows()
    assert row["id"] == packing_list.pk
    assert row["claim"]["station"] == claim.station.name
    assert row["claim"]["holder"] == claim.worker.display_name
    assert row["packed_units"] == 1 and row["units"] == 3
    assert row["last_scan"]["code"] == "F-2"
    assert row["last_scan"]["outcome"] == "other_order_label"
    assert row["errors"] == 2  # the unknown item and the other order's label


@pytest.mark.django_db
def test_a_released_list_leaves_the_floor():
    packing_list, _claim = held_list()
    force_release(packing_list.pk, by_user=build_user(is_superuser=True), reason="shift over")
    assert floor_row(packing_list.pk) == {"id": packing_list.pk, "released": True}
    assert floor_rows() == []


async def connect(path, user):
    communicator = WebsocketCommunicator(app, path)
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
async def test_floor_socket_refuses_anonymous_and_packers():
    _communicator, connected, code = await connect("/ws/floor/", AnonymousUser())
    assert not connected and code == 4401
    packer = await database_sync_to_async(build_user)(role="packer")
    _communicator, connected, code = await connect("/ws/floor/", packer)
    assert not connected and code == 4403


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
async def test_floor_socket_sends_true_state_on_connect_and_each_scan():
    packing_list, claim = await database_sync_to_async(held_list)()
    await database_sync_to_async(scan)(packing_list.pk, token=claim.token, code="F-1")
    supervisor = await database_sync_to_async(build_user)(role="supervisor")

    floor, connected, _code = await connect("/ws/floor/", supervisor)
    assert connected
    snapshot = await floor.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    assert snapshot["rows"][0]["last_scan"]["code"] == "F-1"

    await database_sync_to_async(scan)(packing_list.pk, token=claim.token, code="SKU-A")
    update = await floor.receive_json_from(timeout=5)
    assert update["type"] == "update"
    assert update["row"]["id"] == packing_list.pk
    assert update["row"]["last_scan"]["outcome"] == "item_ok"
    assert update["row"]["packed_units"] == 1
    await floor.disconnect()

    # A reconnecting screen gets the state it missed while away.
    await database_sync_to_async(scan)(packing_list.pk, token=claim.token, code="SKU-A")
    again, _connected, _code = await connect("/ws/floor/", supervisor)
    snapshot = await again.receive_json_from(timeout=5)
    assert snapshot["rows"][0]["packed_units"] == 2
    await again.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
async def test_list_socket_follows_one_list():
    packing_list, claim = await database_sync_to_async(held_list)()
    worker = await database_sync_to_async(build_worker)(role="packer")
    sock, connected, _code = await connect(f"/ws/lists/{packing_list.pk}/", worker.user)
    assert connected
    assert (await sock.receive_json_from(timeout=5))["row"]["id"] == packing_list.pk
    await database_sync_to_async(scan)(packing_list.pk, token=claim.token, code="F-1")
    update = await sock.receive_json_from(timeout=5)
    assert update["row"]["open_order"] is not None
    await sock.send_json_to({"type": "refresh"})
    assert (await sock.receive_json_from(timeout=5))["type"] == "snapshot"
    await sock.disconnect()
    _sock, connected, code = await connect("/ws/lists/999999/", worker.user)
    assert not connected and code == 4403


@pytest.mark.django_db
def test_floor_rows_cost_a_fixed_number_of_queries(django_assert_max_num_queries):
    for _ in range(5):
        packing_list, claim = held_list()
        scan(packing_list.pk, token=claim.token, code="F-1")
    with django_assert_max_num_queries(3):  # the lists with their counters, the last scans
        rows = floor_rows()
    assert len(rows) == 5 and all(row["last_scan"]["code"] == "F-1" for row in rows)
