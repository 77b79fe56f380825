"""Load benchmark of the scan path (issues 4 and 9, "Benchmark"); not a test.

N simulated stations (default 100) each claim a packing list through the REST API and scan
through its orders as fast as the server answers (or at a packer's pace, --interval), with
realistic mistakes (unknown codes, another order's label, retried scan ids, undo + rescan).
Every station holds its list's WebSocket open, as the browser station does, and --floors
supervisor floor screens (default 5) follow every list; the sockets count what they receive.
A station that finishes its list releases it and claims its next one (--lists per station).
The server is uvicorn with several workers on PostgreSQL + Redis, exactly as in production.
In the same run, the same database work (the SQL of one item scan: token with role, list
lock, scan-id check, order lock, lines, extras, mapping, updates of the line and of the list
row with its counters, log insert) is done with raw psycopg by the same number of concurrent
clients, as the reference the API is compared with.

    .venv/bin/python bench/load_scans.py                  # 100 stations, 2 workers, 20 s
    .venv/bin/python bench/load_scans.py --stations 50 --workers 3 --duration 30
    .venv/bin/python bench/load_scans.py --stations 1 --orders 5000 --json out.json
    bench/issue9_table.sh                                 # the issue 9 table, one command

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
import websockets
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
    p.add_argument("--lists", type=int, default=1,
                   help="lists per station: a station that finishes one claims the next")
    p.add_argument("--floors", type=int, default=5,
                   help="supervisor floor screens (WebSockets following every list)")
    p.add_argument("--no-sockets", action="store_true",
                   help="no station list sockets and no floor screens (the issue 4 set-up)")
    p.add_argument("--json", default="", help="also write the figures to this JSON file")
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="extra environment of the server (repeatable), to measure a lever")
    p.add_argument("--uvicorn-option", action="append", default=[], metavar="OPTION",
                   help="extra uvicorn option (repeatable), e.g. --uvicorn-option=--ws=wsproto")
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
    p.add_argument("--webhook", default="", metavar="URL",
                   help="give the bench client a webhook wanting every event (issue 14: the "
                        "outbox row written with each completed order); none by default")
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
    env.update(dict(pair.split("=", 1) for pair in args.server_env))
    return env


def migrate(env):
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True)


@dataclass
class StationPlan:
    name: str
    auth: str  # API token key
    cookie: str  # the packer's signed-in session, for the list socket
    lists: list  # [(list id, orders)] scanned through the API, one after the other
    raw_list_id: int  # scanned with raw psycopg
    raw_orders: list = field(default_factory=list)  # [(number, order_id, [(item_id, sku, req)])]

    @property
    def list_id(self):
        return self.lists[0][0]

    @property
    def orders(self):
        return self.lists[0][1]

    @staticmethod
    def numbers(orders):
        return [number for number, _id, _lines in orders]


def build_data(args, env):
    """Wipe the bench database's packing data and create stations, packers and lists."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client as SignIn
    from rest_framework.authtoken.models import Token

    from profiles.models import Client, Station, Worker
    from profiles.roles import PACKER, SUPERVISOR, assign_role
    from sessions.counters import recount
    from sessions.models import Order, OrderItem, PackingList, PackingSession

    def session_cookie(user):
        browser = SignIn()
        browser.force_login(user)
        return f"sessionid={browser.cookies['sessionid'].value}"

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE packing_sessions_scanevent, packing_sessions_claimevent, "
            "packing_sessions_orderextra, packing_sessions_orderitem, packing_sessions_order, "
            "packing_sessions_packinglist, packing_sessions_packingsession CASCADE")
    client, _ = Client.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark"})
    from profiles.models import Webhook

    Webhook.objects.filter(client=client).delete()  # its outbox rows go with it
    if args.webhook:
        Webhook.objects.create(client=client, url=args.webhook, secret="bench-secret-0123456789",
                               on_order_completed=True, on_order_flagged=True,
                               on_list_ended=True, on_session_completed=True)
    plans = []
    with transaction.atomic():
        session = PackingSession.objects.create(client=client, external_id="bench",
                                                source=PackingSession.Source.API)
        lists = PackingList.objects.bulk_create([
            PackingList(session=session, name=f"{kind}_{i:03d}_{k}", position=i)
            for kind, count in (("api", args.lists), ("raw", 1))
            for i in range(args.stations) for k in range(count)
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
        recount([pl.pk for pl in lists])  # the lists' counters, as an import sets them
        supervisor, _created = User.objects.get_or_create(username="bench-supervisor")
        assign_role(supervisor, SUPERVISOR)
        Worker.objects.get_or_create(user=supervisor, defaults={"display_name": "Supervisor"})
        floor_cookie = session_cookie(supervisor)
        api_lists = lists[:args.stations * args.lists]
        raw_lists = lists[args.stations * args.lists:]
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
            own = api_lists[i * args.lists:(i + 1) * args.lists]
            raw_list = raw_lists[i]
            plans.append(StationPlan(name, token.key, session_cookie(user),
                                     [(pl.pk, by_list[pl.pk]) for pl in own], raw_list.pk,
                                     by_list[raw_list.pk]))
    connection.close()
    return plans, client.pk, floor_cookie


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
    sockets: dict = field(default_factory=dict)  # (socket kind, message type) -> received
    open_sockets: dict = field(default_factory=dict)  # kind -> sockets that got their snapshot
    opened_by_window: dict = field(default_factory=dict)  # the same, when measuring began

    def socket_message(self, kind, message_type):
        if message_type == "snapshot":
            self.open_sockets[kind] = self.open_sockets.get(kind, 0) + 1
        if self.measuring:
            key = f"{kind} {message_type}"
            self.sockets[key] = self.sockets.get(key, 0) + 1

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


def _serves(pid, database):
    """A PostgreSQL backend of `database` (its process title names it); the other backends
    serve other users of a shared server and count as "other"."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            title = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return f" {database} " in title


def cpu_by_process_kind(server_pgid=None, database=""):
    """CPU seconds used so far by kind of process: this load generator, the uvicorn process
    group, the PostgreSQL backends of the bench database, Redis, and everything else the
    machine did (other users of the same cores and of the same PostgreSQL server, its shared
    writer processes, the kernel), taken from /proc/stat so that processes that exit still
    count."""
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
        elif comm.startswith("postgres") and _serves(entry.name, database):
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
    stats.opened_by_window = dict(stats.open_sockets)
    database = psycopg.conninfo.conninfo_to_dict(args.database_url)["dbname"]
    cpu_before = cpu_by_process_kind(stats.server_pgid, database)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    await asyncio.sleep(max(0.0, deadline - time.monotonic()))
    stats.measuring = False
    measured = time.monotonic() - started
    stats.cpu = cpu_share(cpu_before, cpu_by_process_kind(stats.server_pgid, database),
                          measured)
    stats.seconds = measured
    stats.load = (load_before, os.getloadavg()[0])
    await asyncio.gather(*tasks, return_exceptions=True)
    return measured


# ------------------------------------------------------------------ API phase

def scan_script(numbers, orders, rng, mistakes):
    """The codes a careful-but-human packer scans: (kind, code) pairs, mistakes included."""
    for index, (number, _order_id, lines) in enumerate(orders):
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


SOCKETS_WAIT = 120  # seconds the API phase waits for every socket to be open


class Sockets:
    """The WebSockets a station and the floor screens hold open, counting what they receive."""

    def __init__(self, args, stats):
        self.args, self.stats = args, stats
        self.tasks = []

    def follow(self, path, cookie, kind):
        """Open a socket (as a signed-in browser does) and read it until cancelled."""
        if self.args.no_sockets:
            return None
        task = asyncio.create_task(self._read(path, cookie, kind))
        self.tasks.append(task)
        return task

    async def _read(self, path, cookie, kind):
        url = f"ws://127.0.0.1:{self.args.port}{path}"
        try:
            async with websockets.connect(
                    url, origin=f"http://127.0.0.1:{self.args.port}",
                    additional_headers={"Cookie": cookie}, max_size=None,
                    open_timeout=30) as ws:
                async for text in ws:
                    self.stats.socket_message(kind, json.loads(text).get("type"))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a refused or dropped socket is an error of the run
            self.stats.error(f"{kind} socket {type(exc).__name__}")

    async def close(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def api_station(args, plan, stats, seed, sockets):
    http = StationConnection(args.port, {"Authorization": f"Token {plan.auth}"})
    rng = random.Random(seed)
    last_scan = None
    held = {"socket": None}

    async def claim(list_id):
        """Claim a list and open its socket, as the station page does (not measured)."""
        http.headers.pop("X-Claim-Token", None)
        status, answer = await http.post(f"/api/v1/lists/{list_id}/claim/",
                                         {"station": plan.name})
        if status != 200:
            raise SystemExit(f"claim of list {list_id} refused: {status} {answer}")
        http.headers["X-Claim-Token"] = answer["token"]
        if held["socket"] is not None:
            held["socket"].cancel()
        held["socket"] = sockets.follow(f"/ws/lists/{list_id}/", plan.cookie, "list")

    await claim(plan.list_id)

    async def send(list_id, path, body, kind):
        t0 = time.perf_counter()
        try:
            status, answer = await http.post(f"/api/v1/lists/{list_id}/{path}", body)
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
        for index, (list_id, orders) in enumerate(plan.lists):
            if index:
                await http.post(f"/api/v1/lists/{plan.lists[index - 1][0]}/release/", {})
                await claim(list_id)
            script = scan_script(plan.numbers(orders), orders, rng, args.mistakes)
            for kind, value in script:
                if args.interval:
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                    next_at += args.interval
                if time.monotonic() >= deadline:
                    http.close()
                    return
                if kind == "undo":
                    await send(list_id, "action/", {"action": "undo", "item": value,
                                                    "scan_id": uuid.uuid4().hex}, "undo")
                    continue
                if kind == "retry" and last_scan:
                    await send(list_id, "scan/", last_scan, "duplicate")
                    continue
                last_scan = {"code": value, "scan_id": uuid.uuid4().hex}
                await send(list_id, "scan/", last_scan, "scan")
        stats.error("a station ran out of orders (give it more: --orders or --lists)")
        http.close()

    return loop


async def api_phase(args, plans, server_pgid=None, floor_cookie=""):
    stats = Stats(server_pgid=server_pgid)
    sockets = Sockets(args, stats)
    for _floor in range(args.floors):
        sockets.follow("/ws/floor/", floor_cookie, "floor")
    loops = await asyncio.gather(*[api_station(args, plan, stats, seed, sockets)
                                   for seed, plan in enumerate(plans)])
    if not args.no_sockets:
        # Stations scan once their page is up, with its socket: wait (bounded) for every
        # socket's snapshot, so the measured window has them all open.
        started = time.monotonic()
        wanted = {"floor": args.floors, "list": len(plans)}
        while time.monotonic() - started < SOCKETS_WAIT and any(
                stats.open_sockets.get(kind, 0) < n for kind, n in wanted.items() if n):
            await asyncio.sleep(0.2)
        print(f"sockets open after {time.monotonic() - started:.1f}s: {stats.open_sockets} "
              f"(wanted {wanted})", flush=True)
    try:
        seconds = await run_window(loops, args, stats)
    finally:
        await sockets.close()
    return stats, seconds


def start_server(args, env):
    app = "bench.bounded_asgi:application" if args.max_inflight else "packer.asgi:application"
    env = dict(env, PACKER_MAX_INFLIGHT=str(args.max_inflight))
    cmd = [PYTHON, "-m", "uvicorn", app, "--workers", str(args.workers),
           "--lifespan", "off", "--loop", args.loop, "--http", args.http,
           "--port", str(args.port), "--log-level", "warning", "--no-access-log",
           *args.uvicorn_option]
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
    "pack": "UPDATE packing_sessions_orderitem SET packed = %s WHERE id = %s",
    # The list row: its heartbeat and its counters (issue 9: no aggregate over the list).
    "list": "UPDATE packing_sessions_packinglist SET heartbeat_at = now(), "
            "packed_units = packed_units + %s WHERE id = %s",
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


async def raw_scan(pool, plan, client_id, item, stats):
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
            lines = {row[0]: row for row in await cur.fetchall()}
            columns = [c.name for c in cur.description]
            line = dict(zip(columns, lines[item_id]))
            await cur.execute(RAW_SQL["extras"], [order_id])
            await cur.fetchall()
            await cur.execute(RAW_SQL["mapping"], [client_id, sku.lower()])
            await cur.fetchone()
            # One more unit, or back to none when full, so the raw client never runs out.
            packed = line["packed"] + 1 if line["packed"] < line["required"] else 0
            await cur.execute(RAW_SQL["pack"], [packed, item_id])
            await cur.execute(RAW_SQL["list"], [packed - line["packed"], plan.raw_list_id])
            await cur.execute(RAW_SQL["log"], [
                plan.raw_list_id, order_id, item_id, pl["holder_id"], pl["station_id"], sku,
                scan_id, psycopg.types.json.Jsonb({"outcome": "item_ok"})])
    stats.record(time.perf_counter() - t0, "item_ok")


async def raw_phase(args, plans, client_id):
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
                                       stats)
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


def phase_figures(name, stats, row):
    """Everything a phase measured, for --json and bench/issue9_table.py."""
    per_s = len(stats.latencies) / max(stats.seconds, 1e-9)
    return {
        "phase": name, **row, "outcomes": stats.outcomes, "error_kinds": stats.errors,
        "sockets_open": stats.opened_by_window,
        "cores": stats.cpu, "load": list(stats.load), "sockets": stats.sockets,
        "sockets_per_s": {k: v / max(stats.seconds, 1e-9) for k, v in stats.sockets.items()},
        "cpu_ms_per_request": {kind: used / per_s * 1000 if per_s else None
                               for kind, used in stats.cpu.items()},
    }


def main(argv=None):
    args = parse_args(argv)
    env = server_env(args)
    t0 = time.monotonic()
    ensure_database(args.database_url)
    migrate(env)
    plans, client_id, floor_cookie = build_data(args, env)
    print(f"set-up: {len(plans)} stations, {args.lists} x {args.orders} orders x {args.lines} "
          f"lines per station, {0 if args.no_sockets else args.floors} floor screens, "
          f"{time.monotonic() - t0:.1f}s")
    rows, details = [], []
    if not args.skip_api:
        server = start_server(args, env)
        try:
            stats, seconds = asyncio.run(api_phase(args, plans, server.pid, floor_cookie))
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
        if stats.open_sockets:
            received = ", ".join(f"{k} {v / max(stats.seconds, 1e-9):.0f}/s"
                                 for k, v in sorted(stats.sockets.items()))
            print(f"{name} sockets open when the window began: {stats.opened_by_window}; "
                  f"messages received in it: {received or 'none'}")
        cores = ", ".join(f"{kind} {used:.2f}" for kind, used in stats.cpu.items())
        print(f"{name} cores used: {cores}; load average {stats.load[0]:.2f} -> "
              f"{stats.load[1]:.2f}")
        per_s = len(stats.latencies) / max(stats.seconds, 1e-9)
        if per_s:
            costs = ", ".join(f"{kind} {used / per_s * 1000:.2f}"
                              for kind, used in stats.cpu.items() if kind != "other")
            print(f"{name} CPU ms per request: {costs}")
    if len(rows) == 2 and rows[1]["per_s"]:
        print(f"API / raw throughput: {rows[0]['per_s'] / rows[1]['per_s']:.2f}")
    if args.json:
        figures = {"args": vars(args), "cpus": os.cpu_count(),
                   "phases": [phase_figures(name, stats, row)
                              for (name, stats), row in zip(details, rows)]}
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
