"""The printable barcode of a packing list: `LIST-<id>` (e.g. `LIST-42`), and reading it back.

It is printed on the pick page's tiles, in the session browser and on the first page of the
list's labels PDF; scanning it at the pick page claims the list and opens the station. This is
the one place that writes and parses the text, so the station (and anything else that accepts
a scanned list) reads it the same way.
"""

import re

PREFIX = "LIST-"
PATTERN = r"LIST-(\d{1,18})"
_PATTERN = re.compile(PATTERN, re.IGNORECASE)
# The same rule for the station's script (`new RegExp(pattern, "i")`, whole code).
SCRIPT_PATTERN = f"^{PATTERN}$"


def list_barcode(list_id):
    """The barcode text of a packing list: `LIST-42`."""
    return f"{PREFIX}{int(list_id)}"


def parse_list_barcode(code):
    """The list id a scanned `LIST-<id>` names, or None when the code is no list barcode.

    Surrounding blanks and a scanner's CR/LF/Tab are ignored, and so is the letters' case (a
    scanner with Caps Lock on sends `list-42`).
    """
    match = _PATTERN.fullmatch((code or "").strip())
    return int(match.group(1)) if match else None


_TYPED = re.compile(r"[#L]?\s*(\d{1,18})", re.IGNORECASE)


def list_id_from_input(code):
    """A scanned list barcode, or a list number typed by hand (`42`, `L42`, `#42`), or None."""
    scanned = parse_list_barcode(code)
    if scanned is not None:
        return scanned
    match = _TYPED.fullmatch((code or "").strip())
    return int(match.group(1)) if match else None
