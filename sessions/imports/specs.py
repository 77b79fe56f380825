"""Validated, source-independent shape of an import: lists of orders of lines.

Every reader (Excel/CSV, packing-list JSON, Shopify session, the legacy share) turns its input
into these plain objects and collects problems in an `ErrorList`; only when no problem was found
does `sessions.imports.build` write anything. This is what keeps "nothing of a bad file is
saved" true for every source.
"""

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from profiles.normalize import normalize_order_number, normalize_sku
from sessions.errors import ImportRejected

# Order fields a source may fill (besides number, courier and lines).
ORDER_TEXT_FIELDS = ("country", "order_type", "notes", "system_note", "box")
FIELD_LIMITS = {"number": 200, "courier": 100, "country": 100, "order_type": 50, "box": 100,
                "sku": 200, "product_name": 500}
_WHOLE_NUMBER = re.compile(r"^\+?(\d+)(?:\.0*)?$")
# Units one line may ask for. The column holds up to 2^31 - 1, but a line of a million units
# is a typing error, and sums of many large lines must still fit the counters.
MAX_QUANTITY = 100_000


@dataclass
class LineSpec:
    sku: str
    required: int
    product_name: str = ""
    extra_columns: dict = field(default_factory=dict)
    source_row: int | None = None


@dataclass
class OrderSpec:
    number: str
    courier: str = ""
    country: str = ""
    order_type: str = ""
    tags: list = field(default_factory=list)
    internal_tags: list = field(default_factory=list)
    notes: str = ""
    system_note: str = ""
    box: str = ""
    metadata: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)
    source_row: int | None = None
    reship_of: int | None = None  # the same order of an ended list (sessions.imports.guard)

    @property
    def units(self):
        return sum(line.required for line in self.lines)


@dataclass
class ListSpec:
    name: str
    orders: list = field(default_factory=list)
    source_file: str = ""
    source_columns: list = field(default_factory=list)
    info: dict = field(default_factory=dict)


class ErrorList:
    """Collects every problem of a file (row, column, message) before anything is refused."""

    def __init__(self):
        self.items = []

    def add(self, message, row=None, column=None, **extra):
        self.items.append({"row": row, "column": column, "message": str(message), **extra})

    def __bool__(self):
        return bool(self.items)

    def __len__(self):
        return len(self.items)

    def raise_if_any(self):
        if self.items:
            raise ImportRejected(self.items, message=_(
                "The file was not imported: %(count)d problem(s) found. Nothing was saved."
            ) % {"count": len(self.items)})


def parse_quantity(value):
    """A whole number of units ≥ 1, or None.

    "3", "3.0" and 3.0 are 3; "", "N/A", "-1", "0", "2.5", NaN and booleans are refused: the old
    app turned those into 1 without a word, which packed the wrong amount.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and value >= 1:
            return int(value)
        return None
    match = _WHOLE_NUMBER.match(str(value).strip())
    if not match:
        return None
    number = int(match.group(1))
    return number if number >= 1 else None


def within_max(quantity, errors, *, row, column, shown):
    """`quantity`, or None with a row error when the line asks for more than MAX_QUANTITY."""
    if quantity is not None and quantity > MAX_QUANTITY:
        errors.add(_("Quantity %(value)s is too large: a line may have at most %(max)d units.")
                   % {"value": shown, "max": MAX_QUANTITY}, row=row, column=column)
        return None
    return quantity


def clean_text(value):
    """Text of a cell or JSON value: None/NaN become "", the rest is str()-ed and trimmed."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return str(value).strip()


def check_lengths(order, errors, columns=None):
    """Database column limits, reported like any other cell error instead of a crash.

    `columns` names the source's column for a field (e.g. {"number": "Order No"}).
    """
    columns = columns or {}
    checks = [("number", order.number), ("courier", order.courier)]
    checks += [(name, getattr(order, name)) for name in ("country", "order_type", "box")]
    for name, value in checks:
        if len(value) > FIELD_LIMITS[name]:
            errors.add(_("Too long (%(n)d characters, at most %(max)d).")
                       % {"n": len(value), "max": FIELD_LIMITS[name]},
                       row=order.source_row, column=columns.get(name, name))
    for line in order.lines:
        for name in ("sku", "product_name"):
            value = getattr(line, name)
            if len(value) > FIELD_LIMITS[name]:
                errors.add(_("Too long (%(n)d characters, at most %(max)d).")
                           % {"n": len(value), "max": FIELD_LIMITS[name]},
                           row=line.source_row, column=columns.get(name, name))


def check_list(spec, errors, *, number_column="Order_Number", sku_column="SKU", columns=None):
    """Rules every list must meet, whatever its source.

    - an order number must keep at least one letter or digit after normalisation;
    - two orders whose numbers collide after normalisation are an error naming both rows
      (never a silent merge: scanning could not tell them apart);
    - every line needs a SKU with at least one letter or digit (otherwise it can never be scanned).
    """
    seen = {}
    for order in spec.orders:
        key = normalize_order_number(order.number)
        if not key:
            errors.add(_("Order number '%(number)s' has no letter or digit.")
                       % {"number": order.number}, row=order.source_row, column=number_column)
            continue
        if key in seen:
            first = seen[key]
            errors.add(
                _("Order numbers '%(a)s' (row %(ra)s) and '%(b)s' (row %(rb)s) are the same "
                  "after normalisation ('%(key)s'): a scan could not tell them apart.")
                % {"a": first.number, "ra": first.source_row, "b": order.number,
                   "rb": order.source_row, "key": key},
                row=order.source_row, column=number_column, other_row=first.source_row,
            )
        else:
            seen[key] = order
        for line in order.lines:
            if line.sku and not normalize_sku(line.sku):
                errors.add(_("SKU '%(sku)s' has no letter or digit, so it can never be scanned.")
                           % {"sku": line.sku}, row=line.source_row, column=sku_column)
        check_lengths(order, errors, columns)
