"""The one vocabulary of scan answers: every `ScanEvent.outcome`, its headline, tone and kind.

The engine answers with these, the log stores them (a database constraint keeps the column to
this list), replay and metrics read them, exports and the legacy writer write them, and the
station's and floor's JavaScript get the headline and tone of each from the page config
(`client_config`) instead of keeping lists of their own. Before this module the names were
bare strings in nine files, and the "wrong scan" sets of the metrics and of the floor view
disagreed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """What a scan or an action did (the value is stored; the label is the screen headline)."""

    # Scans with no order open
    ORDER_LOADED = "order_loaded", _("Order loaded")
    ORDER_NOT_FOUND = "order_not_found", _("Order not found")
    ORDER_ALREADY_COMPLETED = "order_already_completed", _("Already completed")
    # Scans with an order open
    ITEM_OK = "item_ok", _("Item OK")
    ORDER_COMPLETE = "order_complete", _("Order complete")
    COMPLETE_WITH_EXTRAS = "complete_with_extras", _("Complete, extras pending")
    EXTRA_ITEM = "extra_item", _("Extra item")
    # A packaging barcode (N units) whose line needs fewer than N: nothing was packed
    PACK_EXCEEDS_LINE = "pack_exceeds_line", _("Pack too big for the line")
    UNKNOWN_ITEM = "unknown_item", _("Unknown item")
    OTHER_ORDER_LABEL = "other_order_label", _("Another order's label")
    ORDER_NEEDS_REVIEW = "order_needs_review", _("Waiting for a supervisor")
    # Manual actions
    CONFIRMED = "confirmed", _("Confirmed by hand")
    FORCE_CONFIRMED = "force_confirmed", _("Line confirmed")
    UNDONE = "undone", _("Undone")
    ALREADY_ZERO = "already_zero", _("Already zero")
    SKIPPED = "skipped", _("Order skipped")
    EXTRA_KEPT = "extra_kept", _("Extra kept")
    EXTRA_REMOVED = "extra_removed", _("Extra removed")
    REOPENED = "reopened", _("Order reopened")
    MAPPED = "mapped", _("Barcode mapped")
    REMAPPED = "remapped", _("Barcode mapping changed")
    ORDER_FLAGGED = "order_flagged", _("Order flagged for review")
    BOX_OPENED = "box_opened", _("New box")
    REVIEW_REOPENED = "review_reopened", _("Reviewed: reopened")
    REVIEW_COMPLETED = "review_completed", _("Reviewed: completed")
    # Written by importers, never answered to a station
    IMPORTED = "imported", _("Imported")
    LEGACY_DISCARDED = "legacy_discarded", _("Discarded in the old app")


class Tone(models.TextChoices):
    """How a screen shows an outcome: its colour and its sound (static/css, static/js)."""

    INFO = "info", _("Information")  # an order opened: blue, two rising tones
    OK = "ok", _("OK")  # a unit went in, or a correction was accepted: green, one beep
    DONE = "done", _("Done")  # the order (or the list) is finished: dark, a chord
    WARN = "warn", _("Warning")  # look at the screen before going on: amber, two beeps
    BAD = "bad", _("Error")  # wrong: red, a low buzz


TONES = {
    Outcome.ORDER_LOADED: Tone.INFO,
    Outcome.ITEM_OK: Tone.OK,
    Outcome.ORDER_COMPLETE: Tone.DONE,
    Outcome.CONFIRMED: Tone.OK,
    Outcome.FORCE_CONFIRMED: Tone.OK,
    Outcome.EXTRA_KEPT: Tone.OK,
    Outcome.EXTRA_REMOVED: Tone.OK,
    Outcome.REOPENED: Tone.OK,
    Outcome.MAPPED: Tone.OK,
    Outcome.REMAPPED: Tone.WARN,
    Outcome.ORDER_FLAGGED: Tone.WARN,
    Outcome.BOX_OPENED: Tone.INFO,
    Outcome.ORDER_NEEDS_REVIEW: Tone.WARN,
    Outcome.REVIEW_REOPENED: Tone.OK,
    Outcome.REVIEW_COMPLETED: Tone.OK,
    Outcome.UNDONE: Tone.OK,
    Outcome.EXTRA_ITEM: Tone.WARN,
    Outcome.PACK_EXCEEDS_LINE: Tone.WARN,
    Outcome.COMPLETE_WITH_EXTRAS: Tone.WARN,
    Outcome.OTHER_ORDER_LABEL: Tone.WARN,
    Outcome.ORDER_ALREADY_COMPLETED: Tone.WARN,
    Outcome.ALREADY_ZERO: Tone.WARN,
    Outcome.SKIPPED: Tone.WARN,
    Outcome.UNKNOWN_ITEM: Tone.BAD,
    Outcome.ORDER_NOT_FOUND: Tone.BAD,
    Outcome.IMPORTED: Tone.INFO,
    Outcome.LEGACY_DISCARDED: Tone.INFO,
}

# A wrong scan: the packer scanned something that does not belong (counted against accuracy,
# shown in the floor's error column).
WRONG = frozenset({Outcome.UNKNOWN_ITEM, Outcome.EXTRA_ITEM, Outcome.OTHER_ORDER_LABEL})

# Scans that put units of a line in the parcel.
PACKING = frozenset({Outcome.ITEM_OK, Outcome.ORDER_COMPLETE, Outcome.COMPLETE_WITH_EXTRAS})

# Answers that move a line's packed units by the event's quantity (undo: negative); with an
# import's events, what fills the boxes of an order (sessions.reads.boxes, scanning.packs).
LINE_CHANGES = PACKING | {Outcome.CONFIRMED, Outcome.FORCE_CONFIRMED, Outcome.UNDONE}

# Outcomes a scanned code can get (the others come from actions and importers).
SCAN = (
    Outcome.ORDER_LOADED, Outcome.ORDER_NOT_FOUND, Outcome.ORDER_ALREADY_COMPLETED,
    Outcome.ORDER_NEEDS_REVIEW, Outcome.OTHER_ORDER_LABEL, Outcome.ITEM_OK,
    Outcome.ORDER_COMPLETE, Outcome.UNKNOWN_ITEM, Outcome.EXTRA_ITEM, Outcome.COMPLETE_WITH_EXTRAS,
    Outcome.PACK_EXCEEDS_LINE,
)


# What the station offers next to an answer (a button and its key): skip the open order to open
# the other one, reopen a completed order (supervisors), map the unknown code to a line. The
# station's JavaScript reads these from the page config instead of naming outcomes itself.
OFFERS = {
    Outcome.OTHER_ORDER_LABEL: "skip",
    Outcome.ORDER_ALREADY_COMPLETED: "reopen",
    Outcome.UNKNOWN_ITEM: "map",
}


def tone(outcome):
    return TONES.get(outcome, Tone.INFO)


def client_config():
    """{value: {"label", "tone", "offer", "packs"}} for the pages' JavaScript, in the active
    language."""
    return {o.value: {"label": str(o.label), "tone": tone(o).value,
                      "offer": OFFERS.get(o, ""), "packs": o in PACKING}
            for o in Outcome}
