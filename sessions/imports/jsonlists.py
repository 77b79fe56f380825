"""Packing-list JSON (Shopify Tool variants P0/P1/P2, analysis A1/A2) → validated ListSpec.

Rules of the old loader (../shared/legacy-formats.md §18.1), except that bad quantities and
colliding order numbers are errors instead of being fixed silently:
- an order number is required;
- in a packing list every order needs a courier (courier or shipping_provider); in the
  whole-session file (analysis_data.json) a missing courier becomes "N/A";
- orders without items are skipped (listed in the list's info);
- every line needs a SKU and a whole quantity ≥ 1.
Errors name the order's position in the file as `row` (1-based) and the field as `column`
(`items[2].quantity`), so a program pushing lists gets a precise answer.
"""

import json
import math

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sessions.errors import ImportRejected
from sessions.imports.build import (
    ImportResult,
    announce_lists,
    build_list,
    create_session,
    free_list_name,
    list_summary,
    session_for_import,
)
from sessions.imports.guard import Guard
from sessions.imports.limits import ImportCaps
from sessions.imports.specs import (
    ErrorList,
    LineSpec,
    ListSpec,
    OrderSpec,
    check_list,
    clean_text,
    parse_quantity,
    within_max,
)
from sessions.models import PackingSession

MAPPED_ORDER_KEYS = {
    "order_number", "courier", "shipping_provider", "destination_country", "shipping_country",
    "destination", "order_type", "tags", "internal_tags", "notes", "system_note",
    "order_min_box", "items",
}
MAPPED_ITEM_KEYS = {"sku", "product_name", "quantity"}
NA_COURIER = "N/A"
SESSION_ID_MAX = PackingSession._meta.get_field("external_id").max_length


def sanitize(value):
    """JSON-safe copy: NaN/Infinity (bare tokens in old files) become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): sanitize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitize(v) for v in value]
    return value


def text_list(value, *, separators=","):
    """Tags as a list of trimmed strings: a list, a comma string, JSON-array text or NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return []
    if isinstance(value, list):
        return [clean_text(v) for v in value if clean_text(v)]
    text = clean_text(value)
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return text_list(parsed)
    for sep in separators[1:]:
        text = text.replace(sep, separators[0])
    return [part.strip() for part in text.split(separators[0]) if part.strip()]


