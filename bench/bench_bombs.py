"""Benchmark: bombs and oversized imports are refused fast and without a worker blow-up
(issue 12, scenario 59).

    .venv/bin/python bench/bench_bombs.py                       # SQLite (a fresh file DB)
    .venv/bin/python bench/bench_bombs.py --code DIR --only small  # another checkout, one case
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/packer_bombs_bench \\
        .venv/bin/python bench/bench_bombs.py                   # PostgreSQL (recreated)

Every case runs in a fresh process that first imports one small list (so Django, pandas and
calamine are loaded, as in a worker that has imported before), then imports the case's file
through sessions.imports.dispatch.import_file, the path of the web page, the API and
import_list. Printed per case: the answer, the wall time, and how far the import raised the
process's peak resident size (VmHWM after − VmRSS before). The reference, in the same run, is
an ordinary 5,000-order xlsx import. Targets: a bomb refused in under 2 s, growth under 100 MB.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
os.environ.setdefault("DEBUG", "0")

from benchkit import migrated_database  # noqa: E402 (needs sys.path above)

CHILD = """
import json, os, sys, time
sys.path.insert(0, {code!r})
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from profiles.models import Client
from sessions.errors import PackingError
from sessions.imports.dispatch import import_file

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024

client = Client.objects.get(code="BENCH")
import_file(client, {warmup!r})  # a worker that has imported before
path = {path!r}
data = open(path, "rb").read()
upload = SimpleUploadedFile(os.path.basename(path), data)
before, started = status("VmRSS"), time.perf_counter()
try:
    result = import_file(client, upload)
    answer = "imported " + ", ".join(f"{{x['orders']}} orders" for x in result.lists)
except PackingError as exc:
    answer = f"{{exc.status}} {{exc.code}}: {{exc.message[:110]}}"
seconds = time.perf_counter() - started
print(json.dumps({{"answer": answer, "seconds": seconds,
                   "growth_mb": status("VmHWM") - before}}))
"""


def session_zip_within_limits(path, orders_total, per_file=185_000):
    """A zipped Shopify session of compact, honest orders (ratio ~15, members under 20 MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("session_info.json", json.dumps({
            "created_by_tool": "shopify", "client_id": "BENCH", "session_name": "2026-03-02_7"}))
        number = 0
        for index in range(0, orders_total, per_file):
            count = min(per_file, orders_total - index)
            orders = []
            for _ in range(count):
                number += 1
                orders.append({"order_number": f"#{number}", "courier": "DHL",
                               "items": [{"sku": f"S{number % 977}", "quantity": 1}]})
            archive.writestr(f"packing_lists/L{index // per_file:02d}.json",
                             json.dumps({"orders": orders}, separators=(",", ":")))


def run_case(label, path, warmup, code):
    child = CHILD.format(code=code, warmup=str(warmup), path=str(path))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          cwd=code, env=dict(os.environ, PYTHONPATH=code), timeout=1800)
    if done.returncode != 0:
        print(f"{label:<44} process failed after {time.perf_counter() - started:.1f} s: "
              f"{done.stderr.strip().splitlines()[-1:]}")
        return
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    size = os.path.getsize(path) / 1e6
    print(f"{label:<44} {size:6.1f} MB file  {figures['seconds']:7.2f} s  "
          f"+{figures['growth_mb']:6.1f} MB RSS   {figures['answer']}")


def main():
    import argparse

    from bench_import import make_orders, write_xlsx

    from tests import bombs

    parser = argparse.ArgumentParser()
    parser.add_argument("--code", default=str(ROOT), help="checkout to import with")
    parser.add_argument("--only", help="run only the cases whose label contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        django = migrated_database(tmp)
        from profiles.models import Client

        Client.objects.create(code="BENCH", name="Bench")
        print(f"database {django.db.connection.vendor}; limits: "
              f"{django.conf.settings.PACKER_IMPORT_MAX_ORDERS} orders, "
              f"{django.conf.settings.PACKER_IMPORT_MAX_LINES} lines, ratio "
              f"{django.conf.settings.PACKER_IMPORT_MAX_RATIO}, unpacked "
              f"{django.conf.settings.PACKER_IMPORT_MAX_UNPACKED_BYTES // 2**20} MiB")
        warmup = tmp / "warmup.xlsx"
        write_xlsx(warmup, make_orders(20, seed=9))
        reference = tmp / "DHL_5000.xlsx"
        write_xlsx(reference, make_orders(5000))
        cases = [("reference: 5,000-order xlsx (imported)", reference)]
        files = {
            "xlsx bomb (small), 0.9 MB → 225 MB of rows": ("bomb_small.xlsx",
                                                    lambda: bombs.xlsx_bomb(225_000_000)),
            "xlsx bomb, 3.7 MB → 930 MB of rows": ("bomb_big.xlsx",
                                                    lambda: bombs.xlsx_bomb(930_000_000)),
            "xlsx lying header (declares 20 MB, 930 MB)": (
                "bomb_lying.xlsx", lambda: bombs.xlsx_bomb(930_000_000, declared=20_000_000)),
            "session zip bomb → 900 MB of orders": ("2026-03-02_8.zip",
                                                    lambda: bombs.session_zip_bomb(900_000_000)),
        }
        for label, (name, build) in files.items():
            if not args.only or args.only in label:
                (tmp / name).write_bytes(build())
                cases.append((label, tmp / name))
        label = "session zip within limits, 2.04 M orders"
        if not args.only or args.only in label:
            session_zip_within_limits(tmp / "2026-03-02_7.zip", 2_040_000)
            cases.append((label, tmp / "2026-03-02_7.zip"))
        for label, path in cases:
            run_case(label, path, warmup, args.code)


if __name__ == "__main__":
    main()
