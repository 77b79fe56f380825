"""Reading the old apps' Excel files as rows of text (they wrote every cell as text)."""

import openpyxl


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path, problems):
    """Rows of the first sheet as {header: text}; None (and a problem) if unreadable."""
    table = read_table(path, problems)
    return None if table is None else table[1]


def read_table(path, problems):
    """(headers, rows) of the first sheet; None (and a problem) if unreadable."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        problems.add(path, f"unreadable Excel file: {exc.__class__.__name__}: {exc}")
        return None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        headers = None
        rows = []
        for values in it:
            if headers is None:
                headers = [_text(v) for v in values]
                continue
            cells = [_text(v) for v in values]
            if not any(cells):
                continue
            rows.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h})
        if headers is None:
            problems.add(path, "Excel file has no header row")
            return None
        return [h for h in headers if h], rows
    finally:
        wb.close()
