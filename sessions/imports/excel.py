"""Import an Excel/CSV packing list (the old app's original workflow) as a new session.

One file → one PackingSession (source excel) with one PackingList named after the file stem.
Every row is checked and every problem reported with its spreadsheet row and column before
anything is written; the write itself is one transaction.
"""

import re
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from profiles.normalize import normalize_order_number
from sessions.errors import MappingRequired
from sessions.imports.build import (
    ImportResult,
    announce_lists,
    build_list,
    create_timestamped_session,
    free_list_name,
    list_summary,
    todays_open_session,
)
from sessions.imports.guard import Guard
from sessions.imports.limits import ImportCaps
from sessions.imports.mapping import (
    guess_mapping,
    missing_standard,
    remember_mapping,
    resolve_mapping,
)
from sessions.imports.specs import (
    ErrorList,
    LineSpec,
    ListSpec,
    OrderSpec,
    check_list,
    parse_quantity,
    within_max,
)
from sessions.imports.tables import read_bytes, read_table
from sessions.models import PackingSession

COUNTRY_HEADERS = {"destination_country", "country", "shipping_country"}
PREVIEW_ROWS = 5
# The columns whose cells make the line itself; every other cell stays in its extra columns.
REQUIRED_FOR_LINES = ("Order_Number", "SKU", "Product_Name", "Quantity", "Courier")
NOTES_JOIN = " · "
TAG_SPLIT = re.compile(r"[,;|]")


def import_excel(client, file, *, mapping=None, user=None, name=None, guard=None,
                 add_to_open_session=False):
    """Import `file` (path, upload or binary file object) for `client`.

    `mapping` (standard column → file column) overrides the remembered one and is remembered
    for this header shape. Raises MappingRequired (with headers, missing columns, a guess and a
    preview) when the file lacks standard columns and no mapping is known, ImportRejected with
    every row error otherwise, DuplicateOrders when orders are already in a list that has not
    ended (sessions.imports.guard; `guard` carries the caller's choice). The list goes to a new
    timestamped session, or with `add_to_open_session` to the client's open session of today
    (`sessions.imports.build.todays_open_session`; a name already there gets " (2)"). Returns
    an ImportResult.
    """
    guard = guard or Guard(client, user=user)
    data, filename = read_bytes(file, name)
    table = read_table(data, filename)
    default_courier = client.settings_or_default().default_courier.strip()
    chosen, remember = resolve_mapping(client, table.headers, mapping, default_courier)
    if chosen is None:
        raise MappingRequired(
            headers=table.headers, missing=missing_standard(table.headers, default_courier),
            guess=guess_mapping(table.headers), preview=table.rows[:PREVIEW_ROWS],
        )
    spec = ImportCaps().count(table_to_spec(table, chosen, Path(filename).stem or "list",
                                            default_courier=default_courier))
    spec.source_file = filename
    spec.info = {**spec.info, "mapping": chosen}
    with transaction.atomic():
        joined = todays_open_session(client) if add_to_open_session else None
        [spec] = guard.admit([spec], into=joined)
        if joined is not None:
            session, created = joined, False
            spec.name = free_list_name(session, spec.name)
        else:
            session, created = create_timestamped_session(
                client, source=PackingSession.Source.EXCEL, source_path=filename,
                info={"file": filename, "mapping": chosen}, user=user,
            ), True
        packing_list = build_list(session, spec)
        if remember:
            remember_mapping(client, table.headers, chosen)
        guard.record(session, [packing_list], [spec])
        announce_lists([packing_list])
    return ImportResult(session=session, lists=[list_summary(packing_list, spec)],
                        created_session=created, details=guard.details)


def preview(file, name=None):
    """Headers and first rows of a file, for the mapping step of the web flow."""
    data, filename = read_bytes(file, name)
    table = read_table(data, filename)
    return table.headers, table.rows[:PREVIEW_ROWS]


