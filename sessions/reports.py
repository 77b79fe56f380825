"""The completion report (xlsx) and the summary of a packing list.

The report is **regenerated on demand** from the database, never stored: the rows and the scan
log are the truth, so a file written at the end could only ever be equal or stale (e.g. after a
supervisor reopens an order). Generating it costs a handful of queries and about a second for
10,000 lines (write-only workbook, rows streamed; ../shared/stack-notes.md pitfall 12).

Sheets are written by `profiles.spreadsheets.add_sheet`, the one sheet writer: widths from the
content, frozen header, autofilter, codes kept as text, no cell ever a formula.
"""

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import PatternFill

from profiles.spreadsheets import Row, add_sheet, new_workbook, workbook_bytes
from sessions.metrics import list_metrics, local_tz
from sessions.models import ClaimEvent, Order, OrderExtra, OrderItem, PackingList, ScanEvent
from sessions.reads.boxes import units_by_box
from sessions.reads.payloads import iso, kept_by_line, list_counters

COMPLETED_FILL = PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The five standard columns of a packing list → the key of a report row holding their value.
STANDARD_COLUMNS = {
    "Order_Number": "number", "SKU": "sku", "Product_Name": "product_name",
    "Quantity": "required", "Courier": "courier",
}
# Order metadata shown for lists that came without a source sheet (packing-list JSON).
METADATA_COLUMNS = {
    "Country": "country", "Order_Type": "order_type", "Tags": "tags",
    "Internal_Tags": "internal_tags", "Notes": "notes", "System_Note": "system_note",
    "Box": "box",
}
STATUS_COLUMNS = ("Status", "Completed At", "Packed By")
# What happened to the line beyond scanning: extra units kept in the parcel, units filled by
# hand with their reasons, and the order's flagged problem.
CHECK_COLUMNS = ("Extras", "Manual Fill", "Problem")
ROW_FIELDS = {
    "item_id": "pk", "order_id": "order_id", "normalized_sku": "normalized_sku",
    "problem": "order__problem", "problem_note": "order__problem_note",
    "number": "order__number", "courier": "order__courier", "status": "order__status",
    "completed_at": "order__completed_at", "packed_by": "order__completed_by__display_name",
    "country": "order__country", "order_type": "order__order_type", "tags": "order__tags",
    "internal_tags": "order__internal_tags", "notes": "order__notes",
    "system_note": "order__system_note", "box": "order__box", "sku": "sku",
    "product_name": "product_name", "required": "required", "extra_columns": "extra_columns",
    "source_row": "source_row", "packed": "packed", "box_count": "order__box_count",
}
STATUS_LABELS = {
    Order.Status.COMPLETED: "Completed", Order.Status.IN_PROGRESS: "In progress",
    Order.Status.SKIPPED: "Skipped", Order.Status.NEW: "New",
    Order.Status.NEEDS_REVIEW: "Needs review",
}


def status_label(status):
    """English status words of the old report (kept: other tools read this column)."""
    return STATUS_LABELS.get(status, "New")


def local_naive(value):
    """Aware datetime → naive local time (xlsx has no time zones; the warehouse reads local)."""
    if value is None:
        return None
    return timezone.localtime(value, local_tz()).replace(tzinfo=None)


# ---------------------------------------------------------------- completion report

def _report_rows(packing_list):
    """One dict per source line, in source order (by source row when known, else sequence)."""
    keys = list(ROW_FIELDS)
    rows = [
        dict(zip(keys, values)) for values in
        OrderItem.objects.filter(order__packing_list=packing_list)
        .order_by("order__sequence", "order_id", "line_number")
        .values_list(*ROW_FIELDS.values())
    ]
    if all(row["source_row"] is not None for row in rows):
        rows.sort(key=lambda row: row["source_row"])
    return rows


def _metadata_text(value):
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value


# Headers of a source sheet that name an order field (compared without case, spaces or "_"):
# their cells show what the order carries, whichever importer created it (the demo and the
# Shopify lists keep country, tags and notes on the order, not in the line's extra columns).
METADATA_ALIASES = {
    "country": "country", "shippingcountry": "country", "destinationcountry": "country",
    "destination": "country", "ordertype": "order_type", "tags": "tags",
    "internaltags": "internal_tags", "notes": "notes", "note": "notes",
    "systemnote": "system_note", "box": "box",
}


def _alias(header):
    return "".join(ch for ch in str(header).casefold() if ch.isalnum())


