"""The order lines of a packing list, from whichever file holds them.

Shopify lists: `packing_lists/{LIST}.json` (P0/P1/P2) or, for whole-session mode,
`analysis/analysis_data.json` (A1/A2). Excel sessions: the `*_completed.xlsx` written at a
graceful end (a full copy of the source rows), or the original Excel list found by name in
`--lists-dir`. The packing-list xlsx printed by the Shopify Tool is *not* used: it splits lots
and drops lines the JSON kept (§11.2), and the old app packed against the JSON.
"""

import ast
from dataclasses import dataclass, field

from profiles.normalize import normalize_order_number
from sessions.imports.specs import LineSpec, OrderSpec
from sessions.legacy.jsonio import read_json_or_none
from sessions.legacy.xlsx import read_table

REQUIRED = ("Order_Number", "SKU", "Product_Name", "Quantity", "Courier")
REPORT_STATUS_COLUMNS = ("Status", "Completed At")
ORDER_FIELDS = {
    "Order_Type": "order_type", "Destination_Country": "country", "Shipping_Country": "country",
    "Destination": "country", "Tags": "tags", "Internal_Tags": "internal_tags", "Notes": "notes",
    "System_Note": "system_note", "Order_Min_Box": "box",
}


@dataclass
class ListSource:
    kind: str  # json / analysis / report / excel / state
    path: object = None
    orders: list = field(default_factory=list)
    columns: list = field(default_factory=list)
    info: dict = field(default_factory=dict)


def _str(value):
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text.lower() in {"nan", "none"} else text


def _quantity(value, default=1):
    """int(float(Quantity)) as the old app did; anything unparsable counts as 1 (§7.2)."""
    if value is None or value == "":
        return default
    try:
        return max(int(float(value)), 0)
    except (TypeError, ValueError):
        return 1


def _tag_list(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [_str(v) for v in value if _str(v)]
    text = _str(value)
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)  # Python list text from the xlsx report (§19.1)
            if isinstance(parsed, list):
                return [_str(v) for v in parsed if _str(v)]
        except (ValueError, SyntaxError):
            pass
    return [t.strip() for t in text.split(",") if t.strip() and t.strip().lower() != "nan"]


def order_from_json(obj):
    """One order object of any JSON variant (P1/P2/A1/A2); None if it has no number."""
    number = _str(obj.get("order_number"))
    if not number:
        return None
    known = {"order_number", "items", "courier", "shipping_provider", "destination_country",
             "shipping_country", "destination", "order_type", "tags", "internal_tags", "notes",
             "system_note", "order_min_box"}
    order = OrderSpec(
        number=number,
        courier=_str(obj.get("courier") or obj.get("shipping_provider")),
        country=_str(obj.get("destination_country") or obj.get("shipping_country")
                     or obj.get("destination")),
        order_type=_str(obj.get("order_type")),
        tags=_tag_list(obj.get("tags")),
        internal_tags=_tag_list(obj.get("internal_tags")),
        notes=_str(obj.get("notes")),
        system_note=_str(obj.get("system_note")),
        box=_str(obj.get("order_min_box")),
        metadata={k: v for k, v in obj.items() if k not in known},
    )
    for item in obj.get("items") or []:
        if not isinstance(item, dict):
            continue
        extra = {k: v for k, v in item.items() if k not in {"sku", "product_name", "quantity"}}
        order.lines.append(LineSpec(
            sku=_str(item.get("sku")), product_name=_str(item.get("product_name")),
            required=_quantity(item.get("quantity"), default=1), extra_columns=extra,
        ))
    return order


def from_json(path, problems, *, kind="json"):
    doc = read_json_or_none(path, problems)
    if doc is None:
        return None
    if doc.get("error"):
        problems.add(path, f"the Shopify Tool wrote an error instead of orders: {doc['error']}")
    src = ListSource(kind=kind, path=path, info={
        k: v for k, v in doc.items() if k != "orders"})
    for obj in doc.get("orders") or []:
        if isinstance(obj, dict):
            order = order_from_json(obj)
            if order is not None:
                src.orders.append(order)
    return src


def from_rows(path, headers, rows, *, kind):
    """Group Excel rows (report or original list) into orders, keeping the file's order."""
    src = ListSource(kind=kind, path=path,
                     columns=[h for h in headers if h not in REPORT_STATUS_COLUMNS])
    by_number = {}
    for index, row in enumerate(rows, start=2):
        number = _str(row.get("Order_Number"))
        if not number:
            continue
        order = by_number.get(number)
        if order is None:
            order = by_number[number] = OrderSpec(number=number, courier=_str(row.get("Courier")))
            for column, attr in ORDER_FIELDS.items():
                if column in row and _str(row[column]):
                    value = row[column]
                    setattr(order, attr, _tag_list(value) if attr in {"tags", "internal_tags"}
                            else _str(value))
            src.orders.append(order)
        extra = {k: v for k, v in row.items()
                 if k not in REQUIRED and k not in REPORT_STATUS_COLUMNS and k not in ORDER_FIELDS}
        order.lines.append(LineSpec(
            sku=_str(row.get("SKU")), product_name=_str(row.get("Product_Name")),
            required=_quantity(row.get("Quantity")), extra_columns=extra, source_row=index,
        ))
    return src


def from_xlsx(path, problems, *, kind, table=None):
    """Lines of an Excel list; `table` = (headers, rows) already read, to read a file once."""
    table = table or read_table(path, problems)
    if table is None:
        return None
    headers, rows = table
    missing = [c for c in ("Order_Number", "SKU", "Quantity") if c not in headers]
    if missing:
        problems.add(path, f"Excel list lacks the columns {', '.join(missing)}; "
                           "its lines were not used")
        return None
    return from_rows(path, headers, rows, kind=kind)


def check_collisions(src):
    """Two distinct order numbers that normalise alike are an import error, never a merge."""
    seen = {}
    for order in src.orders:
        norm = normalize_order_number(order.number)
        if not norm:
            return f"order number {order.number!r} has no letter or digit"
        if norm in seen:
            return (f"orders {seen[norm]!r} and {order.number!r} have the same number once "
                    f"normalised ({norm!r})")
        seen[norm] = order.number
    return None
