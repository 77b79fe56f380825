"""The dashboard's tables as files: xlsx (one sheet per table) or CSV (one table).

The rows are the page's (stats.metrics.dashboard), the columns its columns plus the scan counts
behind the accuracy, headed in the user's language. Written by `profiles.spreadsheets` (the
one sheet writer: widths, frozen header, autofilter, codes kept as text, no formulas); client
codes are code columns, so `0012` stays `0012` in a spreadsheet.
"""

from django.utils.translation import gettext as _

from profiles.models import Client
from profiles.spreadsheets import add_sheet, csv_text, new_workbook, workbook_bytes
from sessions.errors import InvalidRequest

TABLES = ("worker", "client", "day", "hour")


def table_titles():
    return {"worker": _("Per worker"), "client": _("Per client"), "day": _("Per day"),
            "hour": _("Per hour")}


def _first_columns(table):
    return {"worker": [_("Worker")], "client": [_("Client code"), _("Client")],
            "day": [_("Day")], "hour": [_("Hour")]}[table]


def _figure_columns():
    return [_("Orders"), _("Items"), _("Orders / hour"), _("Items / hour"),
            _("Accuracy (%)"), _("Average order time (s)"), _("Scans"), _("Wrong scans")]


def _figures(row):
    accuracy = row["accuracy"]
    return [row["orders_packed"], row["items_packed"], row["orders_per_hour_active"],
            row["items_per_hour_active"],
            None if accuracy is None else round(accuracy * 100, 2),
            row["avg_order_seconds"], row["scans"], row["wrong_scans"]]


def _rows(table, data):
    rows = data[f"by_{table}"]
    if table == "client":
        codes = dict(Client.objects.filter(pk__in=[r["key"] for r in rows])
                     .values_list("pk", "code"))
        names = dict(Client.objects.filter(pk__in=codes).values_list("pk", "name"))
        return [[codes.get(r["key"], ""), names.get(r["key"], ""), *_figures(r)] for r in rows]
    if table == "day":
        return [[r["key"], *_figures(r)] for r in rows if r["orders_packed"] or r["scans"]]
    return [[r["label"], *_figures(r)] for r in rows]


def table(table_name, data):
    """(header, rows, code columns) of one dashboard table."""
    if table_name not in TABLES:
        raise InvalidRequest(_("Unknown table %(table)s; use one of: %(tables)s.")
                             % {"table": table_name, "tables": ", ".join(TABLES)})
    first = _first_columns(table_name)
    codes = first[:1] if table_name in ("client", "worker") else ()
    return first + _figure_columns(), _rows(table_name, data), codes


def dashboard_xlsx(data, tables=TABLES):
    """Every table as a sheet of one workbook, as bytes."""
    wb = new_workbook()
    titles = table_titles()
    for name in tables:
        header, rows, codes = table(name, data)
        add_sheet(wb, titles[name], header, rows, codes=codes)
    return workbook_bytes(wb)


def dashboard_csv(table_name, data):
    """One table as CSV text."""
    header, rows, codes = table(table_name, data)
    return csv_text(header, rows, codes=codes)
