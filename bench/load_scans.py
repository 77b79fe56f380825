"""Load benchmark of the scan path (issue 4, "Benchmark"); not a test.

N simulated stations (default 100) each claim a packing list through the REST API and scan
through its orders as fast as the server answers, with realistic mistakes (unknown codes,
another order's label, retried scan ids, undo + rescan). The server is uvicorn with several
workers on PostgreSQL + Redis, exactly as in production. In the same run, the same database
work (the SQL of one item scan: token with role, list lock, scan-id check, order lock, lines,
extras, mapping, updates, counters, log insert) is done with raw psycopg by the same number of
concurrent clients, as the reference the API is compared with.

    .venv/bin/python bench/load_scans.py                  # 100 stations, 2 workers, 20 s
    .venv/bin/python bench/load_scans.py --stations 50 --workers 3 --duration 30

It creates and fills its own database (default packer_bench; its packing data is wiped at
each run), starts and stops its own uvicorn, bounds its run time, and prints a figures table.
See bench/README.md for what was measured on the 2-core machine and what limits it.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from psycopg_pool import AsyncConnectionPool

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/packer_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/4"
PASSWORD = "bench-not-a-secret"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stations", type=int, default=100, help="simulated stations (default 100)")
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    p.add_argument("--duration", type=float, default=20, help="measured seconds per phase")
    p.add_argument("--warmup", type=float, default=3, help="seconds not measured at the start")
    p.add_argument("--orders", type=int, default=120, help="orders per list")
    p.add_argument("--lines", type=int, default=3, help="lines per order (2 units each)")
    p.add_argument("--pool-max", type=int, default=10,
                   help="PostgreSQL connections per uvicorn worker (also the raw pool per worker)")
    p.add_argument("--mistakes", type=float, default=0.08,
                   help="share of scans that are mistakes/retries (default 0.08)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    p.add_argument("--max-inflight", type=int, default=0,
                   help="cap HTTP requests in flight per worker (bench/bounded_asgi.py); 0 = off")
    p.add_argument("--loop", default="uvloop", help="uvicorn --loop (auto, asyncio, uvloop)")
    p.add_argument("--http", default="httptools", help="uvicorn --http (auto, h11, httptools)")
    p.add_argument("--interval", type=float, default=0,
                   help="seconds between one station's scans (0 = closed loop, as fast as "
                        "answers come; a real packer scans about every 1-2 s)")
    p.add_argument("--skip-raw", action="store_true", help="only the API phase")
    p.add_argument("--skip-api", action="store_true", help="only the raw psycopg phase")
    return p.parse_args(argv)


# ------------------------------------------------------------------ database and data

def ensure_database(url):
    """CREATE DATABASE if it does not exist (connecting to the server's `postgres` DB)."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.pop("dbname")
    with psycopg.connect(psycopg.conninfo.make_conninfo(**info, dbname="postgres"),
                         autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def server_env(args):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
        "REDIS_PREFIX": "packer-bench", "DEBUG": "0", "LOG_LEVEL": "ERROR",
        "SECRET_KEY": "bench-" + "x" * 50, "DATABASE_POOL_MAX": str(args.pool_max),
        "DATABASE_POOL_MIN": "2", "AXES_ENABLED": "0", "DJANGO_SETTINGS_MODULE": "packer.settings",
    })
    return env


def migrate(env):
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True)


@dataclass
class StationPlan:
    name: str
    auth: str  # API token key
    list_id: int  # scanned through the API
    raw_list_id: int  # scanned with raw psycopg
    orders: list = field(default_factory=list)  # [(number, order_id, [(item_id, sku, required)])]
    raw_orders: list = field(default_factory=list)


