"""Sockets while the channel layer (Redis) is unreachable: the true state, then 1013.

A socket that opens during an outage is accepted, gets the snapshot read from the database and
is closed with 1013 (try again later), so the page reconnects; before, the failed group_add
made the handshake a 500. A socket whose layer fails mid-way is closed with 1013 too, not
crashed (1011 and an error log).
"""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from redis.exceptions import ConnectionError as RedisConnectionError

from sessions.live import consumers
from sessions.live.routing import websocket_urlpatterns
from tests.builders import build_list, build_user
from tests.test_web_floor import close_thread_connections  # noqa: F401 - fixture

app = URLRouter(websocket_urlpatterns)


class DownLayer(InMemoryChannelLayer):
    """A layer that is unreachable for group changes (what channels-redis raises)."""

    async def group_add(self, group, channel):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    async def group_discard(self, group, channel):
        raise RedisConnectionError("Connection refused.")


class BreakingLayer(InMemoryChannelLayer):
    """Works until `break_now` is set; then receive fails like a killed Redis."""

    break_now = None

    async def receive(self, channel):
        await self.break_now.wait()
        raise RedisConnectionError("Connection closed by server.")


def patch_layer(monkeypatch, layer):
    monkeypatch.setattr(consumers.AuthenticatedConsumer, "channel_layer_alias", "default")
    monkeypatch.setattr("channels.consumer.get_channel_layer", lambda alias: layer)


async def open_socket(path, user):
    communicator = WebsocketCommunicator(app, path)
    communicator.scope["user"] = user
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
@pytest.mark.parametrize("kind", ["list", "floor"])
async def test_a_socket_opened_during_an_outage_gets_the_state_then_1013(monkeypatch, kind):
    patch_layer(monkeypatch, DownLayer())
    packing_list = await database_sync_to_async(build_list)({"A-1": [("SKU-A", 1)]})
    user = await database_sync_to_async(build_user)(role="supervisor")
    path = f"/ws/lists/{packing_list.pk}/" if kind == "list" else "/ws/floor/"
    socket, connected, _code = await open_socket(path, user)
    assert connected
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1013}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
async def test_a_layer_lost_mid_way_closes_the_socket_with_1013(monkeypatch):
    layer = BreakingLayer()
    layer.break_now = asyncio.Event()
    patch_layer(monkeypatch, layer)
    packing_list = await database_sync_to_async(build_list)({"A-1": [("SKU-A", 1)]})
    user = await database_sync_to_async(build_user)(role="packer")
    socket, connected, _code = await open_socket(f"/ws/lists/{packing_list.pk}/", user)
    assert connected
    assert (await socket.receive_json_from(timeout=5))["type"] == "snapshot"
    layer.break_now.set()
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1013}
