"""Timing and quality metrics of orders and lists (scenario 34), read from orders + scan log."""

from datetime import timedelta

import pytest

from sessions.metrics import grouped_metrics, list_metrics, metrics, order_metrics
from tests.reports_builders import (
    T0,
    make_list,
    make_order,
    make_station,
    make_worker,
    minutes,
    scan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hour_of_work():
    """Scenario 34: 5 orders, 4 completed (600+800+1000+1200 s = one hour), 20 units packed.

    The fifth order is open with 1 unit packed: work in progress, not output. Scans run from
    09:00 to 10:30 (a 30-minute break included: wall time 1.5 h).
    """
    worker, station = make_worker(), make_station()
    plist = make_list()
    start = T0
    orders = []
    for n, (secs, units) in enumerate([(600, 4), (800, 5), (1000, 5), (1200, 6)], start=1):
        done = start + timedelta(seconds=secs)
        orders.append(make_order(
            plist, f"#{1000 + n}", [(f"SKU-{n}", units, units)], status="completed",
            started=start, first_item=start + timedelta(seconds=10 * n), completed=done,
            worker=worker, station=station, corrections=n - 1, extra_scans=1 if n == 2 else 0,
            unknown_scans=1 if n == 3 else 0, manual_confirmations=1 if n == 4 else 0,
        ))
        start = done
    open_order = make_order(plist, "#1005", [("SKU-5", 3, 1)], status="in_progress",
                            started=start, first_item=start + minutes(1))
    # 20 scans: 16 fine, one each of the three wrong outcomes, one order_not_found (not wrong).
    outcomes = ["item_ok"] * 16 + ["unknown_item", "extra_item", "other_order_label",
                                   "order_not_found"]
    for i, outcome in enumerate(outcomes):
        scan(plist, T0 + minutes(4 * i), outcome=outcome, worker=worker, station=station)
    scan(plist, T0 + minutes(90), action="confirm", outcome="confirmed", worker=worker,
         station=station, order=open_order, quantity=1)
    return plist, orders, worker


def test_s34_rates_over_active_time(hour_of_work):
    plist, _orders, _worker = hour_of_work
    m = list_metrics(plist)
    assert m["orders_packed"] == 4
    assert m["items_packed"] == 20
    assert m["active_seconds"] == 3600
    assert m["orders_per_hour_active"] == 4.0
    assert m["items_per_hour_active"] == 20.0
    assert m["avg_order_seconds"] == 900
    assert m["fastest_order_seconds"] == 600
    assert m["slowest_order_seconds"] == 1200
    assert m["avg_first_scan_seconds"] == pytest.approx((10 + 20 + 30 + 40 + 60) / 5)


def test_rates_over_wall_time_include_breaks(hour_of_work):
    plist, _orders, _worker = hour_of_work
    m = list_metrics(plist)
    assert m["wall_seconds"] == 5400
    assert m["orders_per_hour_wall"] == round(4 / 1.5, 1)
    assert m["items_per_hour_wall"] == round(20 / 1.5, 1)


def test_accuracy_counts_unknown_extra_and_other_label_as_wrong(hour_of_work):
    plist, _orders, _worker = hour_of_work
    m = list_metrics(plist)
    assert m["scans"] == 20  # the manual confirm is an action, not a scan
    assert m["wrong_scans"] == 3
    assert m["accuracy"] == 0.85


def test_quality_counters_are_summed(hour_of_work):
    plist, _orders, _worker = hour_of_work
    m = list_metrics(plist)
    assert (m["corrections"], m["extra_scans"], m["unknown_scans"],
            m["manual_confirmations"]) == (6, 1, 1, 1)


def test_list_metrics_query_count_is_fixed(hour_of_work, django_assert_num_queries):
    plist, _orders, worker = hour_of_work
    for n in range(6, 30):  # more orders and events must not cost more queries
        order = make_order(plist, f"#{2000 + n}", [("A", 1, 1), ("B", 2, 2)], status="completed",
                           started=T0, completed=T0 + minutes(n), worker=worker)
        scan(plist, T0 + minutes(n), order=order, worker=worker)
    with django_assert_num_queries(3):
        list_metrics(plist)


def test_empty_list_has_no_fake_rates():
    plist = make_list()
    make_order(plist, "#1", [("A", 1, 0)])
    m = list_metrics(plist)
    assert m["orders_packed"] == 0 and m["items_packed"] == 0
    assert m["orders_per_hour_active"] is None and m["orders_per_hour_wall"] is None
    assert m["accuracy"] is None and m["avg_order_seconds"] is None


def test_order_metrics(hour_of_work):
    plist, orders, worker = hour_of_work
    scan(plist, T0 + minutes(1), order=orders[1], outcome="item_ok", worker=worker)
    scan(plist, T0 + minutes(2), order=orders[1], outcome="extra_item", worker=worker)
    m = order_metrics(orders[1])
    assert m["duration_seconds"] == 800
    assert m["first_scan_seconds"] == 20
    assert m["extra_scans"] == 1 and m["corrections"] == 1
    assert (m["scans"], m["wrong_scans"], m["accuracy"]) == (2, 1, 0.5)
    assert m["started_at"].endswith("+02:00")  # local time of Europe/Sofia in March


def test_open_order_has_no_duration(hour_of_work):
    plist, _orders, _worker = hour_of_work
    m = order_metrics(plist.orders.get(number="#1005"))
    assert m["duration_seconds"] is None and m["first_scan_seconds"] == 60


def test_worker_and_day_attribute_completed_orders(hour_of_work):
    plist, orders, worker = hour_of_work
    other = make_worker("Orca")
    # Completed by Orca at 00:30 local on 3 March (22:30 UTC on 2 March): a 3 March order.
    late = T0.replace(day=3, hour=0, minute=30)
    make_order(plist, "#3001", [("X", 2, 2)], status="completed", started=late - minutes(5),
               completed=late, worker=other)
    scan(plist, late, worker=other, outcome="unknown_item")
    by_day = grouped_metrics("day", packing_list=plist)
    assert {d.isoformat(): m["orders_packed"] for d, m in by_day.items()} == {
        "2026-03-02": 4, "2026-03-03": 1}
    assert by_day[late.date()]["accuracy"] == 0.0
    assert metrics(worker=other)["items_packed"] == 2
    assert metrics(worker=worker, date_from=T0.date(), date_to=T0.date())["orders_packed"] == 4
    assert metrics(worker=worker, date_from=late.date())["orders_packed"] == 0
    by_worker = grouped_metrics("worker", client=plist.session.client)
    assert by_worker[worker.pk]["orders_packed"] == 4
    assert by_worker[other.pk]["avg_order_seconds"] == 300


class Clock:
    """A settable timezone.now for the engine, so scans happen at chosen moments."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


def test_s34_end_to_end_through_the_scanning_engine(monkeypatch):
    """Packed with the real scan service: 4 orders of 15 min (5 units each) with 5-minute
    pauses between them, a fifth order opened and left; an unknown item and an extra on the way.
    """
    from django.utils import timezone as tz

    from sessions.lifecycle import end_list
    from sessions.scanning.codes import perform_action
    from sessions.scanning.codes import scan as scan_code
    from tests.builders import build_list, claimed, supervisor_approval

    clock = Clock(T0)
    monkeypatch.setattr(tz, "now", clock)
    orders = {f"#{n}": [("A", 2), ("B", 3)] for n in range(1, 6)}
    plist = build_list(orders)
    claim = claimed(plist)
    token = claim.token
    for n in range(1, 5):
        assert scan_code(plist.pk, token=token, code=f"#{n}")["outcome"] == "order_loaded"
        codes = ["A", "B", "A", "B", "B"]
        if n == 1:
            codes.insert(1, "NOPE")  # unknown item
        if n == 2:
            codes.insert(2, "A")  # extra A (lines full), removed again below
        for code in codes:
            clock.advance(900 / len(codes))
            answer = scan_code(plist.pk, token=token, code=code)
            if answer["outcome"] == "extra_item":
                perform_action(plist.pk, token=token, action="remove_extra", sku="A")
        assert answer["outcome"] == "order_complete"
        clock.advance(300)
    scan_code(plist.pk, token=token, code="#5")
    clock.advance(60)
    scan_code(plist.pk, token=token, code="A")

    m = list_metrics(plist)
    assert (m["orders_packed"], m["items_packed"]) == (4, 20)
    assert m["active_seconds"] == 3600 and m["avg_order_seconds"] == 900
    assert (m["orders_per_hour_active"], m["items_per_hour_active"]) == (4.0, 20.0)
    assert m["wall_seconds"] == 3600 + 4 * 300 + 60
    # 5 order labels, 20 good items, the unknown and the extra, 1 item of #5.
    assert (m["scans"], m["wrong_scans"]) == (5 + 20 + 2 + 1, 2)
    assert (m["unknown_scans"], m["extra_scans"]) == (1, 1)
    assert m["accuracy"] == round(1 - 2 / 28, 4)

    summary = end_list(plist.pk, token=token, force=True, approver=supervisor_approval())
    assert summary["open_orders"] == ["#5"] and summary["completed_orders"] == 4
    assert summary["metrics"]["avg_time_per_order"] == 900


def test_untimed_orders_do_not_raise_the_active_pace(hour_of_work):
    """A completed order without a start time (imported history) counts as output, but its
    units cannot be divided by time nobody measured."""
    plist, _orders, worker = hour_of_work
    make_order(plist, "#OLD", [("Z", 8, 8)], status="completed", completed=T0 + minutes(70),
               worker=worker)
    m = list_metrics(plist)
    assert (m["orders_packed"], m["items_packed"]) == (5, 28)
    assert (m["orders_per_hour_active"], m["items_per_hour_active"]) == (4.0, 20.0)
