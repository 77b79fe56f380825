"""WebSocket consumers: the supervisor's floor view and one packing list's live state.

sessions.live.publish sends {"type": "list.update" | "list.heartbeat", "list_id", "text"} to
the groups "floor" and "list-<id>" after a change commits; `text` is the screen message, built
and encoded once at publish time. A consumer forwards it as it is: no database read per socket
or per message. Only a (re)connect, or a client's {"type": "refresh"}, reads the database, so a
screen that lost messages while disconnected is right again at once.

Who may connect is decided by profiles.roles, as for the REST API: the floor is for supervisors;
a list socket for any account with a floor role (sessions.api.permissions.HasRole). Refusals
close the socket before it opens: 4401 when not signed in, 4403 for the wrong role (or a list
that does not exist).

The channel layer (Redis) carries only these updates. While it is unreachable a socket still
opens and gets the true state, then is closed with 1013 (try again later) so the page reconnects
and re-reads until live updates work again; a socket whose layer fails mid-way is closed the
same way. Neither is answered with a 500 nor logged as a crash.
"""

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError

from profiles.roles import has_floor_role, is_supervisor
from sessions.live.publish import FLOOR_GROUP, list_group
from sessions.models import PackingList
from sessions.reads.floor_rows import floor_row
from sessions.reads.floor_view import floor_state

logger = logging.getLogger(__name__)
# What an unreachable channel layer raises (redis-py's errors are not OSErrors).
LAYER_ERRORS = (OSError, RedisError)
TRY_AGAIN_LATER = 1013


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    """Refuses anonymous sockets (code 4401), accounts without a floor role and sockets of the
    wrong role (4403): the same rule as every page and the API (profiles.roles)."""

    groups_to_join = ()

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS as exc:
            logger.warning("live updates: channel layer lost (%s); socket closed, 1013",
                           type(exc).__name__)
            try:
                await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
            except Exception:  # the socket may be gone already
                pass

    async def connect(self):
        user = self.scope.get("user")
        if not user or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not await database_sync_to_async(has_floor_role)(user) \
                or not await self.allowed(user):
            await self.close(code=4403)
            return
        try:
            for group in self.group_names():
                await self.channel_layer.group_add(group, self.channel_name)
        except LAYER_ERRORS as exc:
            logger.warning("live updates unavailable (%s): snapshot, then 1013",
                           type(exc).__name__)
            await self.accept()
            await self.send_json(await self.snapshot())
            await self.close(code=TRY_AGAIN_LATER)
            return
        await self.accept()
        await self.send_json(await self.snapshot())

    async def disconnect(self, code):
        try:
            for group in self.group_names():
                await self.channel_layer.group_discard(group, self.channel_name)
        except LAYER_ERRORS:
            pass  # the layer forgot the groups anyway (Redis keeps them in memory only)

    async def receive_json(self, content, **kwargs):
        """A client may ask for a fresh snapshot at any time ({"type": "refresh"})."""
        if isinstance(content, dict) and content.get("type") == "refresh":
            await self.send_json(await self.snapshot())

    async def allowed(self, user):
        return True

    def group_names(self):
        return list(self.groups_to_join)

    async def snapshot(self):
        raise NotImplementedError

    async def forward(self, event):
        """Send the message built at publish time, as it is."""
        await self.send(text_data=event["text"])

    list_update = forward  # {"type": "update", "row": the list's floor row}
    list_heartbeat = forward  # {"type": "heartbeat", "list_id", "claim": {...}, "server_now"}
    floor_update = forward  # {"type": "floor", "stations": [...], "summary"?: {...}}
    list_print = forward  # {"type": "print", "ok", "what", "message", "order"} (labels.autoprint)


class FloorConsumer(AuthenticatedConsumer):
    """The floor for supervisors: every station, claimed list, waiting list, the day's figures,
    couriers' cut-off pace and alerts (sessions.reads.floor_view)."""

    groups_to_join = (FLOOR_GROUP,)

    @database_sync_to_async
    def allowed(self, user):
        return is_supervisor(user)

    async def snapshot(self):
        return {"type": "snapshot", **await database_sync_to_async(floor_state)()}


class ListConsumer(AuthenticatedConsumer):
    """One list (a station or a details page): its row on connect and after each change."""

    async def connect(self):
        self.list_id = int(self.scope["url_route"]["kwargs"]["list_id"])
        await super().connect()

    def group_names(self):
        return [list_group(self.list_id)]

    @database_sync_to_async
    def allowed(self, user):
        return has_floor_role(user) and PackingList.objects.filter(pk=self.list_id).exists()

    async def snapshot(self):
        return {"type": "snapshot", "row": await database_sync_to_async(floor_row)(self.list_id)}
