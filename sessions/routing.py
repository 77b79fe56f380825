"""WebSocket routes (consumers live in sessions/consumers.py)."""

websocket_urlpatterns = []
