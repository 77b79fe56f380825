"""Benchmark of order labels: a 1,000-order list rendered as one PDF (target < 5 s), as ZPL, and
a sample of the PDF's pages decoded back with zxing-cpp to prove the run produced real labels.

    .venv/bin/python bench/bench_labels.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/packer_labels_bench \
        .venv/bin/python bench/bench_labels.py

Like bench_import.py: each output is timed once, then made again under tracemalloc for the
peak of Python allocations; the process's peak resident size is printed at the end.
"""

import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packer.settings")
os.environ.setdefault("DEBUG", "0")
ORDERS = int(os.environ.get("BENCH_LABELS", "1000"))

from benchkit import fresh_database, timed_with_peak  # noqa: E402 (needs sys.path above)


def measure(label, run):
    result, seconds, peak = timed_with_peak(run)
    size = len(result)
    print(f"{label:<30} {seconds:6.2f} s   peak Python allocations {peak / 1e6:6.1f} MB   "
          f"output {size / 1e6:.2f} MB")
    return result


def main():
    with tempfile.TemporaryDirectory() as tmp:
        fresh_database(Path(tmp))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from profiles.models import Client
        from sessions.imports.jsonlists import import_packing_list_json
        from sessions.labels.render import list_labels_pdf, list_labels_zpl

        client = Client.objects.create(code="BENCH", name="Bench")
        orders = [{"order_number": f"#BG-{100000 + k}", "courier": "DHL",
                   "destination_country": "BG", "internal_tags": ["GIFT"],
                   "items": [{"sku": "A", "quantity": 1 + k % 3}]} for k in range(ORDERS)]
        result = import_packing_list_json(client, {"orders": orders}, name="DHL_Orders")
        packing_list = result.session.lists.get()
        print(f"{ORDERS} orders; database {django.db.connection.vendor}")
        pdf = measure("PDF of the list (target < 5 s)", lambda: list_labels_pdf(packing_list))
        measure("ZPL of the list", lambda: list_labels_zpl(packing_list).encode())
        print(f"decoded pages: {check_pages(pdf, ORDERS)}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident size of the process: {rss:.0f} MB")


def check_pages(pdf, count):
    """Decode every 100th page of the PDF (same method as tests/test_labels.py)."""
    import zxingcpp

    sys.path.insert(0, str(ROOT / "tests"))
    from test_labels import pdf_pages

    pages = pdf_pages(pdf)
    assert len(pages) == count, (len(pages), count)
    ok = 0
    for index in range(0, count, 100):
        texts = [r.text for r in zxingcpp.read_barcodes(pages[index][1].convert("L"))]
        ok += texts == [f"#BG-{100000 + index}"]
    return f"{ok} of {len(range(0, count, 100))} sampled pages scan to their order number"


if __name__ == "__main__":
    main()
