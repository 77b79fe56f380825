"""The real sample share (../shared/legacy-sample): the figures of its README, exactly."""

from pathlib import Path

import pytest
from django.core.management import call_command

from sessions.models import Order, OrderItem, PackingList, PackingSession, ScanEvent
from sessions.reads.payloads import list_payload
from tests.legacy_fixtures.helpers import all_lists_replay, figures, run, snapshot

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "legacy-sample"
if not SAMPLE.is_dir():
    SAMPLE = Path("/work/shared/legacy-sample")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SAMPLE.is_dir(), reason="the legacy sample share is not present"),
]

README = {  # session, list: orders, item lines, items (units), completed, skipped, packed items
    ("2026-11-16_1", "DHL_Orders"): (46, 99, 136, 46, 0, 136),
    ("2026-11-16_1", "PostOne_Orders"): (30, 59, 77, 30, 0, 77),
    ("2026-11-16_1", "Speedy_Orders"): (62, 139, 183, 62, 0, 183),
    ("2025-10-28_09-35", "packing_list"): (40, 62, 76, 40, 0, 76),
}


@pytest.fixture(scope="module")
def sample_snapshot():
    return snapshot(SAMPLE)


def test_sample_share_figures_match_readme(sample_snapshot, tmp_path):
    out = tmp_path / "report.json"
    call_command("import_legacy", str(SAMPLE), "--report-json", str(out), "--no-progress",
                 stdout=open(tmp_path / "stdout.txt", "w"), stderr=open(tmp_path / "e", "w"))
    import json

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["problems"] == []
    assert len(report["lists"]) == 4
    for (session, name), (orders, lines, units, done, skipped, packed) in README.items():
        assert figures(report, name, session) == {
            "orders": orders, "lines": lines, "units": units, "packed_units": packed,
            "completed_orders": done, "skipped_orders": skipped, "state": "completed",
        }
    # The same figures are in the database (what the API shows).
    dhl = PackingList.objects.get(name="DHL_Orders")
    assert dhl.orders.count() == 46 and dhl.status == "completed"
    assert sum(i.packed for i in OrderItem.objects.filter(order__packing_list=dhl)) == 136
    # The #41371 trap: 8 units recorded where the list asks for 5; never more than required.
    trap = Order.objects.get(packing_list=dhl, number="#41371")
    assert sum(i.packed for i in trap.items.all()) == sum(i.required for i in trap.items.all())
    assert trap.scan_events.filter(outcome="legacy_discarded").exists()
    assert PackingSession.objects.filter(source="legacy").count() == 2
    # The API's figures (sessions.reads.payloads) are the report's figures.
    for pl in PackingList.objects.all():
        api = list_payload(pl)
        row = figures(report, pl.name, pl.session.external_id)
        assert (api["orders"], api["units"], api["packed_units"], api["completed_orders"],
                api["skipped_orders"], api["status"]) == (
            row["orders"], row["units"], row["packed_units"], row["completed_orders"],
            row["skipped_orders"], row["state"])
    all_lists_replay()
    # Read-only on the share.
    assert snapshot(SAMPLE) == sample_snapshot


def test_sample_details(tmp_path):
    report = run(SAMPLE)
    client = report["clients"]["M"]
    assert client["name"] == "M Cosmetics"
    # packer_config.json without client_id; the spaced barcode normalises onto another key.
    assert client["sku_mappings"]["created"] == 19
    assert [d["barcode"] for d in client["mapping_duplicates"]] == ["3800123450063"]
    assert report["workers"] == {"created": 3, "existing": 0}
    excel = PackingSession.objects.get(external_id="2025-10-28_09-35")
    assert excel.source_path.startswith("2Packing-tool/")
    # The backup is one write behind (39 completed): the xlsx adds the 40th.
    assert excel.lists.get().orders.filter(status="completed").count() == 40
    first = Order.objects.get(packing_list__name="DHL_Orders", number="#41221")
    assert first.completed_at.isoformat() == "2026-11-16T08:05:47.783030+00:00"
    assert ScanEvent.objects.filter(order=first, action="scan", outcome="item_ok").count() == 1
