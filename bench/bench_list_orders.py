"""Benchmark: GET /api/v1/lists/{id}/orders/ on a 50,000-order list (issue 12).

    .venv/bin/python bench/bench_list_orders.py                 # this checkout, SQLite
    .venv/bin/python bench/bench_list_orders.py --code DIR      # another checkout (reference)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/packer_orders_bench \\
        .venv/bin/python bench/bench_list_orders.py             # PostgreSQL (recreated)

Builds one list of 50,000 orders × 3 lines in a fresh database, starts uvicorn (one process,
DEBUG off) from this checkout or from `--code DIR` (e.g. `git worktree add /tmp/main main`,
the code before paging, as the reference in the same run), and measures:

1. a caller that ignores paging: one GET without parameters (time, body, RSS growth of the
   server process);
2. a caller that follows the Link header to the end (total time, pages, orders);
3. four callers at once, each getting the first page (the server's peak RSS growth).
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
os.environ.setdefault("DEBUG", "0")
PORT = 56412
ORDERS = int(os.environ.get("BENCH_ORDERS", "50000"))

from benchkit import migrated_database  # noqa: E402 (needs sys.path above)


def build(orders):
    """One list of `orders` orders × 3 lines; returns (list id, token key)."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from profiles.models import Client
    from profiles.roles import PACKER, assign_role
    from sessions.imports.build import build_list, create_session
    from sessions.imports.specs import LineSpec, ListSpec, OrderSpec
    from sessions.models import PackingSession

    client = Client.objects.create(code="BENCH", name="Bench")
    session = create_session(client, external_id="2026-03-02_1",
                             source=PackingSession.Source.API)
    spec = ListSpec(name="DHL", orders=[
        OrderSpec(number=f"#{100000 + n}", courier="DHL", country="BG", tags=["VIP"],
                  lines=[LineSpec(sku=f"SKU-{(n * 3 + k) % 800:05d}", required=1 + k,
                                  product_name=f"Крем для обличчя {k} 50 мл")
                         for k in range(3)])
        for n in range(orders)])
    packing_list = build_list(session, spec)
    user = assign_role(User.objects.create_user("bench-packer"), PACKER)
    return packing_list.pk, Token.objects.create(user=user).key


def memory(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmRSS", "VmHWM")):
            key, value = line.split(":")
            out[key] = int(value.split()[0]) / 1024
    return out


def get(path, token):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    conn.request("GET", path, headers={"Authorization": f"Token {token}",
                                       "Host": "localhost"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200, (response.status, body[:300])
    return body, response.getheader("Link") or ""


def next_path(link):
    found = re.search(r'<([^>]+)>; rel="next"', link)
    return re.sub(r"^https?://[^/]+", "", found.group(1)) if found else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", default=str(ROOT), help="checkout to run the server from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        django = migrated_database(tmp)
        started = time.perf_counter()
        list_id, token = build(ORDERS)
        print(f"{ORDERS} orders × 3 lines built in {time.perf_counter() - started:.1f} s; "
              f"database {django.db.connection.vendor}; server code {args.code}")
        django.db.connections.close_all()
        env = dict(os.environ, PYTHONPATH=args.code, ALLOWED_HOSTS="localhost")
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "packer.asgi:application", "--port", str(PORT),
             "--lifespan", "off", "--log-level", "warning"], cwd=args.code, env=env)
        try:
            run(server.pid, list_id, token)
        finally:
            server.terminate()
            server.wait(30)


def run(pid, list_id, token):
    path = f"/api/v1/lists/{list_id}/orders/"
    for _ in range(100):
        try:
            get(f"/api/v1/lists/{list_id}/", token)
            break
        except (ConnectionError, OSError):
            time.sleep(0.2)
    get(f"{path}?page_size=1", token)  # warm up: imports, connection
    base = memory(pid)["VmRSS"]
    started = time.perf_counter()
    body, link = get(path, token)
    seconds = time.perf_counter() - started
    after = memory(pid)
    print(f"1. ignoring paging: {seconds:.2f} s, {len(json.loads(body))} orders, "
          f"{len(body) / 1e6:.1f} MB body, server RSS +{after['VmHWM'] - base:.0f} MB peak "
          f"(Link: {'next page named' if next_path(link) else 'none'})")
    started, pages, orders, current = time.perf_counter(), 0, 0, path
    while current:
        body, link = get(current, token)
        pages += 1
        orders += len(json.loads(body))
        current = next_path(link)
    print(f"2. following Link to the end: {time.perf_counter() - started:.2f} s, "
          f"{pages} pages, {orders} orders")
    peak_before = memory(pid)["VmHWM"]
    threads = [threading.Thread(target=get, args=(path, token)) for _ in range(4)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"3. four first pages at once: {time.perf_counter() - started:.2f} s, server peak "
          f"RSS {memory(pid)['VmHWM']:.0f} MB (+{memory(pid)['VmHWM'] - base:.0f} MB over "
          f"idle, +{memory(pid)['VmHWM'] - peak_before:.0f} MB over the peak before)")


if __name__ == "__main__":
    main()
