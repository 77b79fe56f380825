"""CPU of one scan request through Django's ASGI handler, per middleware chain; not a test.

Issue 9 asked whether an all-async-capable middleware chain (servestatic instead of WhiteNoise)
stops Django hopping threads per middleware. Measured here in ONE process, with the chains
interleaved request by request (A, B, C, A, B, C, …), so that whatever else the machine does
weighs on every chain alike (a shared machine made separate runs useless: ±25 %).

    current     the settings' chain (WhiteNoise, sync-only, second)
    servestatic servestatic's async middleware instead (every middleware async-capable)
    sync        the same chain run synchronously: a sync-only no-op middleware innermost makes
                Django adapt once instead of once per MiddlewareMixin hook
    sync handler  packer.handler.SyncChainASGIHandler: the chain and the view in the request's
                thread, entered once, as under WSGI

    .venv/bin/python bench/middleware_levers.py [--requests 600] [--database-url …]

Prints CPU ms per request (process time, median of per-round means, and the mean) and the
thread hops per request (asgiref sync_to_async / async_to_sync calls).
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit
import load_scans


class SyncChain:
    """Sync-only and innermost: every dual-capable middleware outside it then runs sync."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=600, help="requests per chain")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--database-url", default=load_scans.DEFAULT_DB)
    p.add_argument("--redis-url", default=load_scans.DEFAULT_REDIS)
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    return p.parse_args()


def chains(middleware):
    found = {"current": middleware,
             "sync": [*middleware, "middleware_levers.SyncChain"]}
    try:
        import servestatic  # noqa: F401
    except ImportError:
        print("servestatic is not installed: that chain is skipped")
    else:
        found["servestatic"] = [m.replace("whitenoise.middleware.WhiteNoiseMiddleware",
                                          "servestatic.middleware.ServeStaticMiddleware")
                                for m in middleware]
    return found


def main():
    args = parse_args()
    bench_args = load_scans.parse_args(["--stations", "1", "--orders", "2000", "--lines", "1",
                                        "--database-url", args.database_url,
                                        "--redis-url", args.redis_url,
                                        *[f"--server-env={pair}" for pair in args.server_env]])
    env = load_scans.server_env(bench_args)
    load_scans.ensure_database(args.database_url)
    load_scans.migrate(env)
    plans, _client_id, _cookie = load_scans.build_data(bench_args, env)
    plan = plans[0]

    import asgiref.sync
    from django.conf import settings
    from django.core.handlers.asgi import ASGIHandler
    from django.test import Client, override_settings

    claim = Client(HTTP_AUTHORIZATION=f"Token {plan.auth}").post(
        f"/api/v1/lists/{plan.list_id}/claim/", {"station": plan.name},
        content_type="application/json")
    token = claim.json()["token"]
    codes = iter(c for number, _id, lines in plan.orders
                 for c in [number] + [sku for _i, sku, required in lines for _u in range(required)])
    from packer.handler import SyncChainASGIHandler

    handlers = {}
    for name, middleware in chains(list(settings.MIDDLEWARE)).items():
        with override_settings(MIDDLEWARE=middleware):
            handlers[name] = ASGIHandler()
    handlers["sync handler"] = SyncChainASGIHandler()
    hops = {"n": 0}
    for cls in (asgiref.sync.SyncToAsync, asgiref.sync.AsyncToSync):
        original = cls.__call__

        def counted(self, *a, _original=original, **kw):
            hops["n"] += 1
            return _original(self, *a, **kw)

        cls.__call__ = counted
    loop = asyncio.new_event_loop()

    def request(app):
        assert benchkit.asgi_scan(loop, app, plan, token, next(codes)) == 200

    for app in handlers.values():  # warm-up: imports, pools, translations
        for _ in range(20):
            request(app)
    per_round = max(1, args.requests // args.rounds)
    cpu = {name: [] for name in handlers}
    hop_counts = dict.fromkeys(handlers, 0)
    for _round in range(args.rounds):
        spent = dict.fromkeys(handlers, 0.0)
        for _ in range(per_round):
            for name, app in handlers.items():
                hops["n"] = 0
                t0 = time.process_time()
                request(app)
                spent[name] += time.process_time() - t0
                hop_counts[name] += hops["n"]
        for name in handlers:
            cpu[name].append(spent[name] / per_round * 1000)
    total = per_round * args.rounds
    print(f"{total} scan requests per chain, interleaved; load average {time.strftime('%H:%M')}"
          f" {Path('/proc/loadavg').read_text().split()[0]}")
    for name in handlers:
        print(f"{name:<12} CPU ms per request: median {statistics.median(cpu[name]):.2f}, "
              f"mean {statistics.mean(cpu[name]):.2f}; thread hops per request "
              f"{hop_counts[name] / total:.1f}")


if __name__ == "__main__":
    main()