def orders_of(data, errors):
    """The orders array of a list file (an object with "orders", or a bare array)."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        errors.add(_("A packing list must be a JSON object with an \"orders\" array."))
        return []
    if data.get("error") and not data.get("orders"):
        errors.add(_("The file records a failed export: %(error)s") % {"error": data["error"]})
        return []
    orders = data.get("orders")
    if not isinstance(orders, list):
        errors.add(_("\"orders\" must be an array of orders."), column="orders")
        return []
    return orders


def json_to_spec(data, name, errors, *, full_session=False, source_file=""):
    """Validate one list file into a ListSpec (problems go to `errors`)."""
    spec = ListSpec(name=clean_text(name)[:300], source_file=source_file)
    skipped = []
    for row, raw in enumerate(orders_of(data, errors), start=1):
        order = order_spec(raw, row, errors, full_session=full_session)
        if order is None:
            continue
        if not order.lines and not _has_items(raw):
            skipped.append(order.number)
            continue
        spec.orders.append(order)
    if skipped:
        spec.info["skipped_orders_without_items"] = skipped
    if isinstance(data, dict):
        spec.info.update({k: sanitize(data[k]) for k in ("session_id", "created_at",
                          "total_orders", "total_items", "analyzed_at") if k in data})
    check_list(spec, errors, number_column="order_number", sku_column="sku")
    return spec


def _has_items(raw):
    items = raw.get("items") if isinstance(raw, dict) else None
    return isinstance(items, list) and bool(items)


def order_spec(raw, row, errors, *, full_session=False):
    """One order object → OrderSpec with its lines, or None when it cannot be used."""
    if not isinstance(raw, dict):
        errors.add(_("An order must be a JSON object."), row=row)
        return None
    number = clean_text(raw.get("order_number"))
    if not number:
        errors.add(_("Order number is missing."), row=row, column="order_number")
        return None
    courier = clean_text(raw.get("courier")) or clean_text(raw.get("shipping_provider"))
    if not courier:
        if full_session:
            courier = NA_COURIER
        else:
            errors.add(_("Order %(number)s has no courier.") % {"number": number},
                       row=row, column="courier")
    order = OrderSpec(
        number=number, courier=courier, source_row=row,
        country=(clean_text(raw.get("destination_country"))
                 or clean_text(raw.get("shipping_country")) or clean_text(raw.get("destination"))),
        order_type=clean_text(raw.get("order_type")),
        tags=text_list(raw.get("tags")),
        internal_tags=text_list(raw.get("internal_tags"), separators=",|"),
        notes=clean_text(raw.get("notes")), system_note=clean_text(raw.get("system_note")),
        box=clean_text(raw.get("order_min_box")),
        metadata=sanitize({k: v for k, v in raw.items() if k not in MAPPED_ORDER_KEYS}),
    )
    items = raw.get("items", [])
    if not isinstance(items, list):
        errors.add(_("\"items\" of order %(number)s must be an array.") % {"number": number},
                   row=row, column="items")
        return order
    for index, item in enumerate(items, start=1):
        line = line_spec(item, row, index, number, errors)
        if line is not None:
            order.lines.append(line)
    return order


def line_spec(item, row, index, number, errors):
    column = f"items[{index}]"
    if not isinstance(item, dict):
        errors.add(_("A line must be a JSON object."), row=row, column=column)
        return None
    sku = clean_text(item.get("sku"))
    quantity = parse_quantity(item.get("quantity"))
    if not sku:
        errors.add(_("Line %(i)d of order %(number)s has no SKU.") % {"i": index, "number": number},
                   row=row, column=f"{column}.sku")
    if quantity is None:
        shown = json.dumps(sanitize(item.get("quantity")), ensure_ascii=False)
        errors.add(
            _("Quantity %(value)s of line %(i)d of order %(number)s is not a whole number of at "
              "least 1.") % {"value": shown, "i": index, "number": number},
            row=row, column=f"{column}.quantity")
    quantity = within_max(quantity, errors, row=row, column=f"{column}.quantity",
                          shown=json.dumps(item.get("quantity")))
    if not sku or quantity is None:
        return None
    return LineSpec(
        sku=sku, required=quantity, product_name=clean_text(item.get("product_name")),
        extra_columns=sanitize({k: v for k, v in item.items() if k not in MAPPED_ITEM_KEYS}),
        source_row=row,
    )


def import_packing_list_json(client, data, *, session_external_id=None, name=None, user=None,
                             guard=None, add_to_open_session=False):
    """Add one packing list (JSON as the Shopify Tool writes it) to a session of `client`.

    The session is `session_external_id`, else the file's `session_id` (unless "unknown"); it
    is created (source api) when the client has none of that id; when no id is given, a new
    timestamped session is made, or with `add_to_open_session` the list joins the client's open
    session of today (`sessions.imports.build.session_for_import`). A list name already used in
    a named session is refused: a push never replaces a list that may be in packing; in the
    open session of today it becomes "name (2)". Orders already in a list that has not ended
    are refused unless `guard` carries the caller's choice (sessions.imports.guard). Returns an
    ImportResult.
    """
    guard = guard or Guard(client, user=user)
    errors = ErrorList()
    list_name = clean_text(name) or (clean_text(data.get("list_name"))
                                     if isinstance(data, dict) else "")
    if not list_name:
        errors.add(_("A list name is required (\"name\" or \"list_name\")."), column="name")
    caps = ImportCaps()
    spec = caps.count(json_to_spec(caps.expect(data), list_name, errors))
    if not spec.orders and not errors:
        errors.add(_("The list has no orders with items."), column="orders")
    external_id = clean_text(session_external_id) or (
        clean_text(data.get("session_id")) if isinstance(data, dict) else "")
    if external_id == "unknown":
        external_id = ""
    if len(external_id) > SESSION_ID_MAX:
        errors.add(_("Too long (%(n)d characters, at most %(max)d).")
                   % {"n": len(external_id), "max": SESSION_ID_MAX}, column="session_id")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            session, created = _session_for(client, external_id, user, add_to_open_session)
            [spec] = guard.admit([spec], into=session)
            if not external_id and not created:
                spec.name = free_list_name(session, spec.name)
            if session.lists.filter(name=spec.name).exists():
                raise ImportRejected([{"row": None, "column": "name", "message": _(
                    "Session %(session)s already has a list named '%(name)s'.")
                    % {"session": session.external_id, "name": spec.name}}])
            packing_list = build_list(session, spec)
            guard.record(session, [packing_list], [spec])
            announce_lists([packing_list])
    except IntegrityError as exc:  # a concurrent push of the same list
        raise ImportRejected([{"row": None, "column": None, "message": str(exc)}]) from exc
    return ImportResult(session=session, lists=[list_summary(packing_list, spec)],
                        created_session=created, details=guard.details)


def _session_for(client, external_id, user, add_to_open_session=False):
    if external_id:
        session = PackingSession.objects.select_for_update().filter(
            client=client, external_id=external_id).first()
        if session is not None:
            return session, False
        session = create_session(client, external_id=external_id,
                                 source=PackingSession.Source.API, user=user)
        return session, True
    return session_for_import(client, add_to_open_session=add_to_open_session,
                              source=PackingSession.Source.API, user=user)
