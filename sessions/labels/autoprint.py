"""Printing at the station: the order's label (one per box: "box 2/3") and its packing slip when
it completes, and reprints by button, key or command barcode.

When an order completes, the entry point that answered the scan or action calls `after_answer`
with the answer: if the client prints on completion (ClientSettings.print_on_complete) the job
goes to a small pool of background threads, so the scan's answer is never delayed by a printer,
and it runs after the step committed (the answer exists only then). The station's printer is
used, else the client's (labels.printing.printer_for). A failure (refused, timeout, no printer)
is logged and sent to the list's socket as {"type": "print", "ok": false, "message", "order"} so
the station shows it with "Reprint"; it never changes the order. Every failure also raises the
floor's printer alert (sessions.alerts.raise_printer_failure). A reprint (`print_order`) runs
in the request and answers 502 printer_unreachable when the printer fails.

Box labels are the order's label with "box n/N" added in a corner (`with_box`), drawn like every
label text (render.text_field_zpl: font 0 for ASCII, a ^GF graphic for Cyrillic "кутия 1/2").
"""

import json
import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection
from django.utils.translation import gettext as _
from django.utils.translation import override

from profiles.models import ClientSettings, PrintOnComplete, Station
from sessions.alerts import raise_printer_failure
from sessions.errors import InvalidRequest, PackingError
from sessions.labels.printing import printer_for, send_zpl
from sessions.labels.render import (
    LabelConfig,
    label_zpl,
    layout,
    order_label_data,
    text_field_zpl,
)
from sessions.labels.slips import slip_zpl
from sessions.live.publish import list_group, send_to_groups
from sessions.models import Order

logger = logging.getLogger(__name__)
KINDS = {"label": ("label",), "slip": ("slip",), "label_and_slip": ("label", "slip")}
ON_COMPLETE = {PrintOnComplete.LABEL: KINDS["label"],
               PrintOnComplete.LABEL_AND_SLIP: KINDS["label_and_slip"]}
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="autoprint")


def box_text(number, total):
    return _("box %(n)d/%(total)d") % {"n": number, "total": total}


def with_box(zpl, data, cfg, text):
    """The label's ZPL with `text` added at its bottom right corner."""
    box = layout(data, cfg)
    size = box.info_size
    field = text_field_zpl(text, box.margin, box.height - box.margin - size,
                           box.width - 2 * box.margin, size, "R") + "\n"
    head, _sep, _tail = zpl.rpartition("^XZ")
    return f"{head}{field}^XZ\n"


def order_labels_zpl(order, box=None):
    """The order's label; for an order in several boxes one label per box (or box `box`)."""
    cfg = LabelConfig.for_client(order.packing_list.session.client)
    data = order_label_data(order)
    zpl = label_zpl(data, cfg)
    total = order.box_count
    if total <= 1:
        return zpl
    numbers = [box] if box else range(1, total + 1)
    return "".join(with_box(zpl, data, cfg, box_text(n, total)) for n in numbers)


def order_zpl(order, kinds, *, box=None):
    client_settings = order.packing_list.session.client.settings_or_default()
    parts = []
    if "label" in kinds:
        parts.append(order_labels_zpl(order, box))
    if "slip" in kinds:
        parts.append(slip_zpl(order, client_settings.label_dpi))
    return "".join(parts)


def print_order(order, what, *, station=None, address=None, box=None):
    """Send the order's label, slip or both ("label", "slip", "label_and_slip") to the printer
    now; returns {"printer", "what", "bytes"}. PrinterUnreachable when it fails (logged)."""
    kinds = KINDS.get(what)
    if kinds is None:
        raise InvalidRequest(_("Print one of: %(choices)s.") % {"choices": ", ".join(KINDS)})
    if box is not None and not 1 <= int(box) <= order.box_count:
        raise InvalidRequest(_("Order %(number)s has no box %(box)s.")
                             % {"number": order.number, "box": box})
    address = address or printer_for(order.packing_list, station)
    try:
        sent = send_zpl(address, order_zpl(order, kinds, box=box))
    except PackingError as exc:
        logger.warning("printing %s of order %s at %s failed: %s", what, order.number, address,
                       exc.message)
        raise_printer_failure(error=exc.message, printer=address, station=station,
                              packing_list=order.packing_list)  # the floor's alert
        raise
    logger.info("printed %s of order %s at %s (%d bytes)", what, order.number, address, sent)
    return {"printer": address, "what": what, "bytes": sent}


def print_on_complete(client_code):
    """What the client prints when an order completes ("off", "label", "label_and_slip")."""
    value = (ClientSettings.objects.filter(client__code=client_code)
             .values_list("print_on_complete", flat=True).first())
    return value or PrintOnComplete.OFF


def after_answer(answer, language=None):
    """Queue the on-completion printing of an answer that completed an order (not a retry's
    stored answer: that print already ran). Returns the answer, with `print` when queued."""
    if not answer.get("order_completed") or answer.get("duplicate") or not answer.get("order"):
        return answer
    listed = answer.get("list") or {}
    what = print_on_complete(listed.get("client"))
    if what == PrintOnComplete.OFF:
        return answer
    station = (listed.get("claim") or {}).get("station_id")
    _pool.submit(_print_in_background, answer["order"]["id"], what, station, listed.get("id"),
                 language)
    return {**answer, "print": {"queued": True, "what": what}}


def _print_in_background(order_id, what, station_id, list_id, language):
    close_old_connections()
    with override(language):
        try:
            order = Order.objects.select_related("packing_list__session__client").get(pk=order_id)
            station = Station.objects.filter(pk=station_id).first() if station_id else None
            result = print_order(order, what, station=station)
            publish_print(list_id, order, what, ok=True, printer=result["printer"])
        except PackingError as exc:
            publish_print(list_id, order_ref(order_id), what, ok=False, message=exc.message)
        except Exception:
            logger.exception("printing order %s on completion failed", order_id)
            publish_print(list_id, order_ref(order_id), what, ok=False,
                          message=str(_("The label could not be printed.")))
        finally:
            connection.close()  # a pool thread keeps no connection between jobs


def order_ref(order_id):
    return Order.objects.filter(pk=order_id).only("id", "number").first()


def publish_print(list_id, order, what, *, ok, message="", printer=""):
    """Tell the station holding the list how the print went (its socket shows failures)."""
    if list_id is None:
        return
    body = {"type": "print", "ok": ok, "what": what, "message": str(message),
            "printer": printer,
            "order": {"id": order.pk, "number": order.number} if order is not None else None}
    send_to_groups((list_group(list_id),),
                   {"type": "list.print", "list_id": list_id, "text": json.dumps(body)})
