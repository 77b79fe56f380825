"""The completion report (xlsx) and the summary of a packing list.

The report is **regenerated on demand** from the database, never stored: the rows and the scan
log are the truth, so a file written at the end could only ever be equal or stale (e.g. after a
supervisor reopens an order). Generating it costs a handful of queries and about a second for
10,000 lines (write-only workbook, rows streamed; ../shared/stack-notes.md pitfall 12).

Spreadsheet safety: a text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage
return) would be read by Excel as a formula ("CSV/formula injection" from a hostile order note or
SKU). Such cells are written as plain strings with Excel's quote-prefix flag: the value is kept
exactly, and Excel shows it as text and never evaluates it.
"""

import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from sessions.models import ClaimEvent, Order, OrderItem
from sessions.payloads import list_counters
from sessions.selectors import list_metrics, local_tz

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COMPLETED_FILL = PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE")
HEADER_FONT = Font(bold=True)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The five standard columns of a packing list and where their values live now.
STANDARD_COLUMNS = {
    "Order_Number": lambda order, item: order.number,
    "SKU": lambda order, item: item.sku,
    "Product_Name": lambda order, item: item.product_name,
    "Quantity": lambda order, item: item.required,
    "Courier": lambda order, item: order.courier,
}
# Order metadata shown for lists that came without a source sheet (packing-list JSON).
METADATA_COLUMNS = {
    "Country": lambda order: order.country,
    "Order_Type": lambda order: order.order_type,
    "Tags": lambda order: ", ".join(map(str, order.tags or [])),
    "Internal_Tags": lambda order: ", ".join(map(str, order.internal_tags or [])),
    "Notes": lambda order: order.notes,
    "System_Note": lambda order: order.system_note,
    "Box": lambda order: order.box,
}
STATUS_COLUMNS = ("Status", "Completed At", "Packed By")


def status_label(order):
    """English status words of the old report (kept: other tools read this column)."""
    return {
        Order.Status.COMPLETED: "Completed",
        Order.Status.IN_PROGRESS: "In progress",
        Order.Status.SKIPPED: "Skipped",
    }.get(order.status, "New")


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(ws, value, *, fill=None, font=None, number_format=None):
    """A write-only cell that can never be a formula (see the module docstring)."""
    cell = WriteOnlyCell(ws, value=value)
    if is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def local_naive(value):
    """Aware datetime → naive local time (xlsx has no time zones; the warehouse reads local)."""
    if value is None:
        return None
    return timezone.localtime(value, local_tz()).replace(tzinfo=None)


# ---------------------------------------------------------------- completion report

def _report_rows(packing_list):
    """(order, item) pairs in source order: by source row when known, else order sequence."""
    items = (
        OrderItem.objects.filter(order__packing_list=packing_list)
        .select_related("order__completed_by")
        .order_by("order__sequence", "order_id", "line_number")
    )
    pairs = [(item.order, item) for item in items]
    if all(item.source_row is not None for _order, item in pairs):
        pairs.sort(key=lambda pair: pair[1].source_row)
    return pairs


def _source_layout(packing_list, pairs):
    """The columns of the report (before the status columns) and a header → value function.

    Lists imported from a sheet keep their own headers in their own order; the mapped standard
    columns (the import's column mapping, kept in the session info) are filled from the order
    and its line, every other header from the line's extra columns. Lists without a sheet get
    the five standard columns, the order metadata that is used, then any extra columns.
    """
    headers = list(packing_list.source_columns or [])
    if headers:
        mapping = packing_list.info.get("mapping") or packing_list.session.info.get("mapping")
        header_to_std = {v: k for k, v in (mapping or {}).items() if k in STANDARD_COLUMNS}
        for std in STANDARD_COLUMNS:
            if std in headers and std not in header_to_std.values():
                header_to_std.setdefault(std, std)

        def value(order, item, header):
            std = header_to_std.get(header)
            if std is not None:
                return STANDARD_COLUMNS[std](order, item)
            return item.extra_columns.get(header, "")

        return headers, value
    used_meta = [h for h, get in METADATA_COLUMNS.items() if any(get(o) for o, _i in pairs)]
    extras = list(dict.fromkeys(k for _o, item in pairs for k in item.extra_columns))
    extras = [k for k in extras if k not in STANDARD_COLUMNS and k not in METADATA_COLUMNS]

    def value(order, item, header):
        if header in STANDARD_COLUMNS:
            return STANDARD_COLUMNS[header](order, item)
        if header in METADATA_COLUMNS:
            return METADATA_COLUMNS[header](order)
        return item.extra_columns.get(header, "")

    return list(STANDARD_COLUMNS) + used_meta + extras, value


def _status_values(order):
    done = order.status == Order.Status.COMPLETED
    packed_by = order.completed_by.display_name if done and order.completed_by else ""
    return {
        "Status": status_label(order),
        "Completed At": local_naive(order.completed_at) if done else None,
        "Packed By": packed_by,
    }


def _write_lines_sheet(wb, packing_list):
    ws = wb.create_sheet(_sheet_title(packing_list.name))
    pairs = _report_rows(packing_list)
    headers, value = _source_layout(packing_list, pairs)
    # A source column called like one of ours (e.g. Shopify's "Status") is overwritten in place,
    # as the old report did; the others are appended.
    columns = headers + [c for c in STATUS_COLUMNS if c not in headers]
    ws.append([safe_cell(ws, h, font=HEADER_FONT) for h in columns])
    for order, item in pairs:
        status = _status_values(order)
        fill = COMPLETED_FILL if order.status == Order.Status.COMPLETED else None
        row = []
        for header in columns:
            v = status[header] if header in status else value(order, item, header)
            fmt = DATETIME_FORMAT if isinstance(v, datetime) else None
            row.append(safe_cell(ws, v, fill=fill, number_format=fmt))
        ws.append(row)
    return ws


