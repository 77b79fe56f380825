"""Read the first sheet of an .xlsx/.xls/.csv file as a header row plus rows of text.

Every cell is read as text (pandas `dtype=str`, `keep_default_na=False`): "N/A" stays "N/A"
instead of becoming NaN, "007" keeps its zeros, and validation sees exactly what the user typed.
The file type is decided by its first bytes, not only by its name, so a renamed PDF gets a clear
"not an Excel file" answer rather than a parser traceback.

pandas (with numpy, about 40 MB per server process) is imported when a file is read, not when
this module is: every server worker imports the importers through the URLconf, and most never
read a spreadsheet.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from sessions.errors import ImportRejected
from sessions.imports.limits import ZIP_MAGIC, check_xlsx

EXCEL_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Table:
    headers: list
    rows: list  # lists of str, same length as headers; row i is spreadsheet row i + 2


def reject(message, **extra):
    """Refuse the whole file for one reason (which is also the error's headline)."""
    raise ImportRejected([{"row": None, "column": None, "message": str(message), **extra}],
                         message=str(message))


def read_bytes(file, name=None):
    """(bytes, file name) from a path, an uploaded file or a binary file object; size-checked."""
    limit = settings.PACKER_IMPORT_MAX_BYTES
    if isinstance(file, (str, Path)):
        path = Path(file)
        if not path.is_file():
            reject(_("File not found: %(path)s") % {"path": path})
        if path.stat().st_size > limit:
            reject(too_big_message(path.stat().st_size))
        return path.read_bytes(), name or path.name
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        reject(too_big_message(size))
    data = file.read(limit + 1)
    if len(data) > limit:
        reject(too_big_message(len(data)))
    return data, name or getattr(file, "name", "") or "upload"


def too_big_message(size):
    return _("The file is %(size).1f MB; the limit is %(limit).1f MB.") % {
        "size": size / 1e6, "limit": settings.PACKER_IMPORT_MAX_BYTES / 1e6}


def detect_kind(data, name):
    """'xlsx', 'xls' or 'csv' from the content (and the name for CSV), else a clear error."""
    suffix = Path(name).suffix.lower()
    if suffix not in EXCEL_SUFFIXES:
        reject(_("Unsupported file type '%(suffix)s': upload .xlsx, .xls or .csv.")
               % {"suffix": suffix or name})
    if not data.strip():
        reject(_("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return "xls"
    if suffix == ".csv" and b"\x00" not in data[:4096]:
        return "csv"
    reject(_("'%(name)s' is not a valid Excel or CSV file.") % {"name": name})


def read_table(data, name):
    """The first sheet as a Table; errors for unreadable files and sheets without data rows."""
    kind = detect_kind(data, name)
    if kind == "xlsx":
        check_xlsx(data, name)  # a bomb or an oversized sheet is refused before it is read
    try:
        frame = _read_frame(data, kind)
    except ImportRejected:
        raise
    except Exception as exc:
        reject(_("'%(name)s' could not be read as %(kind)s: %(error)s")
               % {"name": name, "kind": kind.upper(), "error": exc})
    values = frame.values.tolist()
    if not values:
        reject(_("The sheet is empty."))
    headers = unique_headers([cell_text(h).strip() for h in values[0]])
    rows = [[cell_text(v) for v in row] for row in values[1:]]
    if not any(any(cell.strip() for cell in row) for row in rows):
        reject(_("The sheet has a header row but no data rows."))
    return Table(headers=headers, rows=rows)


def _read_frame(data, kind):
    import pandas as pd  # on the import path only (see the module docstring)

    options = {"dtype": str, "keep_default_na": False, "header": None}
    if kind in ("xlsx", "xls"):
        # calamine (Rust) reads a 15,000-line sheet ~10× faster than openpyxl, same text values.
        return pd.read_excel(io.BytesIO(data), engine="calamine", sheet_name=0, **options)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")  # Cyrillic CSVs saved by Excel on Windows
    return pd.read_csv(io.StringIO(text), sep=None, engine="python", skip_blank_lines=False,
                       **options)


def cell_text(value):
    """An empty cell is "" (never "nan" or "None")."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def unique_headers(headers):
    """Blank headers become 'Column N'; a repeated header gets ' (2)', ' (3)' …"""
    out, seen = [], {}
    for i, header in enumerate(headers, start=1):
        header = header or _("Column %(n)d") % {"n": i}
        count = seen.get(header, 0) + 1
        seen[header] = count
        out.append(header if count == 1 else f"{header} ({count})")
    return out
