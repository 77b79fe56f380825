"""Reading the old apps' Excel files as rows of text (they wrote every cell as text).

A real share holds one completed report per ended run, so reading speed matters: the first
sheet is parsed straight from the xlsx's XML (shared strings, inline strings, numbers), which is
several times faster than openpyxl's cell objects; anything unusual falls back to openpyxl.
"""

import posixpath
import re
import zipfile
from xml.etree.ElementTree import iterparse

import openpyxl

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
COL_RE = re.compile(r"[A-Z]+")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _col_index(ref):
    n = 0
    for ch in COL_RE.match(ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _number_text(raw):
    try:
        value = float(raw)
    except ValueError:
        return raw.strip()
    return _text(value)


def _first_sheet_path(zf):
    from xml.etree.ElementTree import fromstring

    workbook = fromstring(zf.read("xl/workbook.xml"))
    sheet = workbook.find(f"{NS}sheets/{NS}sheet")
    rid = sheet.get(f"{REL_NS}id")
    rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    raise KeyError("first sheet not found")


def _shared_strings(zf):
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    out = []
    for _event, el in iterparse(zf.open("xl/sharedStrings.xml")):
        if el.tag == f"{NS}si":
            out.append("".join(t.text or "" for t in el.iter(f"{NS}t")))
            el.clear()
    return out


def _fast_rows(path):
    """Rows of the first sheet as lists of text (None if the sheet uses something unusual)."""
    with zipfile.ZipFile(path) as zf:
        strings = _shared_strings(zf)
        rows = []
        for _event, el in iterparse(zf.open(_first_sheet_path(zf))):
            if el.tag != f"{NS}row":
                continue
            cells = {}
            for c in el.iter(f"{NS}c"):
                kind, ref = c.get("t"), c.get("r")
                if ref is None:
                    return None
                if kind == "inlineStr":
                    value = "".join(t.text or "" for t in c.iter(f"{NS}t"))
                else:
                    v = c.find(f"{NS}v")
                    raw = "" if v is None or v.text is None else v.text
                    if kind == "s":
                        value = strings[int(raw)] if raw else ""
                    elif kind in ("str", "e"):
                        value = raw
                    elif kind == "b":
                        value = "True" if raw == "1" else "False"
                    else:
                        value = _number_text(raw) if raw else ""
                cells[_col_index(ref)] = value.strip()
            width = max(cells) + 1 if cells else 0
            rows.append([cells.get(i, "") for i in range(width)])
            el.clear()
        return rows


def _openpyxl_rows(path):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = wb.worksheets[0]
        return [[_text(v) for v in values] for values in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_rows(path, problems):
    """Rows of the first sheet as {header: text}; None (and a problem) if unreadable."""
    table = read_table(path, problems)
    return None if table is None else table[1]


def read_table(path, problems):
    """(headers, rows) of the first sheet; None (and a problem) if unreadable."""
    try:
        raw = None
        try:
            raw = _fast_rows(path)
        except (KeyError, ValueError, IndexError, AttributeError, SyntaxError):
            raw = None
        if raw is None:
            raw = _openpyxl_rows(path)
    except Exception as exc:  # zipfile / openpyxl raise many types for damaged files
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