def _sheet_title(name):
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(name)).strip("'")
    return (cleaned or "Packing list")[:31]


def _write_summary_sheet(wb, summary):
    ws = wb.create_sheet(_("Summary")[:31])
    flat = {k: v for k, v in summary.items() if not isinstance(v, (dict, list))}
    flat.update({f"metrics.{k}": v for k, v in summary["metrics"].items()})
    flat.update({f"figures.{k}": v for k, v in summary["figures"].items()})
    for key, val in flat.items():
        ws.append([safe_cell(ws, key, font=HEADER_FONT), safe_cell(ws, val)])


def completion_report(packing_list):
    """The completion report of a list as xlsx bytes (regenerated from the database).

    Sheet 1: every source line with its original columns, then Status (Completed / In progress /
    Skipped / New), Completed At (the order's own completion time, local) and Packed By (who
    completed it); completed rows are green. Sheet 2: the list summary.
    """
    wb = Workbook(write_only=True)
    _write_lines_sheet(wb, packing_list)
    _write_summary_sheet(wb, list_summary(packing_list))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_filename(packing_list):
    """`<session>_<list>_completed.xlsx`, safe for any file system."""
    raw = f"{packing_list.session.external_id}_{packing_list.name}_completed.xlsx"
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in raw)


# ---------------------------------------------------------------- summary

def _end_event(packing_list):
    return (
        ClaimEvent.objects.filter(packing_list=packing_list, kind=ClaimEvent.Kind.END)
        .select_related("worker", "station").order_by("-created_at", "-id").first()
    )


def _who(packing_list):
    """Worker and station of the end (from the END event), or of the current claim."""
    event = _end_event(packing_list) if packing_list.ended_at else None
    if event is not None:
        return event.worker, event.station
    return packing_list.holder, packing_list.station


def _legacy_metrics(figures, orders_started):
    """The `metrics` block of the old session_summary.json v1.3.0, from our figures.

    Same keys, always numbers (0 when unknown, as the old file did). Where the old meaning was
    odd we use ours, on purpose: orders/items per hour are the wall-time rates (the old app
    divided by the list's elapsed time), avg_time_per_item is active time / items packed (the
    old figure was a mean offset of scans inside an order).
    """
    items = figures["items_packed"]
    return {
        "avg_time_per_order": figures["avg_order_seconds"] or 0,
        "avg_time_per_item": round(figures["active_seconds"] / items, 1) if items else 0,
        "fastest_order_seconds": int(figures["fastest_order_seconds"] or 0),
        "slowest_order_seconds": int(figures["slowest_order_seconds"] or 0),
        "orders_per_hour": figures["orders_per_hour_wall"] or 0,
        "items_per_hour": figures["items_per_hour_wall"] or 0,
        "avg_time_to_first_scan": figures["avg_first_scan_seconds"] or 0,
        "total_corrections": figures["corrections"],
        "avg_corrections_per_order": (
            round(figures["corrections"] / orders_started, 2) if orders_started else 0
        ),
        "total_extra_scans": figures["extra_scans"],
        "total_unknown_scans": figures["unknown_scans"],
    }


def _iso(value):
    return timezone.localtime(value, local_tz()).isoformat() if value else None


def list_summary(packing_list):
    """The figures of the old session_summary.json v1.3.0 plus today's metrics (`figures`).

    `duration_seconds` is the list's elapsed time (started → ended, or → now while it is still
    open; None before it started). `worker` / `station` are who ended it (or hold it now).
    Partial while the list is being packed; final once ended.
    """
    counters = list_counters([packing_list.pk])[packing_list.pk]
    figures = list_metrics(packing_list)
    orders = Order.objects.filter(packing_list=packing_list)
    open_or_skipped = list(
        orders.exclude(status=Order.Status.COMPLETED).order_by("sequence", "id")
        .values("number", "status", "skipped_at")
    )
    orders_started = orders.filter(started_at__isnull=False).count()
    unique_skus = (OrderItem.objects.filter(order__packing_list=packing_list)
                   .values("sku").distinct().count())
    worker, station = _who(packing_list)
    session = packing_list.session
    end = packing_list.ended_at or timezone.now()
    duration = int((end - packing_list.started_at).total_seconds()) if packing_list.started_at \
        else None
    return {
        "version": "1.3.0",
        "list": packing_list.pk,
        "session_id": session.external_id,
        "session_type": session.source,
        "client_id": session.client.code,
        "packing_list_name": packing_list.name,
        "status": packing_list.status,
        "worker_id": worker.pk if worker else None,
        "worker_name": worker.display_name if worker else None,
        "station": station.name if station else None,
        "started_at": _iso(packing_list.started_at),
        "completed_at": _iso(packing_list.ended_at),
        "duration_seconds": duration,
        "total_orders": counters["orders"],
        "completed_orders": counters["completed_orders"],
        "in_progress_orders": counters["in_progress_orders"],
        "new_orders": counters["new_orders"],
        "skipped_orders_count": counters["skipped_orders"],
        "total_items": counters["units"],
        "packed_items": counters["packed_units"],
        "unique_skus": unique_skus,
        "metrics": _legacy_metrics(figures, orders_started),
        "figures": figures,
        "open_orders": [o["number"] for o in open_or_skipped
                        if o["status"] != Order.Status.SKIPPED],
        "skipped_orders": [
            {"order_number": o["number"], "skipped_at": _iso(o["skipped_at"]),
             "status": o["status"]}
            for o in open_or_skipped if o["status"] == Order.Status.SKIPPED
        ],
    }
