"""The production ASGI app behind a per-process cap on HTTP requests in flight (bench only).

Django runs each request's sync code in its own thread; with 50 stations per worker that is 50
threads fighting over the GIL and the connection pool. Queueing the surplus in the event loop
(cheap) instead of in threads is what this measures: `load_scans.py --max-inflight 8`.
"""

import asyncio
import os

from packer.asgi import application as packer_application

LIMIT = int(os.environ.get("PACKER_MAX_INFLIGHT", "8"))
_gate = None


async def application(scope, receive, send):
    global _gate
    if scope["type"] != "http":
        return await packer_application(scope, receive, send)
    if _gate is None:
        _gate = asyncio.Semaphore(LIMIT)
    async with _gate:
        return await packer_application(scope, receive, send)
