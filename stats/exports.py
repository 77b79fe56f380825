"""History export of a packing list or a whole session: its orders and its scan log.

Two tables: *orders* (one row per order with timing and quality, the same figures as
`sessions.metrics.order_metrics`) and *scans* (the ScanEvent log, oldest first). As xlsx both
are sheets of one workbook; as CSV one table per file (`kind`). Times are local
(settings.TIME_ZONE).

Both formats are written by `profiles.spreadsheets` (the one sheet writer): widths from the
content, frozen header, autofilter; codes (order numbers, SKUs, scanned codes, scan ids) kept as
text, in CSV too; no cell ever a formula.
"""

from django.db.models import Sum
from django.utils.translation import gettext as _

from profiles.spreadsheets import add_sheet, csv_text, new_workbook, workbook_bytes
from sessions.errors import InvalidRequest
from sessions.models import Order, ScanEvent
from sessions.outcomes import WRONG
from sessions.reports import local_naive

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
# Columns holding codes: text in the xlsx, and never turned into numbers by a spreadsheet
# opening the CSV (a barcode 3801234567890 used to show as 3.80123E+12).
CODE_COLUMNS = ("Session", "Order", "SKU", "Code", "Scan Id")
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
    wb = new_workbook()
    tables = (("Orders", ORDER_COLUMNS, order_rows), ("Scans", SCAN_COLUMNS, scan_rows))
    for title, columns, rows in tables:
        add_sheet(wb, title, columns, rows(packing_list=packing_list, session=session),
                  codes=CODE_COLUMNS)
    return workbook_bytes(wb)


def history_csv(kind, *, packing_list=None, session=None):
    """One table ("orders" or "scans") as CSV text with a header row (UTF-8 with BOM, so
    Excel opens Cyrillic names correctly)."""
    if kind not in KINDS:
        raise InvalidRequest(_("Unknown export %(kind)s; use one of: %(kinds)s.")
                             % {"kind": kind, "kinds": ", ".join(KINDS)})
    columns, rows = (ORDER_COLUMNS, order_rows) if kind == "orders" else (SCAN_COLUMNS, scan_rows)
    return csv_text(columns, rows(packing_list=packing_list, session=session),
                    codes=CODE_COLUMNS)
