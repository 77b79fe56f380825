"""Spreadsheet safety for every export: a text cell must never run as a formula.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return) is read
by Excel and LibreOffice as a formula ("CSV/formula injection": a hostile order note, SKU or
barcode mapped at a station, e.g. ``=cmd|' /C calc'!A0``). The one rule lives here, at the
bottom of the apps, so that every export uses it: the completion report and the history
workbook mark such cells as text (`sessions.reports.CellMaker`, quote prefix), and exports
without cell types (CSV, and the admin's SKU-mapping export through django-import-export)
write them with a leading apostrophe (`neutralised`), which spreadsheets show as text.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralised(value):
    """The value as a cell of a file without cell types: formula-like text gets a leading
    apostrophe (shown as text, never evaluated); everything else is left as it is."""
    return "'" + value if is_formula_like(value) else value


def restored(value):
    """The inverse of `neutralised` for a file read back in (an export imported again)."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value