def _mapping(packing_list):
    """The import's column mapping (standard column → source header), or {}."""
    return packing_list.info.get("mapping") or packing_list.session.info.get("mapping") or {}


def _source_layout(packing_list, rows):
    """The columns of the report (before the status columns) and a (row, header) → value.

    Lists imported from a sheet keep their own headers in their own order; the mapped standard
    columns (the import's column mapping, kept in the session info) are filled from the order
    and its line, a header naming an order field (Shipping_Country, Tags, Notes …) from the
    order, every other header from the line's extra columns. Lists without a sheet get the five
    standard columns, the order metadata that is used, then any extra columns.
    """
    headers = list(packing_list.source_columns or [])
    if headers:
        header_key = {header: STANDARD_COLUMNS[std]
                      for std, header in _mapping(packing_list).items() if std in STANDARD_COLUMNS}
        for std, key in STANDARD_COLUMNS.items():
            if std in headers and key not in header_key.values():
                header_key.setdefault(std, key)
        order_fields = {h: METADATA_ALIASES[_alias(h)] for h in headers
                        if h not in header_key and _alias(h) in METADATA_ALIASES}
    else:
        used_meta = [h for h, key in METADATA_COLUMNS.items() if any(r[key] for r in rows)]
        extras = [k for k in dict.fromkeys(k for r in rows for k in r["extra_columns"])
                  if k not in STANDARD_COLUMNS and k not in METADATA_COLUMNS]
        headers = list(STANDARD_COLUMNS) + used_meta + extras
        header_key = {**STANDARD_COLUMNS, **{h: METADATA_COLUMNS[h] for h in used_meta}}
        order_fields = {}

    def value(row, header):
        key = header_key.get(header)
        if key is not None:
            return _metadata_text(row[key])
        field = order_fields.get(header)
        if field is not None and row[field]:
            return _metadata_text(row[field])
        return row["extra_columns"].get(header, "")

    return headers, value


def _status_values(row):
    done = row["status"] == Order.Status.COMPLETED
    return {
        "Status": status_label(row["status"]),
        "Completed At": local_naive(row["completed_at"]) if done else None,
        "Packed By": (row["packed_by"] or "") if done else "",
    }


class _Line:
    """A report row seen as an order line (for the one "kept extras go on the first line of
    their SKU" rule, sessions.reads.payloads.kept_by_line)."""

    def __init__(self, row):
        self.pk, self.sku, self.normalized_sku = row["item_id"], row["sku"], row["normalized_sku"]


def _check_values(packing_list, rows):
    """{item id: {"Extras", "Manual Fill", "Problem"}}: kept extras, manual fills with their
    reasons (from the scan log), and the flagged problem of the line's order."""
    kept = {}
    by_order = {}
    for row in rows:
        by_order.setdefault(row["order_id"], []).append(_Line(row))
    for extra in OrderExtra.objects.filter(order__packing_list=packing_list, kept__gt=0):
        kept.update(kept_by_line(by_order.get(extra.order_id, []), [extra]))
    fills = {}
    events = (ScanEvent.objects.filter(packing_list=packing_list, manual=True, quantity__gt=0)
              .exclude(reason="").order_by("pk").values_list("item_id", "reason", "note",
                                                              "quantity"))
    for item_id, reason, note, quantity in events:
        words = REASON_WORDS.get(reason, reason) + (f": {note}" if note else "")
        fills.setdefault(item_id, []).append(f"{quantity} × {words}")
    values = {}
    for row in rows:
        problem = ""
        if row["problem"]:
            problem = REASON_WORDS.get(row["problem"], row["problem"]) + (
                f": {row['problem_note']}" if row["problem_note"] else "")
        values[row["item_id"]] = {"Extras": kept.get(row["item_id"], 0) or None,
                                  "Manual Fill": "; ".join(fills.get(row["item_id"], [])),
                                  "Problem": problem}
    return values


# English words of the reasons (like the status words: other tools read these columns).
REASON_WORDS = {
    "barcode_missing": "Barcode missing", "label_damaged": "Label damaged", "other": "Other",
    "short": "Short", "damaged": "Damaged", "wrong_stock": "Wrong stock",
}


# Columns of the lines sheet that hold codes (kept as text by the sheet writer).
CODE_COLUMNS = ("Order_Number", "SKU", "Barcode", "barcode", "EAN", "Order Number", "Name")