def build_data(args, env):
    """Wipe the bench database's packing data and create stations, packers and lists."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from profiles.models import Client, Station, Worker
    from profiles.roles import PACKER, assign_role
    from sessions.models import Order, OrderItem, PackingList, PackingSession

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE packing_sessions_scanevent, packing_sessions_claimevent, "
            "packing_sessions_orderextra, packing_sessions_orderitem, packing_sessions_order, "
            "packing_sessions_packinglist, packing_sessions_packingsession CASCADE")
    client, _ = Client.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark"})
    plans = []
    with transaction.atomic():
        session = PackingSession.objects.create(client=client, external_id="bench",
                                                source=PackingSession.Source.API)
        lists = PackingList.objects.bulk_create([
            PackingList(session=session, name=f"{kind}_{i:03d}", position=i)
            for kind in ("api", "raw") for i in range(args.stations)
        ])
        orders = Order.objects.bulk_create([
            Order(packing_list=pl, number=f"{pl.name.upper()}-{n:04d}",
                  normalized_number=f"{pl.name.upper()}-{n:04d}", sequence=n, courier="DHL")
            for pl in lists for n in range(1, args.orders + 1)
        ])
        items = OrderItem.objects.bulk_create([
            OrderItem(order=order, line_number=ln, sku=f"SKU-{ln}-{order.sequence % 17}",
                      normalized_sku=f"sku{ln}{order.sequence % 17}", required=2)
            for order in orders for ln in range(1, args.lines + 1)
        ])
        by_order = {}
        for item in items:
            by_order.setdefault(item.order_id, []).append((item.pk, item.sku, item.required))
        by_list = {}
        for order in orders:
            by_list.setdefault(order.packing_list_id, []).append(
                (order.number, order.pk, by_order[order.pk]))
        for i in range(args.stations):
            name = f"BENCH-PC-{i:03d}"
            Station.objects.get_or_create(name=name)
            user, created = User.objects.get_or_create(username=f"bench-packer-{i:03d}")
            if created:
                user.set_unusable_password()
                user.save()
                assign_role(user, PACKER)
            Worker.objects.get_or_create(user=user, defaults={"display_name": f"Packer {i}"})
            token, _ = Token.objects.get_or_create(user=user)
            api_list, raw_list = lists[i], lists[args.stations + i]
            plans.append(StationPlan(name, token.key, api_list.pk, raw_list.pk,
                                     by_list[api_list.pk], by_list[raw_list.pk]))
    connection.close()
    return plans, client.pk


# ------------------------------------------------------------------ measurements

@dataclass
class Stats:
    latencies: list = field(default_factory=list)  # seconds, measured window only
    errors: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    measuring: bool = False
    server_pgid: int | None = None
    cpu: dict = field(default_factory=dict)  # cores used per kind of process while measuring
    load: tuple = ()  # 1-minute load average at the start and end of the window
    seconds: float = 0.0  # length of the measured window

    def record(self, seconds, outcome):
        if not self.measuring:
            return
        self.latencies.append(seconds)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def error(self, kind):
        if self.measuring:
            self.errors[kind] = self.errors.get(kind, 0) + 1


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def summary_row(name, stats, seconds):
    values = sorted(stats.latencies)
    return {
        "phase": name, "requests": len(values), "per_s": len(values) / seconds,
        "p50": percentile(values, 0.50) * 1000, "p95": percentile(values, 0.95) * 1000,
        "p99": percentile(values, 0.99) * 1000, "max": (values[-1] * 1000) if values else 0,
        "errors": sum(stats.errors.values()),
    }


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_process_kind(server_pgid=None):
    """CPU seconds used so far by kind of process: this load generator, the uvicorn process
    group, PostgreSQL, Redis, and everything else the machine did (other users of the same
    cores, the kernel), taken from /proc/stat so that processes that exit still count."""
    totals = {"load generator": 0.0, "uvicorn": 0.0, "postgres": 0.0, "redis": 0.0, "other": 0.0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
        if int(entry.name) == os.getpid():
            kind = "load generator"
        elif server_pgid is not None and int(fields[2]) == server_pgid:
            kind = "uvicorn"
        elif comm.startswith("postgres"):
            kind = "postgres"
        elif comm.startswith("redis"):
            kind = "redis"
        else:
            continue  # counted below, from the machine's total (processes may exit meanwhile)
        totals[kind] += seconds
    with open("/proc/stat") as f:
        busy = f.readline().split()[1:]  # user nice system idle iowait irq softirq steal ...
    machine = sum(int(busy[i]) for i in (0, 1, 2, 5, 6, 7)) / CLOCK_TICKS
    totals["other"] = machine - sum(totals.values())
    return totals


def cpu_share(before, after, seconds):
    """Cores used by each kind of process over the window (2.0 = both cores)."""
    return {kind: (after[kind] - before[kind]) / seconds for kind in before}


async def run_window(stations, args, stats):
    """Run the station coroutines; measure between warm-up and warm-up + duration."""
    deadline = time.monotonic() + args.warmup + args.duration
    tasks = [asyncio.create_task(coro(deadline)) for coro in stations]
    await asyncio.sleep(args.warmup)
    stats.measuring = True
    cpu_before = cpu_by_process_kind(stats.server_pgid)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    await asyncio.sleep(max(0.0, deadline - time.monotonic()))
    stats.measuring = False
    measured = time.monotonic() - started
    stats.cpu = cpu_share(cpu_before, cpu_by_process_kind(stats.server_pgid), measured)
    stats.seconds = measured
    stats.load = (load_before, os.getloadavg()[0])
    await asyncio.gather(*tasks, return_exceptions=True)
    return measured


# ------------------------------------------------------------------ API phase

def scan_script(plan, rng, mistakes):
    """The codes a careful-but-human packer scans: (kind, code) pairs, mistakes included."""
    numbers = [number for number, _id, _lines in plan.orders]
    for index, (number, _order_id, lines) in enumerate(plan.orders):
        yield "scan", number
        for item_id, sku, required in lines:
            for _unit in range(required):
                roll = rng.random()
                if roll < mistakes * 0.4:
                    yield "scan", f"NOPE-{rng.randrange(10**6)}"  # unknown item
                elif roll < mistakes * 0.6:
                    yield "scan", numbers[(index + 1) % len(numbers)]  # another order's label
                elif roll < mistakes * 0.8:
                    yield "retry", sku  # network retry with the same scan id
                elif roll < mistakes and _unit == 0 and required > 1:
                    yield "scan", sku  # a unit scanned but not put in the box: undone by hand
                    yield "undo", item_id
                yield "scan", sku


class StationConnection:
    """One keep-alive HTTP/1.1 connection, as a station terminal holds one: hand-built
    requests over asyncio streams, because the load generator shares the server's two cores
    and httpx cost about 3.5 ms of CPU per request (as much as a quarter of the server's)."""

    def __init__(self, port, headers):
        self.port = port
        self.headers = dict(headers)
        self.reader = self.writer = None

    async def post(self, path, body):
        """(status, parsed JSON body); reconnects once if the server closed the connection."""
        payload = json.dumps(body).encode()
        head = "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
        request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
                   f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
                   ).encode() + payload
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(request)
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise

    async def _response(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _sep, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:  # chunked
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, (json.loads(body) if body else None)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def api_station(args, plan, stats, seed):
    http = StationConnection(args.port, {"Authorization": f"Token {plan.auth}"})
    status, answer = await http.post(f"/api/v1/lists/{plan.list_id}/claim/",
                                     {"station": plan.name})
    if status != 200:
        raise SystemExit(f"claim of list {plan.list_id} refused: {status} {answer}")
    http.headers["X-Claim-Token"] = answer["token"]
    rng = random.Random(seed)
    last_scan = None

    async def send(path, body, kind):
        t0 = time.perf_counter()
        try:
            status, answer = await http.post(f"/api/v1/lists/{plan.list_id}/{path}", body)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            stats.error(type(exc).__name__)
            return None
        elapsed = time.perf_counter() - t0
        if status != 200:
            stats.error(f"HTTP {status}")
            return None
        stats.record(elapsed, kind if answer.get("duplicate") else answer["outcome"])
        return answer

    async def loop(deadline):
        nonlocal last_scan
        # Paced stations (--interval) start spread over one interval, as real packers do.
        next_at = time.monotonic() + rng.random() * args.interval
        for kind, value in scan_script(plan, rng, args.mistakes):
            if args.interval:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                next_at += args.interval
            if time.monotonic() >= deadline:
                break
            if kind == "undo":
                await send("action/", {"action": "undo", "item": value,
                                       "scan_id": uuid.uuid4().hex}, "undo")
                continue
            if kind == "retry" and last_scan:
                await send("scan/", last_scan, "duplicate")
                continue
            last_scan = {"code": value, "scan_id": uuid.uuid4().hex}
            await send("scan/", last_scan, "scan")
        http.close()

    return loop


async def api_phase(args, plans, server_pgid=None):
    stats = Stats(server_pgid=server_pgid)
    loops = await asyncio.gather(*[api_station(args, plan, stats, seed)
                                   for seed, plan in enumerate(plans)])
    seconds = await run_window(loops, args, stats)
    return stats, seconds


def start_server(args, env):
    app = "bench.bounded_asgi:application" if args.max_inflight else "packer.asgi:application"
    env = dict(env, PACKER_MAX_INFLIGHT=str(args.max_inflight))
    cmd = [PYTHON, "-m", "uvicorn", app, "--workers", str(args.workers),
           "--lifespan", "off", "--loop", args.loop, "--http", args.http,
           "--port", str(args.port), "--log-level", "warning", "--no-access-log"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _attempt in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{args.port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit("uvicorn exited during start-up")
        time.sleep(0.1)
    stop_server(server)
    raise SystemExit("uvicorn did not answer /healthz within 30 s")


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# ------------------------------------------------------------------ raw psycopg phase

RAW_SQL = {
    "token": "SELECT t.key, u.id, u.is_active, u.is_superuser, EXISTS (SELECT 1 FROM auth_group g "
             "JOIN auth_user_groups ug ON ug.group_id = g.id WHERE ug.user_id = u.id AND "
             "g.name IN ('packer', 'supervisor', 'admin')) FROM authtoken_token t "
             "JOIN auth_user u ON u.id = t.user_id WHERE t.key = %s",
    "lock_list": "SELECT pl.*, s.*, c.*, w.*, st.* FROM packing_sessions_packinglist pl "
                 "JOIN packing_sessions_packingsession s ON s.id = pl.session_id "
                 "JOIN profiles_client c ON c.id = s.client_id "
                 "LEFT JOIN profiles_worker w ON w.id = pl.holder_id "
                 "LEFT JOIN profiles_station st ON st.id = pl.station_id "
                 "WHERE pl.id = %s FOR UPDATE OF pl",
    "scan_id": "SELECT id, response FROM packing_sessions_scanevent "
               "WHERE packing_list_id = %s AND scan_id = %s",
    "lock_order": "SELECT * FROM packing_sessions_order WHERE id = %s AND packing_list_id = %s "
                  "FOR UPDATE",
    "lines": "SELECT * FROM packing_sessions_orderitem WHERE order_id = %s "
             "ORDER BY line_number, id",
    "extras": "SELECT * FROM packing_sessions_orderextra WHERE order_id = %s",
    "mapping": "SELECT sku FROM profiles_skumapping WHERE client_id = %s "
               "AND normalized_barcode = %s",
    "pack": "UPDATE packing_sessions_orderitem SET packed = CASE WHEN packed < required "
            "THEN packed + 1 ELSE 0 END WHERE id = %s",
    "heartbeat": "UPDATE packing_sessions_packinglist SET heartbeat_at = now() WHERE id = %s",
    "log": "INSERT INTO packing_sessions_scanevent (packing_list_id, order_id, item_id, "
           "worker_id, station_id, action, raw_code, outcome, quantity, manual, scan_id, "
           "response, created_at) VALUES (%s, %s, %s, %s, %s, 'scan', %s, 'item_ok', 1, false, "
           "%s, %s, now())",
}


def claim_raw_lists(args, plans):
    """Hold every raw-phase list for its station and open its first order (as a claim would)."""
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        # A station holds one list at a time: free the API phase's lists first.
        conn.execute(
            "UPDATE packing_sessions_packinglist SET holder_id = NULL, station_id = NULL, "
            "claim_token = NULL, claimed_at = NULL, heartbeat_at = NULL "
            "WHERE claim_token IS NOT NULL")
        for plan in plans:
            conn.execute(
                "UPDATE packing_sessions_packinglist pl SET holder_id = w.id, station_id = st.id, "
                "claim_token = %s, claimed_at = now(), heartbeat_at = now(), open_order_id = %s "
                "FROM profiles_worker w JOIN authtoken_token t ON t.user_id = w.user_id, "
                "profiles_station st WHERE t.key = %s AND st.name = %s AND pl.id = %s",
                [uuid.uuid4(), plan.raw_orders[0][1], plan.auth, plan.name, plan.raw_list_id])


async def raw_scan(pool, plan, client_id, item, stats, counters_sql):
    """One item scan's database work in one transaction, without Django, DRF or HTTP."""
    order_id, (item_id, sku, _required) = item
    t0 = time.perf_counter()
    async with pool.connection() as conn:
        cur = conn.cursor()
        await cur.execute(RAW_SQL["token"], [plan.auth])
        await cur.fetchone()
        async with conn.transaction():
            await cur.execute(RAW_SQL["lock_list"], [plan.raw_list_id])
            row = await cur.fetchone()
            columns = [c.name for c in cur.description]
            pl = dict(zip(columns, row))
            scan_id = uuid.uuid4().hex
            await cur.execute(RAW_SQL["scan_id"], [plan.raw_list_id, scan_id])
            await cur.fetchone()
            await cur.execute(RAW_SQL["lock_order"], [order_id, plan.raw_list_id])
            await cur.fetchone()
            await cur.execute(RAW_SQL["lines"], [order_id])
            await cur.fetchall()
            await cur.execute(RAW_SQL["extras"], [order_id])
            await cur.fetchall()
            await cur.execute(RAW_SQL["mapping"], [client_id, sku.lower()])
            await cur.fetchone()
            await cur.execute(RAW_SQL["pack"], [item_id])
            await cur.execute(RAW_SQL["heartbeat"], [plan.raw_list_id])
            await cur.execute(counters_sql, [plan.raw_list_id, plan.raw_list_id])
            await cur.fetchall()
            await cur.execute(RAW_SQL["log"], [
                plan.raw_list_id, order_id, item_id, pl["holder_id"], pl["station_id"], sku,
                scan_id, psycopg.types.json.Jsonb({"outcome": "item_ok"})])
    stats.record(time.perf_counter() - t0, "item_ok")


async def raw_phase(args, plans, client_id):
    from sessions.reads.payloads import (
        _counters_sql,  # the list counters' statement, as the API runs it
    )

    counters_sql = _counters_sql(1)
    claim_raw_lists(args, plans)
    stats = Stats()
    size = args.pool_max * args.workers
    async with AsyncConnectionPool(args.database_url, min_size=size, max_size=size,
                                   open=False) as pool:
        await pool.open(wait=True)

        def station(plan):
            order_id, _number = plan.raw_orders[0][1], plan.raw_orders[0][0]
            lines = plan.raw_orders[0][2]

            async def loop(deadline):
                n = 0
                next_at = time.monotonic() + random.random() * args.interval
                while time.monotonic() < deadline:
                    if args.interval:
                        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                        next_at += args.interval
                    try:
                        await raw_scan(pool, plan, client_id, (order_id, lines[n % len(lines)]),
                                       stats, counters_sql)
                    except psycopg.Error as exc:
                        stats.error(type(exc).__name__)
                    n += 1
            return loop

        seconds = await run_window([station(plan) for plan in plans], args, stats)
    return stats, seconds


# ------------------------------------------------------------------ report

def print_table(rows, args):
    print()
    print(f"stations={args.stations} uvicorn workers={args.workers} "
          f"max-inflight={args.max_inflight or 'off'} "
          f"interval={args.interval or 'closed loop'} "
          f"pool={args.pool_max}/worker measured={args.duration:.0f}s warm-up={args.warmup:.0f}s "
          f"cpus={os.cpu_count()}")
    header = f"{'phase':<26}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}" \
             f"{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['phase']:<26}{r['requests']:>9}{r['per_s']:>9.0f}{r['p50']:>9.1f}"
              f"{r['p95']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}{r['errors']:>8}")


def main(argv=None):
    args = parse_args(argv)
    env = server_env(args)
    t0 = time.monotonic()
    ensure_database(args.database_url)
    migrate(env)
    plans, client_id = build_data(args, env)
    print(f"set-up: {len(plans)} stations, {args.orders} orders x {args.lines} lines per list, "
          f"{time.monotonic() - t0:.1f}s")
    rows, details = [], []
    if not args.skip_api:
        server = start_server(args, env)
        try:
            stats, seconds = asyncio.run(api_phase(args, plans, server.pid))
        finally:
            stop_server(server)
        rows.append(summary_row("API (uvicorn+Django+DRF)", stats, seconds))
        details.append(("API", stats))
    if not args.skip_raw:
        stats, seconds = asyncio.run(raw_phase(args, plans, client_id))
        rows.append(summary_row("raw psycopg (same SQL)", stats, seconds))
        details.append(("raw", stats))
    print_table(rows, args)
    for name, stats in details:
        print(f"{name} outcomes: {dict(sorted(stats.outcomes.items()))}  "
              f"errors: {stats.errors or 'none'}")
        cores = ", ".join(f"{kind} {used:.2f}" for kind, used in stats.cpu.items())
        print(f"{name} cores used: {cores}; load average {stats.load[0]:.2f} -> "
              f"{stats.load[1]:.2f}")
        per_s = len(stats.latencies) / max(stats.seconds, 1e-9)
        if per_s:
            costs = ", ".join(f"{kind} {used / per_s * 1000:.1f}"
                              for kind, used in stats.cpu.items() if used > 0.05)
            print(f"{name} CPU ms per request: {costs}")
    if len(rows) == 2 and rows[1]["per_s"]:
        print(f"API / raw throughput: {rows[0]['per_s'] / rows[1]['per_s']:.2f}")


if __name__ == "__main__":
    main()
