"""Column mapping: which column of a file is which standard column, remembered per client.

The old app asked on every load and never stored the answer; here the choice is kept in
`profiles.ColumnMapping` under a key of the file's header row, so the next file of the same
shape imports in one step.
"""

import hashlib
import re

from django.utils.translation import gettext as _

from profiles.models import ColumnMapping
from sessions.errors import ImportRejected

STANDARD_COLUMNS = ("Order_Number", "SKU", "Product_Name", "Quantity", "Courier")
KEY_MAX = 2000


TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ t_]\d{2}[:-]\d{2}([:-]\d{2})?$")
FILE_NAME_RE = re.compile(r"\.(xlsx|xlsm|xls|csv)$")


def header_shape(header):
    """A header as it counts for the file's shape.

    The Shopify Tool's printable lists put the generation time and the file name into two
    header cells (legacy-formats.md §11.3), so every such file would look new; those cells
    count as the placeholders {timestamp} and {file name}.
    """
    text = header.strip().casefold()
    if TIMESTAMP_RE.match(text):
        return "{timestamp}"
    if FILE_NAME_RE.search(text):
        return "{file name}"
    return text


def headers_key(headers):
    """Deterministic key of a header row: header shapes, sorted, joined.

    Sorting makes a file with the same columns in another order reuse the mapping (the mapping
    names columns, not positions). Very wide sheets fall back to a SHA-256 of that text.
    """
    text = "\x1f".join(sorted(header_shape(h) for h in headers))
    if len(text) <= KEY_MAX:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def missing_standard(headers):
    present = set(headers)
    return [col for col in STANDARD_COLUMNS if col not in present]


def parse_map_option(text):
    """`Order_Number=Order No,SKU=Article` (the command's --map) → dict; errors name the part."""
    mapping = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        standard, sep, column = part.partition("=")
        if not sep:
            raise ImportRejected([{"row": None, "column": None, "message": _(
                "'%(part)s' is not of the form Standard=Column.") % {"part": part}}])
        mapping[standard.strip()] = column.strip()
    return mapping


def validate_mapping(mapping, headers):
    """All five standard columns chosen, each an existing column, no column chosen twice."""
    problems = []
    chosen = {}
    for standard in STANDARD_COLUMNS:
        column = (mapping or {}).get(standard, "")
        if not column:
            problems.append({"row": None, "column": standard,
                             "message": _("Choose the file's column for %(std)s.")
                             % {"std": standard}})
        elif column not in headers:
            problems.append({"row": None, "column": standard,
                             "message": _("The file has no column '%(col)s'.") % {"col": column}})
        elif column in chosen:
            problems.append({"row": None, "column": standard, "message": _(
                "Column '%(col)s' is already used for %(other)s; each standard column needs "
                "its own.") % {"col": column, "other": chosen[column]}})
        else:
            chosen[column] = standard
    unknown = set(mapping or {}) - set(STANDARD_COLUMNS)
    for name in sorted(unknown):
        problems.append({"row": None, "column": name, "message": _(
            "'%(name)s' is not a standard column (%(all)s).")
            % {"name": name, "all": ", ".join(STANDARD_COLUMNS)}})
    if problems:
        raise ImportRejected(problems)
    return {std: mapping[std] for std in STANDARD_COLUMNS}


def remembered_mapping(client, headers):
    """The client's stored mapping for this header shape, translated to this file's headers.

    A stored column that is a placeholder ({timestamp}, {file name}) maps to this file's
    header of the same shape. None when no mapping is stored or it no longer fits.
    """
    row = ColumnMapping.objects.filter(client=client, headers_key=headers_key(headers)).first()
    if row is None:
        return None
    by_shape = {}
    for header in headers:
        by_shape.setdefault(header_shape(header), []).append(header)
    mapping = {}
    for standard in STANDARD_COLUMNS:
        column = row.mapping.get(standard, "")
        if column not in headers:
            same = by_shape.get(header_shape(column), [])
            column = same[0] if len(same) == 1 else None
        if not column:
            return None
        mapping[standard] = column
    return mapping


def remember_mapping(client, headers, mapping):
    ColumnMapping.objects.update_or_create(
        client=client, headers_key=headers_key(headers),
        defaults={"headers": list(headers), "mapping": dict(mapping)},
    )


def resolve_mapping(client, headers, mapping=None):
    """(mapping, remember?) — explicit mapping, else standard headers, else remembered one.

    Returns (None, False) when the file needs a mapping step.
    """
    if mapping:
        return validate_mapping(mapping, headers), True
    if not missing_standard(headers):
        return {s: s for s in STANDARD_COLUMNS}, False
    remembered = remembered_mapping(client, headers)
    if remembered:
        return remembered, False
    return None, False


def guess_mapping(headers):
    """Pre-selection for the mapping form: a header equal to the standard name, ignoring case,
    spaces and underscores (e.g. 'order number' → Order_Number)."""
    def squash(text):
        return "".join(ch for ch in text.casefold() if ch.isalnum())
    by_squash = {squash(h): h for h in headers}
    return {s: by_squash.get(squash(s), "") for s in STANDARD_COLUMNS}
