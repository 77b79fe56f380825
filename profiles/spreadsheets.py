"""The one sheet writer of every export (xlsx and CSV), and the rules it applies.

Every table people take home — the completion report, the history workbook and CSVs, the
dashboard exports, the admin's SKU-mapping export — is written here, so each one reads the same
in a spreadsheet program:

* **Widths from the content, capped.** A column is as wide as its header and its longest value
  among the first `WIDTH_SAMPLE` rows (Cyrillic product names are no longer cut at 13), at least
  `MIN_WIDTH` and at most `MAX_WIDTH` characters. Only a sample is measured because write-only
  sheets stream their rows and the widths must be known before the first row is written.
* **A frozen header row and an autofilter** over every written row.
* **Codes stay text.** Columns named in `codes` (barcodes, SKUs, order numbers, scan ids) are
  text cells with the text number format ``@`` in xlsx; in CSV, which has no cell types, a code
  that a spreadsheet would read as a number or a date (``3801234567890`` → 3.80123E+12,
  ``0042`` → 42, ``1-2`` → 2 January) is written as ``="3801234567890"``, the form Excel,
  LibreOffice and Google Sheets show as the text itself (`csv_code`).
* **No cell ever runs as a formula.** A text cell that starts with ``=``, ``+``, ``-`` or ``@``
  (or a tab / carriage return) is read by spreadsheets as a formula ("CSV/formula injection": a
  hostile order note, SKU or barcode mapped at a station, e.g. ``=cmd|' /C calc'!A0``). In xlsx
  such a cell is a string with Excel's quote-prefix flag (the value is kept exactly, shown as
  text, never evaluated); in CSV it gets a leading apostrophe (`neutralised`). The ``="…"`` form
  of codes is only ever produced by `csv_code` itself, for values made of digits and
  separators, so no text from outside can become a formula through it.

The module sits at the bottom of the apps (profiles) so that every app may use it. Public
surface, kept stable for every caller: `new_workbook`, `add_sheet`, `Row`, `workbook_bytes`,
`csv_text`, `csv_code`, `neutralised`, `restored`, `is_formula_like`, `HEADER_FONT`,
`DATETIME_FORMAT`, `MAX_WIDTH`.
"""

import csv
import io
import re
from datetime import date, datetime, time
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
MIN_WIDTH = 6
MAX_WIDTH = 60
WIDTH_SAMPLE = 1000
# What a spreadsheet would turn into a number or a date: digits with separators, or a number
# in exponent form ("12E3"). Such codes are written as ="…" in CSV.
_NUMBER_LIKE = re.compile(r"[0-9][0-9 .,:/-]*|[0-9]+[eE][0-9]+")

__all__ = [
    "DATETIME_FORMAT", "HEADER_FONT", "MAX_WIDTH", "Row", "add_sheet", "csv_code", "csv_text",
    "is_formula_like", "neutralised", "new_workbook", "restored", "workbook_bytes",
]


# ---------------------------------------------------------------- single values

def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralised(value):
    """The value as a cell of a file without cell types: formula-like text gets a leading
    apostrophe (shown as text, never evaluated); everything else is left as it is."""
    return "'" + value if is_formula_like(value) else value


def csv_code(value):
    """A code (barcode, SKU, order number) as a CSV cell that spreadsheets keep as text:
    ``="3801234567890"`` when it would otherwise be read as a number or a date, else the
    (neutralised) text."""
    if value is None:
        return ""
    text = str(value)
    if _NUMBER_LIKE.fullmatch(text):
        return f'="{text}"'
    return neutralised(text)


def restored(value):
    """The inverse of `neutralised` and `csv_code` for a file read back in (an export imported
    again)."""
    if not isinstance(value, str):
        return value
    if value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    if value.startswith('="') and value.endswith('"') and _NUMBER_LIKE.fullmatch(value[2:-1]):
        return value[2:-1]
    return value


# ---------------------------------------------------------------- xlsx

