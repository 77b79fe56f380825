"""Django's ASGI handler, with the middleware chain and the views run as under WSGI.

Under ASGI, Django adapts every middleware to an async chain: for our sync views (DRF, pages)
each MiddlewareMixin hook then costs a hop from the event loop to the request's thread and back
(21 hops per scan request, bench/middleware_levers.py). Every view of this project is sync, so
this handler enters the request's thread once and runs the chain and the view there, exactly
as a WSGI server would; the event loop keeps the sockets (Channels) and the HTTP I/O.
Requests stay concurrent: each one has its own thread (Django's ThreadSensitiveContext).
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
