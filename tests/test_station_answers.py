"""What the server decides for the station screen (issue 11): which order stays on screen, what
is offered next to an answer, undo step by step from the log, a known wrong item named, scanner
affixes stripped, the end-of-list summary."""

import pytest
from django.utils import timezone

from sessions.models import OrderExtra, OrderItem
from sessions.outcomes import OFFERS, Outcome, client_config
from sessions.reads.station_panels import duration_text, end_summary
from sessions.scanning.codes import perform_action, scan, scanner_code
from tests.builders import add_order, build_list, claimed

pytestmark = pytest.mark.django_db


def do_scan(claim, code):
    return scan(claim.list_id, token=claim.token, code=code)


def act(claim, action, **params):
    return perform_action(claim.list_id, token=claim.token, action=action, **params)


def test_skipped_order_leaves_the_screen_and_a_completed_one_stays_until_the_next_scan():
    claim = claimed(build_list({"S-1": [("SKU-A", 1)], "S-2": [("SKU-B", 1)]}))
    assert do_scan(claim, "S-1")["show_order"] is True
    skipped = act(claim, "skip")
    assert (skipped["outcome"], skipped["show_order"]) == ("skipped", False)
    assert "scan a label" in skipped["message"]
    do_scan(claim, "S-2")
    done = do_scan(claim, "SKU-B")
    assert (done["outcome"], done["show_order"]) == ("order_complete", True)
    again = do_scan(claim, "S-2")
    assert (again["outcome"], again["show_order"]) == ("order_already_completed", False)


def test_offers_come_with_the_outcome_vocabulary():
    config = client_config()
    assert config["other_order_label"]["offer"] == "skip"
    assert config["order_already_completed"]["offer"] == "reopen"
    assert config["unknown_item"]["offer"] == "map"
    assert config["item_ok"]["offer"] == ""
    assert set(OFFERS) <= set(Outcome)


def test_undo_without_a_line_goes_back_through_this_stations_units_in_order():
    claim = claimed(build_list({"U-1": [("SKU-A", 2), ("SKU-B", 2)]}))
    for code in ("U-1", "SKU-A", "SKU-B", "SKU-A"):
        do_scan(claim, code)
    packed = lambda: dict(OrderItem.objects.values_list("sku", "packed"))  # noqa: E731
    assert act(claim, "undo")["outcome"] == "undone"
    assert packed() == {"SKU-A": 1, "SKU-B": 1}
    act(claim, "undo")
    assert packed() == {"SKU-A": 1, "SKU-B": 0}
    do_scan(claim, "SKU-B")  # a new scan is the next step back
    act(claim, "undo")
    assert packed() == {"SKU-A": 1, "SKU-B": 0}
    act(claim, "undo")
    assert packed() == {"SKU-A": 0, "SKU-B": 0}
    nothing = act(claim, "undo")
    assert nothing["outcome"] == "already_zero"


def test_a_wrong_item_the_client_knows_is_named():
    packing_list = build_list({"W-1": [("SKU-A", 1)]})
    add_order(build_list(client=packing_list.session.client), "X-1",
              [("DC-DO-050", 1, "Дезодорант рол-он")])
    claim = claimed(packing_list)
    do_scan(claim, "W-1")
    answer = do_scan(claim, "dc-do-050")
    assert answer["outcome"] == "unknown_item"
    assert answer["message"] == "Wrong item: Дезодорант рол-он (DC-DO-050) is not in this order"
    assert answer["product"] == {"sku": "DC-DO-050", "product_name": "Дезодорант рол-он"}
    ok = do_scan(claim, "SKU-A")
    assert ok["product"] == {"sku": "SKU-A", "product_name": "Product SKU-A"}


@pytest.mark.parametrize(("raw", "code"), [
    ("]C1SKU-A", "SKU-A"), ("]E04006381333931", "4006381333931"), ("]Q3O-1", "O-1"),
    ("SKU-A\r\n", "SKU-A"), ("SKU-A\t", "SKU-A"), ("0101234\x1d10ABC", "010123410ABC"),
    ("[C1SKU", "[C1SKU"),
])
def test_scanner_affixes_are_stripped(raw, code):
    assert scanner_code(raw) == code


def test_aim_prefixed_scans_open_and_pack():
    claim = claimed(build_list({"O-1": [("SKU-A", 1)]}))
    assert do_scan(claim, "]Q3O-1")["outcome"] == "order_loaded"
    assert do_scan(claim, "]C1SKU-A\r")["outcome"] == "order_complete"


def test_end_summary_rows():
    packing_list = build_list({"E-1": [("SKU-A", 1), ("SKU-C", 1)], "E-2": [("SKU-B", 1)]})
    claim = claimed(packing_list)
    for code in ("E-1", "SKU-A", "SKU-A", "NOPE"):  # an extra and an unknown: 2 wrong scans
        do_scan(claim, code)
    act(claim, "keep_extra", sku="SKU-A")
    do_scan(claim, "SKU-C")
    do_scan(claim, "E-2")
    act(claim, "skip")
    packing_list.refresh_from_db()
    assert OrderExtra.objects.get().kept == 1
    later = packing_list.started_at + timezone.timedelta(minutes=65, seconds=10)
    rows = {r["key"]: r["value"] for r in end_summary(packing_list, now=later)}
    assert rows == {"orders": "1 of 2", "units": "2 of 3", "skipped": "1", "flagged": "0",
                    "extras_kept": "1", "wrong_scans": "2", "time": "1 h 05 min"}


def test_duration_text():
    assert duration_text(40) == "40 s"
    assert duration_text(720) == "12 min"
    assert duration_text(3600 * 2 + 58 * 60) == "2 h 58 min"


def test_the_timeline_names_the_product_of_each_scan(client):
    from tests.builders import build_user

    packing_list = build_list({"T-1": [("SKU-A", 1, "Крем для рук")]})
    add_order(build_list(client=packing_list.session.client), "X-1",
              [("DC-DO-050", 1, "Дезодорант рол-он")])
    claim = claimed(packing_list)
    for code in ("T-1", "DC-DO-050", "SKU-A"):
        do_scan(claim, code)
    client.force_login(build_user(role="supervisor"))
    order = packing_list.orders.get()
    page = client.get(f"/sessions/orders/{order.pk}/timeline/").content.decode()
    assert '<code>DC-DO-050</code> <span class="event-product">Дезодорант рол-он</span>' in page
    assert '<code>SKU-A</code> <span class="event-product">Крем для рук</span>' in page


def test_station_javascript_does_not_branch_on_outcome_names():
    """The server decides (show_order, offer, packs, tones): station.js names no outcome in a
    comparison or a list of its own."""
    import re
    from pathlib import Path

    source = (Path(__file__).resolve().parents[1] / "static/js/station.js").read_text()
    for outcome in Outcome:
        value = re.escape(outcome.value)
        assert not re.search(rf'(===|!==|==|!=)\s*"{value}"|"{value}"\s*(===|!==)', source), outcome
        assert not re.search(rf'\[[^\]]*"{value}"[^\]]*\]\s*\.includes', source), outcome
