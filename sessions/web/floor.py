"""The supervisor's floor view: rendered with the current rows, then kept live over WebSocket."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from sessions.outcomes import Outcome, client_config
from sessions.reads.floor_rows import floor_rows
from sessions.reads.reviews import orders_to_review
from sessions.web.access import supervisor_required
from sessions.web.strings import dialog_strings

FLOOR_RESYNC_SECONDS = 60

@supervisor_required
def floor(request):
    """Every claimed list; static/js/floor.js replaces the rows from the socket's snapshot."""
    config = {
        "staleAfterSeconds": settings.PACKER_STALE_AFTER_SECONDS,
        # A message lost while the channel layer was down (a Redis blip: the pub/sub layer
        # reconnects by itself, the socket stays open) is repaired by a fresh snapshot asked
        # for this often, whatever happened.
        "resyncSeconds": FLOOR_RESYNC_SECONDS,
        "outcomes": client_config(),
        "strings": {
            "dialog": dialog_strings(),
            "forceReleaseTitle": _("Force-release list %(list)s?"),
            "forceReleaseText": _("%(holder)s at station %(station)s loses the list at once and "
                                  "cannot claim it again for a while without your approval."),
            "reasonPrompt": _("Why is this claim released? (kept in the log)"),
            "active": _("active"), "stale": _("stale"), "details": _("Details"),
            "takeOver": _("Take over"), "forceRelease": _("Force-release"),
            "empty": _("No station holds a list right now."),
            "released": _("Released."), "ago": _("%(seconds)s s ago"),
            "orders": _("orders"), "units": _("units"),
            "toReview": _("%(n)s to review"),
        },
        # Updates whose outcome changes the list of flagged orders (refresh that panel).
        "reviewOutcomes": [Outcome.ORDER_FLAGGED, Outcome.REVIEW_REOPENED,
                           Outcome.REVIEW_COMPLETED],
    }
    return render(request, "floor/floor.html", {
        "rows": floor_rows(), "config": config, "reviews": orders_to_review(), "scope": None,
    })