def _box_values(rows, header):
    """{item id: {header: the box(es) of the line's packed units}}: "1" for an order in one box,
    "1: 2; 2: 1" (box: units) for a line of an order packed into several (from the scan log, one
    query for the whole list)."""
    several = units_by_box({r["order_id"] for r in rows if r["box_count"] > 1})
    values = {}
    for row in rows:
        if row["box_count"] > 1:
            boxes = several.get(row["order_id"], {})
            text = "; ".join(f"{n}: {units[row['item_id']]}" for n, units in sorted(boxes.items())
                             if units.get(row["item_id"]))
        else:
            text = "1" if row["packed"] else ""
        values[row["item_id"]] = {header: text}
    return values


def _write_lines_sheet(wb, packing_list):
    rows = _report_rows(packing_list)
    headers, value = _source_layout(packing_list, rows)
    checks = _check_values(packing_list, rows)
    # The box a line went into; "Packed Box" when the list's own columns have a "Box" (the
    # recommended box of a packing-list JSON).
    box_header = "Box" if "Box" not in headers else "Packed Box"
    boxes = _box_values(rows, box_header)
    # A source column called like one of ours (e.g. Shopify's "Status") is overwritten in place,
    # as the old report did; the others are appended.
    columns = headers + [c for c in (*STATUS_COLUMNS, *CHECK_COLUMNS, box_header)
                         if c not in headers]
    mapping = _mapping(packing_list)
    codes = {*CODE_COLUMNS, *(mapping.get(std) for std in ("Order_Number", "SKU"))}

    def lines():
        for row in rows:
            status = {**_status_values(row), **checks[row["item_id"]], **boxes[row["item_id"]]}
            fill = COMPLETED_FILL if row["status"] == Order.Status.COMPLETED else None
            yield Row([status[h] if h in status else value(row, h) for h in columns], fill)

    return add_sheet(wb, packing_list.name or "Packing list", columns, lines(),
                     codes=codes - {None})


# The Summary sheet: (label, where the value is, unit). Labels are the words of the screens (the
# list details and the dashboard headline, templates/stats/_figures.html), in the user's
# language; the raw keys stay in the JSON summary (`list_summary`).
SUMMARY_ROWS = [
    (gettext_lazy("Session"), "session_id", ""),
    (gettext_lazy("Client"), "client_id", ""),
    (gettext_lazy("Packing list"), "packing_list_name", ""),
    (gettext_lazy("Status"), "status", ""),
    (gettext_lazy("Worker"), "worker_name", ""),
    (gettext_lazy("Station"), "station", ""),
    (gettext_lazy("Started"), "started_at", ""),
    (gettext_lazy("Ended"), "completed_at", ""),
    (gettext_lazy("Duration"), "duration_seconds", "s"),
    (gettext_lazy("Orders"), "total_orders", ""),
    (gettext_lazy("Completed orders"), "completed_orders", ""),
    (gettext_lazy("Orders in progress"), "in_progress_orders", ""),
    (gettext_lazy("New orders"), "new_orders", ""),
    (gettext_lazy("Skipped orders"), "skipped_orders_count", ""),
    (gettext_lazy("Orders needing review"), "needs_review_orders", ""),
    (gettext_lazy("Units required"), "total_items", ""),
    (gettext_lazy("Units packed"), "packed_items", ""),
    (gettext_lazy("Extra units kept"), "extras_kept", ""),
    (gettext_lazy("Different SKUs"), "unique_skus", ""),
    (gettext_lazy("Orders packed"), "figures.orders_packed", ""),
    (gettext_lazy("Items packed"), "figures.items_packed", ""),
    (gettext_lazy("Orders / hour"), "figures.orders_per_hour_active", ""),
    (gettext_lazy("Items / hour"), "figures.items_per_hour_active", ""),
    (gettext_lazy("Orders / hour (wall time)"), "figures.orders_per_hour_wall", ""),
    (gettext_lazy("Items / hour (wall time)"), "figures.items_per_hour_wall", ""),
    (gettext_lazy("Active time"), "figures.active_seconds", "s"),
    (gettext_lazy("Wall time"), "figures.wall_seconds", "s"),
    (gettext_lazy("Average order time"), "figures.avg_order_seconds", "s"),
    (gettext_lazy("Fastest order"), "figures.fastest_order_seconds", "s"),
    (gettext_lazy("Slowest order"), "figures.slowest_order_seconds", "s"),
    (gettext_lazy("Average time to the first item"), "figures.avg_first_scan_seconds", "s"),
    (gettext_lazy("Scans"), "figures.scans", ""),
    (gettext_lazy("Wrong scans"), "figures.wrong_scans", ""),
    (gettext_lazy("Accuracy"), "figures.accuracy", "%"),
    (gettext_lazy("Corrections"), "figures.corrections", ""),
    (gettext_lazy("Extra scans"), "figures.extra_scans", ""),
    (gettext_lazy("Unknown scans"), "figures.unknown_scans", ""),
    (gettext_lazy("Manual confirmations"), "figures.manual_confirmations", ""),
]
LIST_STATUS_WORDS = dict(PackingList.Status.choices)


