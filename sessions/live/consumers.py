"""WebSocket consumers: the supervisor's floor view and one packing list's live state.

sessions.live.publish publishes {"type": "list.update", "list_id", "payload"} to the groups "floor",
"client-<code>" and "list-<id>" after a scan commits. A consumer answers every (re)connect with
the true state read from the database, and on each update re-reads that one list, so a screen
that lost messages while disconnected is right again at once.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from profiles.roles import has_floor_role, is_supervisor
from sessions.models import PackingList
from sessions.reads.floor_rows import floor_row, floor_rows


class AuthenticatedConsumer(AsyncJsonWebsocketConsumer):
    """Refuses anonymous sockets (code 4401), accounts without a floor role and sockets of the
    wrong role (4403): the same rule as every page and the API (profiles.roles)."""

    groups_to_join = ()

    async def connect(self):
        user = self.scope.get("user")
        if not user or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not await database_sync_to_async(has_floor_role)(user) \
                or not await self.allowed(user):
            await self.close(code=4403)
            return
        for group in self.group_names():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json(await self.snapshot())

    async def disconnect(self, code):
        for group in self.group_names():
            await self.channel_layer.group_discard(group, self.channel_name)

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


class FloorConsumer(AuthenticatedConsumer):
    """Every claimed list, for supervisors; answers each update with the list's fresh row."""

    groups_to_join = ("floor",)

    @database_sync_to_async
    def allowed(self, user):
        return is_supervisor(user)

    async def snapshot(self):
        return {"type": "snapshot", "rows": await database_sync_to_async(floor_rows)()}

    async def list_update(self, event):
        row = await database_sync_to_async(floor_row)(event["list_id"])
        await self.send_json({"type": "update", "row": row})


class ListConsumer(AuthenticatedConsumer):
    """One list (a station or a details page): its payload on connect and after each change."""

    async def connect(self):
        self.list_id = int(self.scope["url_route"]["kwargs"]["list_id"])
        await super().connect()

    def group_names(self):
        return [f"list-{self.list_id}"]

    @database_sync_to_async
    def allowed(self, user):
        return PackingList.objects.filter(pk=self.list_id).exists()

    async def snapshot(self):
        return {"type": "snapshot", "row": await database_sync_to_async(floor_row)(self.list_id)}

    async def list_update(self, event):
        row = await database_sync_to_async(floor_row)(event["list_id"])
        await self.send_json({"type": "update", "row": row,
                              "last_scan": (event.get("payload") or {}).get("last_scan")})
