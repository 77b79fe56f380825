"""Selectors of the session browser: which packing lists a tab and its filters show.

Tabs partition the lists so each list is in exactly one:
- active: a station holds it right now (claimed, not ended);
- available: not ended and nobody holds it (new, or half-packed and released) — ready to claim;
- completed: ended.
Free text matches the session id, the list name, the client, the holder and the station of the
claim, and every worker or station that scanned on the list (the scan log remembers them).
"""

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sessions.models import PackingList, ScanEvent

TABS = ("active", "completed", "available")


def tab_queryset(tab):
    lists = PackingList.objects.select_related("session__client", "holder", "station")
    if tab == "active":
        return lists.filter(claim_token__isnull=False).exclude(
            status=PackingList.Status.COMPLETED)
    if tab == "completed":
        return lists.filter(status=PackingList.Status.COMPLETED)
    return lists.filter(claim_token__isnull=True).exclude(status=PackingList.Status.COMPLETED)


def browse_lists(tab="active", *, client=None, date_from=None, date_to=None, status=None,
                 text=None):
    """The lists of a tab, filtered on the server, newest session first.

    Dates are local calendar days (inclusive) of the session's creation; `status` is a
    PackingList status; `client` a client code.
    """
    qs = tab_queryset(tab if tab in TABS else "active")
    if client:
        qs = qs.filter(session__client__code=client)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(session__created_at__gte=datetime.combine(date_from, time.min, tz))
    if date_to:
        qs = qs.filter(session__created_at__lt=datetime.combine(
            date_to + timedelta(days=1), time.min, tz))
    if status:
        qs = qs.filter(status=status)
    if text:
        qs = qs.filter(text_filter(text.strip()))
    return qs.order_by("-session__created_at", "-session_id", "position", "id")


def text_filter(text):
    """Session id, list name, client, holder, claim station, or anyone who scanned on it."""
    scanned_by = ScanEvent.objects.filter(packing_list=OuterRef("pk")).filter(
        Q(worker__display_name__icontains=text) | Q(worker__user__username__icontains=text)
        | Q(station__name__icontains=text)
    )
    return (
        Q(session__external_id__icontains=text) | Q(name__icontains=text)
        | Q(session__client__code__iexact=text) | Q(session__client__name__icontains=text)
        | Q(holder__display_name__icontains=text) | Q(station__name__icontains=text)
        | Exists(scanned_by)
    )


FLAGS = (
    # (code, label, tone, test): the badges of an order on the list details page
    ("review", gettext_lazy("waiting for review"), "warn",
     lambda o: o.status == o.Status.NEEDS_REVIEW),
    ("manual", gettext_lazy("manual"), "info", lambda o: o.manual_confirmations),
    ("corrections", gettext_lazy("corrections"), "info", lambda o: o.corrections),
    ("extras", gettext_lazy("extras"), "err", lambda o: o.extra_scans),
    ("unknown", gettext_lazy("unknown scans"), "err", lambda o: o.unknown_scans),
    ("skipped", gettext_lazy("skipped"), "warn", lambda o: o.status == o.Status.SKIPPED),
    ("reship", gettext_lazy("re-ship"), "info", lambda o: o.reship_of_id),
)


def order_rows(packing_list):
    """Orders of a list with the flags the details page shows (no per-order query)."""
    orders = (
        packing_list.orders.select_related("completed_by", "completed_station")
        .annotate(required_units=Sum("items__required"), packed_units=Sum("items__packed"))
        .order_by("sequence", "id")
    )
    return [{"order": order,
             "flags": [{"code": code, "label": label, "tone": tone}
                       for code, label, tone, test in FLAGS if test(order)]}
            for order in orders]


def holder_tile(packing_list, payload):
    """The overview's fourth tile, meaningful in every state: when and by whom an ended list
    ended, who holds a list now, else that it is free to claim (a completed list used to say
    "free —")."""
    if packing_list.status == PackingList.Status.COMPLETED:
        ended = timezone.localtime(packing_list.ended_at).strftime("%Y-%m-%d %H:%M") \
            if packing_list.ended_at else "—"
        by = packing_list.ended_by.display_name if packing_list.ended_by else None
        return {"code": "ended", "value": ended,
                "label": _("ended by %(name)s") % {"name": by} if by else _("ended")}
    claim = payload.get("claim")
    if claim:
        return {"code": "held", "value": claim["holder"],
                "label": _("held at %(station)s") % {"station": claim["station"]}}
    return {"code": "free", "value": "—", "label": _("free")}


def metrics_state(packing_list):
    """Whether the list details show figures, and what to say about them: final once ended,
    partial while packing, none before the first scan (not "partial" on a list never
    started)."""
    if packing_list.status == PackingList.Status.COMPLETED:
        return {"show": True, "note": ""}
    if packing_list.status == PackingList.Status.NOT_STARTED:
        return {"show": False, "note": _("none yet: the list has not been started")}
    return {"show": True, "note": _("partial: the list is still being packed")}


EXTRA_ACTIONS = {
    # action → the words of its quantity on the timeline: what happened to the unit, never a
    # "+1" that reads like an addition ("Extra removed (+1)")
    ScanEvent.Action.REMOVE_EXTRA: lambda n: ngettext(
        "%(n)d unit taken out of the parcel", "%(n)d units taken out of the parcel", n),
    ScanEvent.Action.KEEP_EXTRA: lambda n: ngettext(
        "%(n)d unit kept in the parcel", "%(n)d units kept in the parcel", n),
}


def quantity_text(event):
    """The quantity of a timeline line as words a reader cannot misread, or ""."""
    if not event.quantity:
        return ""
    words = EXTRA_ACTIONS.get(event.action)
    if words is not None:
        n = abs(event.quantity)
        return words(n) % {"n": n}
    return f"{event.quantity:+d}"


def order_timeline(order):
    """Every scan and action on one order, oldest first, with who and where, and what a line
    of the log cannot say alone: a manual fill's or a flag's reason, a mapping's old and new
    SKU, a review's reason, the supervisor who approved, and the product (by name)."""
    events = list(order.scan_events.select_related("worker", "station", "item",
                                                   "approval__approver")
                  .order_by("created_at", "id"))
    return [{"event": event, "detail": event_detail(event), "quantity": quantity_text(event),
             "product": event_product(event)}
            for event in events]


def event_product(event):
    """The product a scan was about: its line's name, or the known wrong item the answer named."""
    if event.item is not None and event.item.product_name:
        return event.item.product_name
    product = (event.response or {}).get("product") or {}
    return product.get("product_name", "") if isinstance(product, dict) else ""


def event_detail(event):
    parts = []
    if event.reason:
        reason = event.get_reason_display()
        parts.append(f"{reason}: {event.note}" if event.note else str(reason))
    elif event.note:
        parts.append(event.note)
    mapping = (event.response or {}).get("mapping") if event.action == "map" else None
    if mapping:
        if mapping.get("previous_sku") and mapping["previous_sku"] != mapping.get("sku"):
            parts.append(_("%(barcode)s: %(old)s → %(new)s (mapping changed)") % {
                "barcode": mapping.get("barcode"), "old": mapping["previous_sku"],
                "new": mapping.get("sku")})
        else:
            parts.append(_("%(barcode)s → %(sku)s") % {"barcode": mapping.get("barcode"),
                                                       "sku": mapping.get("sku")})
    approval = getattr(event, "approval", None)
    if approval is not None:
        parts.append(_("approved by %(name)s (%(method)s)") % {
            "name": approval.approver.display_name, "method": approval.get_method_display()})
    return " · ".join(str(p) for p in parts)
