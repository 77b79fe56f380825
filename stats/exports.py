"""History export of a packing list or a whole session: its orders and its scan log.

Two tables: *orders* (one row per order with timing and quality, the same figures as
`sessions.metrics.order_metrics`) and *scans* (the ScanEvent log, oldest first). As xlsx both
are sheets of one workbook; as CSV one table per file (`kind`). Times are local
(settings.TIME_ZONE).

Spreadsheet safety (profiles.spreadsheets): xlsx text cells go through
`sessions.reports.CellMaker` (never a formula); in CSV, which has no cell types, a value
starting with =, +, -, @, tab or CR gets a leading apostrophe (`neutralised`).
"""

import csv
import io
from datetime import datetime

from django.db.models import Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook

from profiles.spreadsheets import neutralised
from sessions.errors import InvalidRequest
from sessions.models import Order, ScanEvent
from sessions.outcomes import WRONG
from sessions.reports import DATETIME_FORMAT, HEADER_FONT, CellMaker, local_naive

ORDER_COLUMNS = [
    "Session", "List", "Sequence", "Order", "Courier", "Status", "Started At", "First Item At",
    "Completed At", "Skipped At", "Duration (s)", "First Scan (s)", "Required Units",
    "Packed Units", "Corrections", "Extra Scans", "Unknown Scans", "Manual Confirmations",
    "Completed By", "Station",
]
SCAN_COLUMNS = [
    "Time", "Session", "List", "Order", "SKU", "Action", "Code", "Outcome", "Wrong", "Quantity",
    "Manual", "Worker", "Station", "Scan Id",
]
KINDS = ("orders", "scans")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def _scope(packing_list=None, session=None):
    if packing_list is None and session is None:
        raise InvalidRequest(_("A packing list or a session is required for a history export."))
    orders = Order.objects.all()
    events = ScanEvent.objects.all()
    if packing_list is not None:
        orders = orders.filter(packing_list=getattr(packing_list, "pk", packing_list))
        events = events.filter(packing_list=getattr(packing_list, "pk", packing_list))
    if session is not None:
        orders = orders.filter(packing_list__session=getattr(session, "pk", session))
        events = events.filter(packing_list__session=getattr(session, "pk", session))
    return orders, events


def _seconds(end, start):
    return round((end - start).total_seconds(), 1) if end and start else None


def order_rows(*, packing_list=None, session=None):
    """Rows of ORDER_COLUMNS (datetimes naive local), in list and sequence order; one query."""
    orders, _events = _scope(packing_list, session)
    qs = (
        orders.annotate(units=Sum("items__required"), packed=Sum("items__packed"))
        .order_by("packing_list__session_id", "packing_list__position", "packing_list_id",
                  "sequence", "id")
        .values_list(
            "packing_list__session__external_id", "packing_list__name", "sequence", "number",
            "courier", "status", "started_at", "first_item_at", "completed_at", "skipped_at",
            "units", "packed", "corrections", "extra_scans", "unknown_scans",
            "manual_confirmations", "completed_by__display_name", "completed_station__name",
        )
    )
    for (session_id, list_name, seq, number, courier, status, started, first_item, completed,
         skipped, units, packed, corrections, extras, unknown, manual, by, station) in qs:
        done = status == Order.Status.COMPLETED
        yield [
            session_id, list_name, seq, number, courier, status, local_naive(started),
            local_naive(first_item), local_naive(completed), local_naive(skipped),
            _seconds(completed, started) if done else None, _seconds(first_item, started),
            units or 0, packed or 0, corrections, extras, unknown, manual, by or "",
            station or "",
        ]


def scan_rows(*, packing_list=None, session=None):
    """Rows of SCAN_COLUMNS, oldest first, streamed in chunks (the log can be long)."""
    _orders, events = _scope(packing_list, session)
    qs = events.order_by("created_at", "id").values_list(
        "created_at", "packing_list__session__external_id", "packing_list__name",
        "order__number", "item__sku", "action", "raw_code", "outcome", "quantity", "manual",
        "worker__display_name", "station__name", "scan_id",
    )
    for (at, session_id, list_name, number, sku, action, code, outcome, quantity, manual,
         worker, station, scan_id) in qs.iterator(chunk_size=2000):
        wrong = action == ScanEvent.Action.SCAN and outcome in WRONG
        yield [
            local_naive(at), session_id, list_name, number or "", sku or "", action, code,
            outcome, wrong, quantity, manual, worker or "", station or "", scan_id or "",
        ]


def history_xlsx(*, packing_list=None, session=None):
    """Both tables as one xlsx (sheets Orders and Scans), as bytes."""
    _scope(packing_list, session)  # refuse a missing scope before any sheet exists
    wb = Workbook(write_only=True)
    tables = (("Orders", ORDER_COLUMNS, order_rows), ("Scans", SCAN_COLUMNS, scan_rows))
    for title, columns, rows in tables:
        ws = wb.create_sheet(title)
        cell = CellMaker(ws)
        ws.append([cell(c, font=HEADER_FONT) for c in columns])
        for row in rows(packing_list=packing_list, session=session):
            ws.append([
                cell(v, number_format=DATETIME_FORMAT if isinstance(v, datetime) else None)
                for v in row
            ])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv_value(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralised(value)


def history_csv(kind, *, packing_list=None, session=None):
    """One table ("orders" or "scans") as CSV text with a header row (UTF-8 with BOM, so
    Excel opens Cyrillic names correctly)."""
    if kind not in KINDS:
        raise InvalidRequest(_("Unknown export %(kind)s; use one of: %(kinds)s.")
                             % {"kind": kind, "kinds": ", ".join(KINDS)})
    columns, rows = (ORDER_COLUMNS, order_rows) if kind == "orders" else (SCAN_COLUMNS, scan_rows)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows(packing_list=packing_list, session=session):
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue()
