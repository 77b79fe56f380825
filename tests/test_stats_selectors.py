"""Dashboard data per client, worker and day, with filters; it agrees with list metrics."""

from datetime import date, timedelta

import pytest

from sessions.metrics import list_metrics
from stats.metrics import dashboard, dashboard_rows, default_range
from tests.reports_builders import T0, make_list, make_order, make_worker, minutes, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor():
    """Two clients, two workers, two days.

    Day 1 (2 March): Dolphin packs 3 orders of M (10 min each, 2 units each), Orca 1 order of
    B (20 min, 5 units). Day 2 (3 March): Dolphin packs 1 order of B (5 min, 1 unit).
    One unpacked order of M stays new.
    """
    dolphin, orca = make_worker("Dolphin"), make_worker("Orca")
    m_list = make_list("M")
    b_list = make_list("B", session_id="2026-03-02_b")
    for n in range(3):
        start = T0 + minutes(10 * n)
        order = make_order(m_list, f"#M{n}", [("A", 2, 2)], status="completed", started=start,
                           completed=start + minutes(10), worker=dolphin)
        scan(m_list, start, order=order, worker=dolphin, outcome="order_loaded")
        scan(m_list, start + minutes(5), order=order, worker=dolphin,
             outcome="unknown_item" if n == 0 else "item_ok")
    make_order(m_list, "#M9", [("A", 1, 0)])
    order = make_order(b_list, "#B1", [("B", 5, 5)], status="completed", started=T0,
                       completed=T0 + minutes(20), worker=orca)
    scan(b_list, T0, order=order, worker=orca, outcome="order_loaded")
    scan(b_list, T0 + minutes(20), order=order, worker=orca, outcome="item_ok")
    day2 = T0 + timedelta(days=1)
    order = make_order(b_list, "#B2", [("B", 1, 1)], status="completed", started=day2,
                       completed=day2 + minutes(5), worker=dolphin)
    scan(b_list, day2, order=order, worker=dolphin, outcome="order_loaded")
    scan(b_list, day2 + minutes(5), order=order, worker=dolphin, outcome="item_ok")
    return {"dolphin": dolphin, "orca": orca, "m": m_list, "b": b_list}


def by_label(rows):
    return {r["label"]: r for r in rows}


def test_per_client(floor):
    rows = by_label(dashboard_rows("client"))
    assert set(rows) == {"M", "B"}
    assert (rows["M"]["orders_packed"], rows["M"]["items_packed"]) == (3, 6)
    assert rows["M"]["orders_per_hour_active"] == 6.0  # 3 orders in 30 active minutes
    assert rows["M"]["accuracy"] == round(1 - 1 / 6, 4)
    assert (rows["B"]["orders_packed"], rows["B"]["avg_order_seconds"]) == (2, 750)


def test_per_worker_with_client_filter(floor):
    rows = by_label(dashboard_rows("worker", client=floor["b"].session.client))
    assert rows["Orca"]["orders_packed"] == 1 and rows["Orca"]["items_packed"] == 5
    assert rows["Dolphin"]["orders_packed"] == 1 and rows["Dolphin"]["items_per_hour_active"] == 12
    assert [r["label"] for r in dashboard_rows("worker")] == ["Dolphin", "Orca"]


def test_per_day_fills_the_range_for_charts(floor):
    rows = dashboard_rows("day", date_from=date(2026, 3, 1), date_to=date(2026, 3, 4))
    assert [r["label"] for r in rows] == ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]
    assert [r["orders_packed"] for r in rows] == [0, 4, 1, 0]
    assert rows[0]["orders_per_hour_active"] is None and rows[0]["accuracy"] is None


def test_worker_sees_only_own_figures_when_filtered(floor):
    data = dashboard(worker=floor["dolphin"], date_from=date(2026, 3, 2), date_to=date(2026, 3, 3))
    assert data["totals"]["orders_packed"] == 4
    assert {r["label"] for r in data["by_worker"]} == {"Dolphin"}
    assert data["totals"]["scans"] == 8 and data["totals"]["wrong_scans"] == 1
    assert data["filters"]["worker"] == floor["dolphin"].pk


def test_date_range_filter(floor):
    data = dashboard(date_from=date(2026, 3, 3), date_to=date(2026, 3, 3))
    assert data["totals"]["orders_packed"] == 1
    assert [r["label"] for r in data["by_client"]] == ["B"]


def test_dashboard_agrees_with_list_metrics(floor):
    rows = by_label(dashboard_rows("client", date_from=date(2026, 3, 1),
                                   date_to=date(2026, 3, 31)))
    m = list_metrics(floor["m"])
    for key in ("orders_packed", "items_packed", "active_seconds", "avg_order_seconds",
                "accuracy", "wall_seconds"):
        assert rows["M"][key] == m[key], key


def test_default_range_is_the_last_30_days():
    assert default_range(date(2026, 3, 31)) == (date(2026, 3, 2), date(2026, 3, 31))
    data = dashboard()
    assert len(data["by_day"]) == 30 and data["totals"]["orders_packed"] == 0


def test_dashboard_query_count_is_fixed(floor, django_assert_max_num_queries):
    # Totals and four groupings (client, worker, day, hour) of three queries each, plus the
    # client and worker labels: 17, whatever the size of the range.
    with django_assert_max_num_queries(17):
        dashboard(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))


def test_per_list_and_per_session(floor):
    from sessions.metrics import grouped_metrics

    by_list = grouped_metrics("list")
    assert by_list[floor["m"].pk]["orders_packed"] == 3
    assert by_list[floor["b"].pk]["orders_packed"] == 2
    by_session = grouped_metrics("session", worker=floor["dolphin"])
    assert by_session[floor["b"].session_id]["orders_packed"] == 1
    with pytest.raises(ValueError):
        grouped_metrics("station")
