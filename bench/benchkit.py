"""What the benchmark scripts share: a fresh database, a timed and measured call, and a scan
request handed to an ASGI app in-process.

One copy here so every script starts from the same empty database and measures time and memory
the same way, and their figures stay comparable.
"""

import asyncio
import json
import os
import time
import tracemalloc
import uuid


def fresh_database(tmp):
    """Recreate DATABASE_URL's PostgreSQL database, or point SQLite at a new file under tmp."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        os.environ["PACKER_VAR_DIR"] = str(tmp / "var")


def migrated_database(tmp):
    """fresh_database, then Django set up and the database migrated; returns django."""
    fresh_database(tmp)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return django


def timed_with_peak(run):
    """(result, seconds, peak bytes): run timed once, then again under tracemalloc.

    Twice because tracemalloc slows the code it watches: the first run gives honest time, the
    second the peak of Python allocations.
    """
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def asgi_scan(loop, app, plan, token, code):
    """POST one scan to an ASGI app in-process, as uvicorn hands a request over (no socket);
    returns the response's status."""
    body = json.dumps({"code": code, "scan_id": uuid.uuid4().hex}).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": f"/api/v1/lists/{plan.list_id}/scan/", "raw_path": b"",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"authorization", f"Token {plan.auth}".encode()),
                    (b"x-claim-token", token.encode())],
    }
    sent, messages = [], [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # no disconnect: Django cancels this when done

    async def send(message):
        sent.append(message)

    loop.run_until_complete(app(scope, receive, send))
    return sent[0]["status"]
