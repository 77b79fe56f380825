"""Where one scan's CPU goes, in-process (no HTTP server, no load generator); not a test.

Builds one station's data in the bench database (bench/load_scans.py's set-up), claims the list
through the API and then scans item units through three paths, timing each:

    service  codes.scan() alone (transaction, queries, answer, on-commit publish)
    api      POST /scan/ through Django's test client (middleware, DRF, auth, JSON)
    publish  the on-commit publish alone (Redis group_send)

    .venv/bin/python bench/profile_scan.py                   # figures per path
    .venv/bin/python bench/profile_scan.py --profile api     # + cProfile of that path (top 30)
"""

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit
import load_scans


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scans", type=int, default=400)
    p.add_argument("--profile", choices=["service", "api", "asgi", "publish"], default=None)
    p.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    p.add_argument("--database-url", default=load_scans.DEFAULT_DB)
    p.add_argument("--redis-url", default=load_scans.DEFAULT_REDIS)
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="settings of this process (repeatable), e.g. CHANNEL_LAYER=pubsub or "
                        "DJANGO_SETTINGS_MODULE=… to measure a lever")
    p.add_argument("--only", default="", help="comma-separated paths to time (default: all)")
    return p.parse_args()


def item_codes(plan):
    """Scan codes for whole orders: the order number, then every unit of its lines."""
    for number, _order_id, lines in plan.orders:
        yield number
        for _item_id, sku, required in lines:
            for _unit in range(required):
                yield sku


def main():
    args = parse_args()
    bench_args = load_scans.parse_args(["--stations", "1", "--orders", "400",
                                        "--database-url", args.database_url,
                                        "--redis-url", args.redis_url,
                                        *[f"--server-env={pair}" for pair in args.server_env]])
    env = load_scans.server_env(bench_args)
    load_scans.ensure_database(args.database_url)
    load_scans.migrate(env)
    plans, _client_id, _floor_cookie = load_scans.build_data(bench_args, env)
    plan = plans[0]

    from django.db import connection
    from django.test import Client

    from sessions.live.publish import send_to_groups
    from sessions.scanning.codes import scan as scan_code

    loop = asyncio.new_event_loop()
    http = Client(HTTP_AUTHORIZATION=f"Token {plan.auth}")
    claim = http.post(f"/api/v1/lists/{plan.list_id}/claim/", {"station": plan.name},
                      content_type="application/json")
    token = claim.json()["token"]
    codes = item_codes(plan)

    def service():
        scan_code(plan.list_id, token=token, code=next(codes), scan_id=uuid.uuid4().hex)

    def api():
        r = http.post(f"/api/v1/lists/{plan.list_id}/scan/",
                      {"code": next(codes), "scan_id": uuid.uuid4().hex},
                      content_type="application/json", HTTP_X_CLAIM_TOKEN=token)
        assert r.status_code == 200, r.content

    from packer.asgi import application

    def asgi():
        """The request through the production ASGI app, as uvicorn hands it over."""
        status = benchkit.asgi_scan(loop, application, plan, token, next(codes))
        assert status == 200, status

    message = {"type": "list.update", "list_id": plan.list_id, "payload": {"x": 1}}

    def publish():
        send_to_groups(["floor", f"list-{plan.list_id}"], message)

    paths = {"service": service, "api": api, "asgi": asgi, "publish": publish}
    for name, fn in paths.items():
        if args.only and name not in args.only.split(","):
            continue
        for _ in range(20):  # warm-up: imports, pool, translations
            fn()
        profiler = cProfile.Profile() if args.profile == name else None
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.scans):
            fn()
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        print(f"{name:<8} {args.scans} calls: {cpu / args.scans * 1000:6.2f} ms CPU, "
              f"{wall / args.scans * 1000:6.2f} ms wall per call")
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
    connection.close()


if __name__ == "__main__":
    main()