def table_to_spec(table, mapping, list_name, *, default_courier=""):
    """Validate every row and group lines into orders (in order of first appearance).

    Optional mapped columns fill the order: Notes (distinct texts joined), Tags (split on
    , ; |) and Country (the first one given); their cells also stay in the line's extra
    columns, so the completion report shows the file as it was. Without a Courier column, or
    with an empty cell, the client's default courier is the order's courier.
    """
    errors = ErrorList()
    col = {std: table.headers.index(column) for std, column in mapping.items()}
    required = {col[std] for std in REQUIRED_FOR_LINES if std in col}
    extra_idx = [i for i in range(len(table.headers)) if i not in required]
    if "Country" not in col:
        col["Country"] = next((i for i in extra_idx
                               if table.headers[i].strip().casefold() in COUNTRY_HEADERS), None)
    orders, raw_seen = {}, {}
    for offset, row in enumerate(table.rows):
        if not any(cell.strip() for cell in row):
            continue  # blank rows (often trailing) are not lines
        line_row = offset + 2  # header is spreadsheet row 1
        order = _row_order(row, line_row, col, mapping, orders, raw_seen, errors,
                           default_courier)
        line = _row_line(row, line_row, col, mapping, table.headers, extra_idx, errors)
        if order is not None and line is not None:
            order.lines.append(line)
            _order_details(order, row, col)
    spec = ListSpec(name=list_name[:300], orders=list(orders.values()),
                    source_columns=list(table.headers))
    check_list(spec, errors, number_column=mapping["Order_Number"], sku_column=mapping["SKU"],
               columns={"number": mapping["Order_Number"],
                        "courier": mapping.get("Courier", "Courier"),
                        "sku": mapping["SKU"], "product_name": mapping["Product_Name"]})
    errors.raise_if_any()
    return spec


def _order_details(order, row, col):
    """Notes, tags and country of the order from this row's optional columns."""
    if col.get("Country") is not None and not order.country:
        order.country = row[col["Country"]].strip()
    if col.get("Notes") is not None:
        note = row[col["Notes"]].strip()
        if note and note not in order.notes.split(NOTES_JOIN):
            order.notes = NOTES_JOIN.join(filter(None, (order.notes, note)))
    if col.get("Tags") is not None:
        for tag in TAG_SPLIT.split(row[col["Tags"]]):
            tag = tag.strip()
            if tag and tag not in order.tags:
                order.tags.append(tag)


def _row_order(row, line_row, col, mapping, orders, raw_seen, errors, default_courier=""):
    """The order this row belongs to (created on first sight), or None if the row is bad."""
    number = row[col["Order_Number"]].strip()
    courier = (row[col["Courier"]].strip() if "Courier" in col else "") or default_courier
    ok = True
    if not number:
        errors.add(_("Order number is missing."), row=line_row, column=mapping["Order_Number"])
        ok = False
    if not courier:
        errors.add(_("Courier is missing."), row=line_row, column=mapping.get("Courier"))
        ok = False
    key = normalize_order_number(number)
    if not ok or not key:
        if number and not key:
            errors.add(_("Order number '%(number)s' has no letter or digit.")
                       % {"number": number}, row=line_row, column=mapping["Order_Number"])
        return None
    order = orders.get(key)
    if order is None:
        order = orders[key] = OrderSpec(number=number, courier=courier, source_row=line_row)
        raw_seen[(key, number)] = line_row
        return order
    if number != order.number:
        if (key, number) in raw_seen:
            return None  # this collision was reported on its first row
        raw_seen[(key, number)] = line_row
        errors.add(
            _("Order numbers '%(a)s' (row %(ra)d) and '%(b)s' (row %(rb)d) are the same after "
              "normalisation ('%(key)s'): a scan could not tell them apart.")
            % {"a": order.number, "ra": order.source_row, "b": number, "rb": line_row,
               "key": key},
            row=line_row, column=mapping["Order_Number"], other_row=order.source_row,
        )
        return None
    if courier.casefold() != order.courier.casefold():
        errors.add(
            _("Courier '%(courier)s' differs from '%(first)s' on row %(row)d of the same "
              "order %(number)s.")
            % {"courier": courier, "first": order.courier, "row": order.source_row,
               "number": order.number},
            row=line_row, column=mapping.get("Courier"), other_row=order.source_row,
        )
        return None
    return order


def _row_line(row, line_row, col, mapping, headers, extra_idx, errors):
    sku = row[col["SKU"]].strip()
    raw_qty = row[col["Quantity"]]
    quantity = parse_quantity(raw_qty)
    if not sku:
        errors.add(_("SKU is missing."), row=line_row, column=mapping["SKU"])
    if quantity is None:
        errors.add(_("Quantity '%(value)s' is not a whole number of at least 1.")
                   % {"value": raw_qty.strip()}, row=line_row, column=mapping["Quantity"])
    quantity = within_max(quantity, errors, row=line_row, column=mapping["Quantity"],
                          shown=raw_qty.strip())
    if not sku or quantity is None:
        return None
    return LineSpec(
        sku=sku, required=quantity, product_name=row[col["Product_Name"]].strip(),
        extra_columns={headers[i]: row[i] for i in extra_idx}, source_row=line_row,
    )
