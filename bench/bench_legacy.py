"""Benchmark of `import_legacy`: a synthetic share of 1,000 session folders, imported once.

    .venv/bin/python bench/bench_legacy.py                      # SQLite (a fresh file DB)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/packer_legacy_bench \
        .venv/bin/python bench/bench_legacy.py                  # PostgreSQL (recreated)

The share follows legacy-formats.md: 70 % Shopify sessions (2–3 lists of P2 JSON; per list an
S6 state + v1.3.0 summary + completed report for finished runs, an S6 state with an in-progress
order for crashed ones, nothing for lists never opened), 30 % Excel sessions in the E1 tree
(completed xlsx + S1 backup + v1.0 summary, some crashed with a wrapped state and a lock).
Prints the import time (generation excluded), figures, and the peak resident memory.
Target: under 60 s on SQLite and on PostgreSQL.
"""

import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "1000"))

from benchkit import fresh_database  # noqa: E402 (needs sys.path above)


def _state(orders, done, current, tz="+02:00", day="2026-03-02"):
    def rec(sku, row, minute, sec):
        return {"sku": sku.replace("-", "").lower(), "title": sku, "quantity": 1, "row": row,
                "scanned_at": f"{day}T10:{minute:02d}:{sec:02d}.000001{tz}",
                "time_from_order_start_seconds": sec, "confirmation_method": "scanned"}

    completed = []
    for k, (number, lines) in enumerate(orders[:done]):
        m = k % 60
        recs = [rec(s, row, m, 5 + 3 * u) for row, (s, q) in enumerate(lines) for u in range(q)]
        completed.append({"order_number": number, "started_at": f"{day}T10:{m:02d}:00.5{tz}",
                          "completed_at": f"{day}T10:{m:02d}:50.5{tz}", "duration_seconds": 50,
                          "items_count": len(recs), "items": recs, "corrections": k % 7 == 0,
                          "extra_scans_count": 0, "unknown_scans_count": k % 5 == 0,
                          "time_to_first_scan_seconds": 5})
    in_progress = {}
    if current is not None:
        number, lines = orders[current]
        in_progress[number] = [{"original_sku": s, "normalized_sku": s.replace("-", "").lower(),
                                "required": q, "packed": q // 2, "row": r}
                               for r, (s, q) in enumerate(lines)]
        in_progress["_timing"] = {"current_order_start_time": f"{day}T11:00:00{tz}",
                                  "items_scanned": [], "corrections": 0, "extra_scan_count": 0,
                                  "unknown_scan_count": 0}
    return {"version": "1.3.0", "session_id": "x", "client_id": "M",
            "started_at": f"{day}T10:00:00{tz}", "last_updated": f"{day}T11:00:00{tz}",
            "status": "in_progress", "pc_name": f"WH-PACK-0{len(orders) % 3 + 1}",
            "progress": {"total_orders": len(orders), "completed_orders": done,
                         "in_progress_order": orders[current][0] if current is not None else None},
            "in_progress": in_progress, "_current_extras": {}, "completed": completed,
            "skipped_orders": [], "skipped_orders_timing": {}}


def build_share(base, n_sessions, seed=6):
    from tests.legacy_fixtures.builder import ShareBuilder

    rnd = random.Random(seed)
    e2 = ShareBuilder(base / "0UFulfilment")
    e1 = ShareBuilder(base / "2Packing-tool", upper=True)
    skus = [f"M-{p}-{n:03d}" for p in ("SER", "CRM", "LIP", "TON") for n in range(25)]
    e2.client("M", name="M Cosmetics", mapping={f"380012345{n:04d}": s
                                                  for n, s in enumerate(skus)})
    e1.client("M", name="M Cosmetics", variant="e1")
    e2.workers([{"id": f"worker_{i:03d}", "name": f"Worker {i}"} for i in range(1, 9)])
    number = 100000

    def orders(count):
        nonlocal number
        out = []
        for _ in range(count):
            number += 1
            out.append((f"#{number}", [(rnd.choice(skus), rnd.choice((1, 1, 1, 2, 3)))
                                       for _ in range(rnd.choice((1, 1, 2, 2, 3)))]))
        return out

    for k in range(n_sessions):
        day = f"2026-{1 + k % 12:02d}-{1 + k % 28:02d}"
        if k % 10 < 7:
            lists = {f"{c}_Orders": orders(rnd.randint(15, 35))
                     for c in rnd.sample(["DHL", "PostOne", "Speedy"], rnd.choice((2, 3)))}
            folder = e2.shopify_session("M", f"{day}_{k}", lists)
            for i, (name, ords) in enumerate(lists.items()):
                kind = (k + i) % 5
                if kind == 4:
                    continue  # never opened
                work = e2.work_dir(folder, name)
                if kind == 3:  # crashed mid-list
                    e2.json(work / "packing_state.json",
                            _state(ords, len(ords) // 2, len(ords) // 2, day=day))
                    e2.lock(work, heartbeat=f"{day}T11:00:00+02:00")
                    continue
                e2.json(work / "packing_state.json", _state(ords, len(ords), None, day=day))
                e2.json(work / "session_summary.json", {
                    "version": "1.3.0", "session_type": "shopify", "worker_id": "worker_001",
                    "worker_name": "Worker 1", "completed_at": f"{day}T11:30:00+02:00",
                    "total_orders": len(ords), "completed_orders": len(ords), "orders": []})
        else:
            sid = f"2025-10-{1 + k % 28:02d}_{k // 60 % 24:02d}-{k % 60:02d}"
            folder = e1.excel_session("M", sid)
            ords = orders(rnd.randint(25, 50))
            done = {n for n, _ in ords} if k % 4 else {n for n, _ in ords[: len(ords) // 2]}
            if k % 4:
                e1.completed_report(folder / "list_completed.xlsx", ords, done)
                e1.json(folder / "barcodes" / "packing_state.json.backup", {
                    "version": "1.0", "timestamp": "2025-10-28T10:00:00",
                    "data": {"in_progress": {}, "completed_orders": sorted(done)[:-1]}})
            else:
                e1.json(folder / "session_info.json", {
                    "client_id": "M", "packing_list_path": "C:\\lists\\list.xlsx",
                    "started_at": "2025-10-28T09:00:00", "pc_name": "WH-PACK-01"})
                e1.json(folder / "barcodes" / "packing_state.json", {
                    "version": "1.0", "timestamp": "2025-10-28T10:00:00",
                    "data": {"in_progress": {}, "completed_orders": sorted(done)}})
                e1.labels(folder, [n for n, _ in ords])
    e2.json(e2.d("Stats") / "global_stats.json", {"packing_history": [
        {"timestamp": "2026-01-01T10:00:00", "client_id": "M", "session_id": f"2026-01-01_{i}",
         "orders_count": 30, "items_count": 60} for i in range(1000)], "version": "2.0"})


def main():
    import django

    tmp = Path(tempfile.mkdtemp(prefix="bench_legacy_"))
    fresh_database(tmp)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    build_share(tmp / "share", SESSIONS)
    generated = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from sessions.legacy.runner import ImportOptions, run_import
    from stats.legacy_history import import_history

    t0 = time.perf_counter()
    report = run_import(ImportOptions(roots=[tmp / "share"], history_step=import_history))
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    d = report.as_dict()
    c = d["clients"]["M"]["imported"]
    print(f"database: {connection.vendor}; share generated in {generated:.1f} s")
    print(f"imported {c['sessions']} sessions, {c['lists']} lists, {c['orders']} orders, "
          f"{c['lines']} lines, {c['packed_units']}/{c['items']} units packed, "
          f"{d['stats_records']['created']} stats records, {len(d['problems'])} problems "
          f"in {elapsed:.1f} s")
    print(f"peak RSS: {peak / 1024:.0f} MB (before the import: {rss_before / 1024:.0f} MB)")
    if os.environ.get("BENCH_KEEP") is None:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
