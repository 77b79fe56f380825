"""Benchmark: the legacy import's file readers (issue 12).

    .venv/bin/python bench/bench_legacy_files.py                   # this checkout
    .venv/bin/python bench/bench_legacy_files.py --code DIR         # state files, another checkout

1. Excel: the completed reports of the old app read by python-calamine (sessions/legacy/xlsx.py)
   and, as the reference in the same run, by the hand-written XML reader it replaced, loaded
   from git (`git show main:sessions/legacy/xlsx.py`). 300 reports of 25–50 orders (a share's
   worth) and one report of 15,000 lines; best of three runs each.
2. State files: `import_legacy` of a one-session share whose packing_state.json is a valid S6
   state of 200 MB (refused: over PACKER_LEGACY_MAX_FILE_BYTES) and of just under 16 MB (the
   largest the default accepts: read and imported), each in a fresh process; printed: time
   and peak RSS (VmHWM of that process).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
os.environ.setdefault("DEBUG", "0")

from benchkit import migrated_database  # noqa: E402 (needs sys.path above)


class Problems:
    roots = ()

    def __init__(self):
        self.items = []

    def add(self, path, reason):
        self.items.append((str(path), reason))


def old_reader():
    source = subprocess.run(["git", "show", "main:sessions/legacy/xlsx.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("old_legacy_xlsx")
    exec(compile(source, "main:sessions/legacy/xlsx.py", "exec"), module.__dict__)
    return module.read_table


def best_of(runs, call):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def excel(tmp):
    from sessions.legacy.xlsx import read_table as new_read
    from tests.legacy_fixtures.builder import ShareBuilder

    rnd = random.Random(4)
    share = ShareBuilder(tmp / "xlsx", upper=True)
    reports = []
    for k in range(300):
        orders = [(f"#{k}-{n}", [(f"SKU-{rnd.randint(1, 99)}", rnd.choice((1, 2)))
                                 for _ in range(rnd.choice((1, 2)))])
                  for n in range(rnd.randint(25, 50))]
        reports.append(share.completed_report(tmp / "xlsx" / f"r{k}_completed.xlsx", orders,
                                              {n for n, _ in orders}))
    big_orders = [(f"#{n}", [(f"SKU-{n % 97}", 1), (f"SKU-{n % 89}", 2), (f"SKU-{n % 83}", 1)])
                  for n in range(5000)]
    big = share.completed_report(tmp / "xlsx" / "big_completed.xlsx", big_orders,
                                 {n for n, _ in big_orders})
    old_read = old_reader()
    for label, files in (("300 completed reports", reports), ("one 15,000-line report", [big])):
        same = [old_read(p, Problems()) == new_read(p, Problems()) for p in files]
        new = best_of(3, lambda files=files: [new_read(p, Problems()) for p in files])
        old = best_of(3, lambda files=files: [old_read(p, Problems()) for p in files])
        print(f"Excel, {label}: calamine {new:.2f} s, XML reader {old:.2f} s: "
              f"{old / new:.1f}× faster; same rows for {sum(same)}/{len(same)} files")


CHILD = """
import json, os, sys, time
sys.path.insert(0, {code!r})
import django
django.setup()
from pathlib import Path
from sessions.legacy.runner import ImportOptions, run_import

def peak_mb():  # VmHWM starts afresh with the new program (ru_maxrss would not: it keeps the
    for line in open("/proc/self/status"):  # forking parent's size)
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024

started = time.perf_counter()
report = run_import(ImportOptions(roots=[Path({root!r})])).as_dict()
print(json.dumps({{"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
                   "lists": report["lists"], "problems": report["problems"]}}))
"""


def state_share(base, megabytes, orders=5000):
    """A share with one session: a list of `orders` orders, all completed, whose state file is
    a valid S6 state of about `megabytes` MB (each completed order carries as many scan
    records as it takes: a state the old app kept appending to)."""
    from tests.legacy_fixtures.builder import ShareBuilder

    share = ShareBuilder(base)
    share.client("M", name="M")
    lines = [(f"#{100000 + n}", [(f"SKU-{n % 97:03d}", 1 + n % 3), (f"SKU-{n % 89:03d}", 1)])
             for n in range(orders)]
    folder = share.shopify_session("M", f"2026-03-02_{int(megabytes)}", {"DHL_Orders": lines})
    record = {"sku": "sku001", "title": "SKU-001", "quantity": 1, "row": 0,
              "scanned_at": "2026-03-02T10:00:05.000001+02:00",
              "time_from_order_start_seconds": 5, "confirmation_method": "scanned"}
    per_order = max(1, int(megabytes * 1e6 / orders / (len(json.dumps(record)) + 2)))
    path = share.work_dir(folder, "DHL_Orders") / "packing_state.json"
    with path.open("w") as out:
        out.write('{"version": "1.3.0", "session_id": "2026-03-02_1", "client_id": "M", '
                  '"started_at": "2026-03-02T10:00:00+02:00", "last_updated": '
                  '"2026-03-02T11:00:00+02:00", "status": "in_progress", "in_progress": {}, '
                  '"_current_extras": {}, "skipped_orders": [], "completed": [')
        records = json.dumps([record] * per_order)
        for n, (number, _lines) in enumerate(lines):
            out.write(("," if n else "") + json.dumps({
                "order_number": number, "started_at": "2026-03-02T10:00:00+02:00",
                "completed_at": "2026-03-02T10:01:00+02:00", "duration_seconds": 60,
                "items_count": per_order, "corrections": 0, "extra_scans_count": 0,
                "unknown_scans_count": 0})[:-1] + ', "items": ' + records + "}")
        out.write("]}")
    return path.stat().st_size


def states(tmp, code):
    for megabytes in (200, 15):
        base = tmp / f"share_{megabytes}"
        size = state_share(base, megabytes)
        child = CHILD.format(code=code, root=str(base))
        done = subprocess.run([sys.executable, "-c", child], cwd=code, capture_output=True,
                              text=True, env=dict(os.environ, PYTHONPATH=code), timeout=3600)
        if done.returncode != 0:
            print(f"state file of {size / 1e6:.0f} MB: the import failed: "
                  f"{done.stderr.strip().splitlines()[-1:]}")
            continue
        out = json.loads(done.stdout.strip().splitlines()[-1])
        lists = ", ".join(f"{f['list']} {f['completed_orders']}/{f['orders']} completed"
                          for f in out["lists"]) or "no list"
        problems = "; ".join(p["reason"][:90] for p in out["problems"]) or "no problem"
        print(f"state file of {size / 1e6:.0f} MB: {out['seconds']:.1f} s, peak RSS "
              f"{out['peak_mb']:.0f} MB; {lists}; {problems}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", default=str(ROOT), help="checkout to import the shares with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        migrated_database(tmp)
        excel(tmp)
        states(tmp, args.code)


if __name__ == "__main__":
    main()
