"""Files people take home: one name per file, and one way to hand it over.

The completion report, a list's labels, an order's label and the history exports are offered by
the session browser, the station, the REST API and `manage.py labels`. Each used to build its
own file name (with five sanitisers): the same report came as `…_completed.xlsx` from a page and
`…_report.xlsx` from the API. `file_name` is now the only naming scheme and `attachment` the
only response builder.
"""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "xlsx": XLSX,
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "zpl": "text/plain; charset=utf-8",
    "png": "image/png",
}

# What each kind of file is called after the session / list / order part of its name.
SUFFIXES = {"report": "completed", "labels": "labels", "history": "history", "label": None,
            "dashboard": "dashboard", "slip": "slip", "commands": "command_sheet"}


def safe_name(text, fallback="file"):
    """Letters (any script), digits, `-` and `_`; anything else becomes `_`: safe in a path on
    every file system and in a Content-Disposition header."""
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(text).strip())
    return name.strip("_") or fallback


def file_name(kind, fmt, *, packing_list=None, session=None, order=None, part=None,
              scope=None):
    """`<session>[_<list>]_<kind>[_<part>].<fmt>`, `<order number>[_<kind>].<fmt>` for one
    order's label or packing slip; e.g. `2026-03-02_1_DHL_Orders_completed.xlsx`,
    `1001_slip.pdf`. A file of no one session names its `scope` instead (the dashboard's:
    `M_2026-11-01_2026-11-30_dashboard_worker.csv`), or is just `<kind>.<fmt>` (the command
    sheet)."""
    if kind not in SUFFIXES:
        raise ValueError(f"unknown download kind {kind!r}")
    if order is not None:
        suffix = f"_{SUFFIXES[kind]}" if SUFFIXES[kind] else ""
        return f"{safe_name(order.number, 'order')}{suffix}.{fmt}"
    if scope is not None:
        parts = [scope]
    elif session is None and packing_list is None:
        return f"{SUFFIXES[kind]}.{fmt}"
    else:
        session = session or packing_list.session
        parts = [session.external_id] + ([packing_list.name] if packing_list is not None else [])
    parts += [SUFFIXES[kind]] + ([part] if part else [])
    return f"{safe_name('_'.join(parts))}.{fmt}"


def attachment(content, name):
    """An HTTP download of `content` (bytes or text) named `name`; the type follows the
    extension."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[name.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
