"""WebSocket routes (consumers live in sessions/live/consumers.py)."""

from django.urls import path

from sessions.live import consumers

websocket_urlpatterns = [
    path("ws/floor/", consumers.FloorConsumer.as_asgi()),
    path("ws/lists/<int:list_id>/", consumers.ListConsumer.as_asgi()),
]
