"""Reading the old apps' Excel files as rows of text (they wrote every cell as text).

python-calamine (Rust, also the spreadsheet reader of the imports) reads the first sheet:
3.5× faster than the hand-written XML reader it replaced, and it reads what Excel writes. A
report re-saved in Excel keeps real date cells; they come back as dates and are written the
way the old apps wrote them (`YYYY-MM-DD HH:MM:SS`), where the XML reader gave Excel's serial
number (45720.427…) and the completion time was lost. Before it is read, a file passes the
imports' zip checks (`sessions.imports.limits`): a bomb on the share is a problem of the
report, not a crashed run.
"""

import io
from datetime import date, datetime, time, timedelta

from python_calamine import CalamineWorkbook

from sessions.errors import ImportRejected
from sessions.imports.limits import ZIP_MAGIC, check_xlsx
from sessions.legacy import share


def _text(value):
    """A cell as the old apps would have written it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime):
        rounded = value.replace(microsecond=0) + timedelta(seconds=round(value.microsecond / 1e6))
        return rounded.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(data):
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    finally:
        book.close()
    return [[_text(value) for value in row] for row in sheet]


def read_rows(path, problems):
    """Rows of the first sheet as {header: text}; None (and a problem) if unreadable."""
    table = read_table(path, problems)
    return None if table is None else table[1]


def read_table(path, problems):
    """(headers, rows) of the first sheet; None (and a problem) if unreadable."""
    try:
        data = share.read_bytes(path, problems)
        if data.startswith(ZIP_MAGIC):
            check_xlsx(data, path.name)
        raw = _rows(data)
    except share.Unreadable as exc:
        problems.add(exc.path, exc.reason)
        return None
    except ImportRejected as exc:
        problems.add(path, f"not read: {exc.message}")
        return None
    except Exception as exc:  # calamine raises its own types for damaged files
        problems.add(path, f"unreadable Excel file: {exc.__class__.__name__}: {exc}")
        return None
    raw = [r for r in raw if any(r)]
    if not raw:
        problems.add(path, "Excel file has no header row")
        return None
    headers = raw[0]
    rows = [{h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}
            for cells in raw[1:]]
    return [h for h in headers if h], rows