def _summary_value(packing_list, summary, key):
    if key == "started_at":
        return local_naive(packing_list.started_at)
    if key == "completed_at":
        return local_naive(packing_list.ended_at)
    if key == "status":
        return str(LIST_STATUS_WORDS.get(summary["status"], summary["status"]))
    group, _dot, name = key.rpartition(".")
    value = summary[group][name] if group else summary[key]
    if name == "accuracy" and value is not None:
        return round(value * 100, 1)
    if isinstance(value, float):
        return round(value, 1)
    return value


def _write_summary_sheet(wb, packing_list, summary):
    rows = [[str(label), _summary_value(packing_list, summary, key), unit]
            for label, key, unit in SUMMARY_ROWS]
    return add_sheet(wb, _("Summary"), [_("Figure"), _("Value"), _("Unit")], rows)


def completion_report(packing_list):
    """The completion report of a list as xlsx bytes (regenerated from the database).

    Sheet 1: every source line with its original columns, then Status (Completed / In progress /
    Skipped / New / Needs review), Completed At (the order's own completion time, local),
    Packed By (who completed it), Extras (extra units kept in the parcel), Manual Fill (units
    filled by hand, with their reasons) and Problem (a flagged order's problem); completed rows
    are green. Sheet 2: the list summary, labelled like the screens in the user's language (the
    raw keys stay in the JSON summary, `list_summary`).
    """
    summary = list_summary(packing_list)
    wb = new_workbook()
    _write_lines_sheet(wb, packing_list)
    _write_summary_sheet(wb, packing_list, summary)
    return workbook_bytes(wb)



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



def list_summary(packing_list):
    """The figures of the old session_summary.json v1.3.0 plus today's metrics (`figures`).

    `duration_seconds` is the list's elapsed time (started → ended, or → now while it is still
    open; None before it started). `worker` / `station` are who ended it (or hold it now).
    Partial while the list is being packed; final once ended.
    """
    counters = list_counters(packing_list)
    figures = list_metrics(packing_list)
    orders = Order.objects.filter(packing_list=packing_list)
    open_or_skipped = list(
        orders.exclude(status=Order.Status.COMPLETED).order_by("sequence", "id")
        .values("number", "status", "skipped_at", "problem", "problem_note")
    )
    extras_kept = OrderExtra.objects.filter(order__packing_list=packing_list) \
        .aggregate(n=Sum("kept"))["n"] or 0
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
        "started_at": iso(packing_list.started_at),
        "completed_at": iso(packing_list.ended_at),
        "duration_seconds": duration,
        "total_orders": counters["orders"],
        "completed_orders": counters["completed_orders"],
        "in_progress_orders": counters["in_progress_orders"],
        "new_orders": counters["new_orders"],
        "skipped_orders_count": counters["skipped_orders"],
        "needs_review_orders": counters["needs_review_orders"],
        "total_items": counters["required_units"],
        "packed_items": counters["packed_units"],
        "extras_kept": extras_kept,
        "unique_skus": unique_skus,
        "metrics": _legacy_metrics(figures, orders_started),
        "figures": figures,
        "open_orders": [o["number"] for o in open_or_skipped
                        if o["status"] != Order.Status.SKIPPED],
        "skipped_orders": [
            {"order_number": o["number"], "skipped_at": iso(o["skipped_at"]),
             "status": o["status"]}
            for o in open_or_skipped if o["status"] == Order.Status.SKIPPED
        ],
        "needs_review": [
            {"order_number": o["number"], "problem": o["problem"], "note": o["problem_note"]}
            for o in open_or_skipped if o["status"] == Order.Status.NEEDS_REVIEW
        ],
    }