class Row(NamedTuple):
    """A row with a fill for all of its cells (e.g. the report's green completed lines); a
    plain list or tuple is a row without one."""

    values: list
    fill: PatternFill | None = None


class _Cells:
    """Cells for one write-only sheet. Plain values pass through untouched (cheapest); a styled,
    code or formula-like value becomes a cell whose style is computed once per combination and
    shared, because setting fills and fonts cell by cell dominated the time of a 10,000-line
    report."""

    def __init__(self, ws):
        self.ws = ws
        self._styles = {}

    def __call__(self, value, *, fill=None, font=None, code=False):
        if code and value is not None and not isinstance(value, str):
            value = str(value)
        quote = is_formula_like(value)
        number_format = _number_format(value) or (TEXT_FORMAT if code else None)
        if fill is None and font is None and number_format is None and not quote:
            return value
        key = (id(fill), id(font), number_format, quote)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self._style(fill, font, number_format, quote)
        cell = WriteOnlyCell(self.ws, value=value)
        if quote or (code and isinstance(value, str)):
            cell.data_type = "s"
        cell._style = style  # shared and never modified after this point
        return cell

    def _style(self, fill, font, number_format, quote):
        template = WriteOnlyCell(self.ws)
        if fill is not None:
            template.fill = fill
        if font is not None:
            template.font = font
        if number_format:
            template.number_format = number_format
        template.quotePrefix = quote
        return template._style


def _number_format(value):
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    return None


def _width(value):
    """Characters a value takes on screen (the longest line of a multi-line text)."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, (date, time)):
        return 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return max(len(line) for line in str(value).split("\n"))


def new_workbook():
    """A write-only workbook (rows are streamed: a 10,000-line report costs about a second)."""
    return Workbook(write_only=True)


def add_sheet(wb, title, header, rows, *, codes=()):
    """Write one table as a sheet of `wb` (from `new_workbook`) and return the sheet.

    `header` is the list of column names; `rows` an iterable of value lists (or `Row`s with a
    fill); `codes` the names of the columns that hold codes, kept as text. The header is bold and
    frozen, the widths follow the content (capped at `MAX_WIDTH`), and an autofilter covers the
    table. Datetimes must be naive (xlsx has no time zones; see `local_naive`).
    """
    ws = wb.create_sheet(_sheet_title(title))
    cells = _Cells(ws)
    code_columns = {i for i, name in enumerate(header) if name in set(codes)}
    rows = iter(rows)
    sample = [row for _i, row in zip(range(WIDTH_SAMPLE), rows)]
    widths = [_width(name) + 2 for name in header]  # room for the filter button
    for row in sample:
        values = row.values if isinstance(row, Row) else row
        for i, value in enumerate(values[:len(widths)]):
            widths[i] = max(widths[i], _width(value) + 1)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    ws.freeze_panes = "A2"
    ws.append([cells(name, font=HEADER_FONT) for name in header])
    count = 0
    for row in _chain(sample, rows):
        values, fill = (row.values, row.fill) if isinstance(row, Row) else (row, None)
        ws.append([cells(value, fill=fill, code=i in code_columns)
                   for i, value in enumerate(values)])
        count += 1
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    return ws


def _chain(first, rest):
    yield from first
    yield from rest


def _sheet_title(name):
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(name)).strip("'")
    return (cleaned or "Sheet")[:31]


def workbook_bytes(wb):
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- CSV

def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return neutralised(value)


def csv_text(header, rows, *, codes=()):
    """One table as CSV text with a header row, starting with a BOM so that Excel opens
    Cyrillic text correctly; codes kept as text (`csv_code`), no cell ever a formula."""
    code_columns = {i for i, name in enumerate(header) if name in set(codes)}
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([neutralised(name) for name in header])
    for row in rows:
        values = row.values if isinstance(row, Row) else row
        writer.writerow([csv_code(v) if i in code_columns else _csv_value(v)
                         for i, v in enumerate(values)])
    return out.getvalue()
