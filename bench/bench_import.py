"""Benchmark of the list importers: a 5,000-order (≈15,000-line) list as .xlsx and as Shopify
Tool packing-list JSON (in a session folder).

    .venv/bin/python bench/bench_import.py                      # SQLite (a fresh file DB)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/packer_import_bench \
        .venv/bin/python bench/bench_import.py                  # PostgreSQL (recreated)

Each import runs twice: once timed, once under tracemalloc for the peak of Python allocations
(tracing slows the run, so it is not timed). Every run imports orders of its own (other
numbers, the same shape): the same orders twice would be refused as duplicate work (issue 10),
and each import checks its numbers against every order already in the database. The peak
resident size of the process is printed at the end. Targets (issue 3): xlsx < 5 s, Shopify
JSON < 3 s. File generation is not timed.
"""

import json
import os
import random
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
os.environ.setdefault("DEBUG", "0")  # as in production: no SQL kept per query
ORDERS = int(os.environ.get("BENCH_ORDERS", "5000"))

from benchkit import fresh_database, timed_with_peak  # noqa: E402 (needs sys.path above)


def make_orders(count, seed=3, first=100000):
    """(number, courier, country, [(sku, name, qty)]) with 1–5 lines, ≈3 on average; numbers
    from #`first` on (the same seed gives the same lines whatever the numbers)."""
    rnd = random.Random(seed)
    skus = [(f"SKU-{n:05d}", f"Крем для обличчя {n} 50 мл") for n in range(800)]
    out = []
    for k in range(count):
        lines = [(*rnd.choice(skus), rnd.choice((1, 1, 2, 3))) for _ in range(rnd.choice(
            (1, 2, 3, 3, 4, 5)))]
        out.append((f"#{first + k}", rnd.choice(("DHL", "PostOne", "DPD")), "BG", lines))
    return out


def write_xlsx(path, orders):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("DHL")
    sheet.append(["Order_Number", "SKU", "Product_Name", "Quantity", "Courier",
                  "Destination_Country", "Lot"])
    for number, courier, country, lines in orders:
        for sku, name, qty in lines:
            sheet.append([number, sku, name, qty, courier, country, "L-2026-01"])
    book.save(path)


def write_session(folder, orders):
    (folder / "packing_lists").mkdir(parents=True)
    (folder / "session_info.json").write_text(json.dumps({
        "created_by_tool": "shopify", "client_id": "BENCH", "session_name": folder.name}))
    data = {"session_id": folder.name, "orders": [
        {"order_number": number, "order_type": "Multi" if len(lines) > 1 else "Single",
         "shipping_provider": courier, "courier": courier, "destination_country": country,
         "tags": ["VIP"], "internal_tags": [], "notes": "", "system_note": "",
         "order_min_box": "BOX-S",
         "items": [{"sku": sku, "product_name": name, "quantity": qty,
                    "order_fulfillment_status": "Fulfillable"} for sku, name, qty in lines]}
        for number, courier, country, lines in orders]}
    (folder / "packing_lists" / "DHL_Orders.json").write_text(
        json.dumps(data, ensure_ascii=False))


def measure(label, run):
    result, seconds, peak = timed_with_peak(run)
    print(f"{label:<34} {seconds:6.2f} s   peak Python allocations {peak / 1e6:7.1f} MB   "
          f"{result}")
    return seconds


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fresh_database(tmp)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from profiles.models import Client
        from sessions.imports.excel import import_excel
        from sessions.imports.shopify import import_shopify_session

        client = Client.objects.create(code="BENCH", name="Bench")
        batches = [make_orders(ORDERS, first=100000 + n * ORDERS) for n in range(4)]
        lines = sum(len(o[3]) for o in batches[0])
        sheets = [tmp / f"DHL_{n}.xlsx" for n in (0, 1)]
        for path, orders in zip(sheets, batches):
            write_xlsx(path, orders)
        print(f"{ORDERS} orders, {lines} lines; xlsx {os.path.getsize(sheets[0]) / 1e6:.1f}"
              f" MB; database {django.db.connection.vendor}")

        def summary(result):
            return ", ".join(f"{x['orders']} orders/{x['lines']} lines" for x in result.lists)

        sheet = iter(sheets)
        measure("xlsx import (target < 5 s)",
                lambda: summary(import_excel(client, next(sheet))))
        folders = [tmp / f"2026-03-02_{n}" for n in (1, 2)]
        for folder, orders in zip(folders, batches[2:]):
            write_session(folder, orders)
        pending = iter(folders)

        def shopify():
            return summary(import_shopify_session(client, next(pending)))

        measure("Shopify JSON import (target < 3 s)", shopify)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident size of the process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
