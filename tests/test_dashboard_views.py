"""Dashboard (issue 14): charts with axes and written values, an hourly view, the tables as
xlsx and CSV (codes kept as text), "Accuracy" explained, a reversed range refused in words."""

import csv
import io
from datetime import date

import openpyxl
import pytest

from stats.charts import bar_chart, nice_ticks
from stats.metrics import dashboard, dashboard_rows
from tests.reports_builders import T0, make_list, make_order, make_worker, minutes, scan

pytestmark = pytest.mark.django_db
RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


@pytest.fixture
def floor():
    """Client 0012: Dolphin packs two orders at 09:xx and one at 14:xx on 2 March; one wrong
    scan of four."""
    dolphin = make_worker("Dolphin")
    packing_list = make_list("0012")
    for n, start in enumerate([T0, T0 + minutes(20), T0 + minutes(5 * 60)]):
        order = make_order(packing_list, f"#00{n}", [("A", 1, 1)], status="completed",
                           started=start, completed=start + minutes(10), worker=dolphin)
        scan(packing_list, start, order=order, worker=dolphin, outcome="order_loaded")
        if n == 0:
            scan(packing_list, start + minutes(1), order=order, worker=dolphin,
                 outcome="unknown_item")
    return dolphin


@pytest.fixture
def supervisor(client):
    client.force_login(make_worker("Sue", supervisor=True).user)
    return client


def test_the_hourly_view_counts_orders_by_the_local_hour_they_were_completed(floor):
    rows = {r["label"]: r for r in dashboard_rows("hour", date_from=date(2026, 3, 1),
                                                 date_to=date(2026, 3, 31))}
    assert rows["09:00"]["orders_packed"] == 2 and rows["14:00"]["orders_packed"] == 1
    assert rows["10:00"]["orders_packed"] == 0  # every hour of the shift is on the axis
    assert list(rows)[0] == "06:00" and list(rows)[-1] == "18:00"
    assert dashboard(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))["by_hour"]


def test_charts_have_a_value_axis_titles_and_written_values():
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(100) == [0, 25, 50, 75, 100]
    assert nice_ticks(0.8) == [0, 0.2, 0.4, 0.6, 0.8]
    chart = bar_chart([{"label": "09:00", "v": 3}, {"label": "10:00", "v": 7}], "v",
                      x_title="Hour", y_title="Orders")
    assert [t["text"] for t in chart["ticks"]] == ["0", "2", "4", "6", "8"]
    assert chart["ticks"][0]["y"] == chart["baseline"]
    assert [b["text"] for b in chart["bars"]] == ["3", "7"]
    assert all(b["show_text"] and b["show_label"] for b in chart["bars"])
    assert chart["axis"]["x_title"] == "Hour" and chart["axis"]["y_title"] == "Orders"


def test_the_page_draws_axes_values_and_the_hourly_chart_and_explains_accuracy(floor,
                                                                                supervisor):
    html = supervisor.get("/dashboard/", RANGE).content.decode()
    assert html.count('class="tick"') >= 4 * 2  # four charts, ticks on each
    assert 'class="axis-title"' in html
    assert 'class="val' in html  # values written, not only in <title> for hovering
    assert "Orders packed per hour of the day" in html and 'id="by-hour"' in html
    assert 'id="accuracy-explained"' in html
    assert "1 − wrong scans ÷ scans" in html
    assert "In this range: 1 wrong of 4 scans." in html


def test_a_reversed_range_is_an_error_not_an_empty_page(floor, supervisor):
    answer = supervisor.get("/dashboard/", {"date_from": "2026-03-31",
                                            "date_to": "2026-03-01"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'id="dashboard-error"' in html and "reversed" in html
    assert 'id="by-worker"' not in html  # no empty tables pretending there was no work
    download = supervisor.get("/dashboard/export.xlsx", {"date_from": "2026-03-31",
                                                        "date_to": "2026-03-01"})
    assert download.status_code == 400


def test_the_range_error_speaks_the_users_language(floor, supervisor):
    supervisor.cookies["django_language"] = "uk"
    html = supervisor.get("/dashboard/", {"date_from": "2026-03-31", "date_to": "2026-03-01"},
                          HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert 'id="dashboard-error"' in html
    assert "reversed" not in html


def test_the_tables_export_to_xlsx_with_a_sheet_each(floor, supervisor):
    answer = supervisor.get("/dashboard/export.xlsx", RANGE)
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith(
        'filename="2026-03-01_2026-03-31_dashboard.xlsx"')
    wb = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert wb.sheetnames == ["Per worker", "Per client", "Per day", "Per hour"]
    clients = wb["Per client"]
    assert [c.value for c in clients[1]][:3] == ["Client code", "Client", "Orders"]
    code = clients["A2"]
    assert code.value == "0012" and code.data_type == "s" and code.number_format == "@"
    assert clients["C2"].value == 3
    assert clients.freeze_panes == "A2" and clients.auto_filter.ref
    hours = {row[0]: row[1] for row in wb["Per hour"].iter_rows(min_row=2, values_only=True)}
    assert hours["09:00"] == 2 and hours["14:00"] == 1
    accuracy = [c.value for c in wb["Per worker"][2]]
    assert accuracy[0] == "Dolphin" and accuracy[5] == 75.0  # 1 − 1/4, in per cent


def test_each_table_exports_to_csv_with_codes_kept_as_text(floor, supervisor):
    answer = supervisor.get("/dashboard/export.csv", {**RANGE, "table": "client"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"].endswith(
        'filename="2026-03-01_2026-03-31_dashboard_client.csv"')
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Client code", "Client", "Orders"]
    assert rows[1][0] == '="0012"' and rows[1][2] == "3"
    days = list(csv.reader(io.StringIO(supervisor.get(
        "/dashboard/export.csv", {**RANGE, "table": "day"}).content.decode("utf-8-sig"))))
    assert [r[0] for r in days[1:]] == ["2026-03-02"]
    assert supervisor.get("/dashboard/export.csv", {**RANGE, "table": "nope"}
                          ).status_code == 400


def test_a_packer_exports_only_their_own_figures(floor, client):
    other = make_worker("Orca")
    client.force_login(other.user)
    from django.contrib.auth.models import Group

    other.user.groups.add(Group.objects.get_or_create(name="packer")[0])
    answer = client.get("/dashboard/export.csv", {**RANGE, "table": "worker",
                                                  "worker": floor.pk})
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert all(r[0] != "Dolphin" for r in rows[1:])
