"""Durations and order types as a person reads them, in the page's language.

"2 h 58 min", "11 s" used to be written in English by templates ("… s") and by the station's
script ("2h 58m"), and an order's type ("multi") was shown as the raw value. The server formats
them here with gettext, so every language has its own units; the station's script gets the
same formats from its config (sessions/web/strings.py).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# An order's type as the Shopify Tool writes it → what a packer reads. Other values as given.
ORDER_TYPES = {"single": gettext_lazy("single item"), "multi": gettext_lazy("several items")}


def format_duration(seconds):
    """`11 s`, `4 min 05 s`, `2 h 58 min` (translated units); None → an em dash."""
    if seconds is None:
        return "—"
    total = max(0, round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}
    return _("%(s)d s") % {"s": secs}


def order_type_label(order_type):
    """The order type in the reader's language (unknown types as they were imported)."""
    label = ORDER_TYPES.get((order_type or "").strip().casefold())
    return str(label) if label is not None else order_type or ""
