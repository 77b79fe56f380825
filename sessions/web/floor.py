"""The supervisor's floor view, its alert buttons and the wall display.

The page is rendered with the floor's state (sessions.reads.floor_view) and kept live over the
floor socket; static/js/floor.js shows what the server sends. Acknowledging an alert and muting
a kind are small POSTs answered in JSON (sessions.alerts does the work). The wall display
(`/floor/wall/`) shows the couriers' cut-off pace in big type, one client at a time, with no
input; it re-reads its fragment every WALL_REFRESH_SECONDS.
"""

from django.conf import settings
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from profiles.models import Station, Worker
from profiles.roles import ROLES
from sessions import alerts
from sessions.errors import PackingError
from sessions.models import PROBLEM_REASONS
from sessions.outcomes import Outcome, client_config
from sessions.reads.cutoff import courier_pace, floor_pace, status_labels, with_words
from sessions.reads.floor_alerts import alert_kinds
from sessions.reads.floor_stations import STALE, state_labels
from sessions.reads.floor_view import floor_state
from sessions.reads.floor_waiting import day_figures, waiting_words
from sessions.reads.reviews import orders_to_review
from sessions.web.access import supervisor_required
from sessions.web.strings import floor_strings

# A fresh snapshot this often repairs messages lost meanwhile (a Redis blip keeps the socket
# open) and brings the alerts that only time raises (an order open too long).
FLOOR_RESYNC_SECONDS = 15
WALL_REFRESH_SECONDS = 20
WALL_ROTATE_SECONDS = 12


def reassign_choices():
    """The stations and packers a list may be reassigned to (the dialog's two selects)."""
    stations = [{"value": s.pk, "label": s.name}
                for s in Station.objects.filter(active=True).order_by("name")]
    workers = [{"value": w.pk, "label": w.display_name}
               for w in Worker.objects.filter(user__is_active=True)
               .filter(Q(user__groups__name__in=ROLES) | Q(user__is_superuser=True))
               .distinct().order_by("display_name")]
    return {"stations": stations, "workers": workers}


@supervisor_required
def floor(request):
    """Stations, waiting lists, the day, couriers and alerts; static/js/floor.js keeps it live."""
    config = {
        "staleAfterSeconds": settings.PACKER_STALE_AFTER_SECONDS,
        "resyncSeconds": FLOOR_RESYNC_SECONDS,
        "outcomes": client_config(),
        "states": state_labels(),
        "staleState": STALE,
        "cutoff": status_labels(),
        "waiting": waiting_words(),
        "problems": {r.value: str(r.label) for r in PROBLEM_REASONS},
        "alertKinds": alert_kinds(request.user),
        "choices": reassign_choices(),
        "strings": floor_strings(),
        # Updates whose outcome changes the list of flagged orders (refresh that panel).
        "reviewOutcomes": [Outcome.ORDER_FLAGGED, Outcome.REVIEW_REOPENED,
                           Outcome.REVIEW_COMPLETED],
    }
    return render(request, "floor/floor.html", {
        "state": floor_state(), "config": config, "reviews": orders_to_review(), "scope": None,
    })


def _answer(work):
    try:
        return JsonResponse(work())
    except PackingError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)


@supervisor_required
@require_POST
def alert_ack(request):
    """Acknowledge one alert (kind + key): it leaves every floor view."""
    def work():
        ack = alerts.acknowledge(request.POST.get("kind"), request.POST.get("key"),
                                 by_user=request.user)
        return {"kind": ack.kind, "key": ack.key}
    return _answer(work)


@supervisor_required
@require_POST
def alert_mute(request):
    """Mute (muted=1) or unmute (muted=0) one kind of alert for this supervisor."""
    def work():
        kind = request.POST.get("kind")
        muted = alerts.set_muted(request.user, kind, request.POST.get("muted") == "1")
        return {"kind": kind, "muted": muted}
    return _answer(work)


@supervisor_required
def wall(request):
    """The wall display: couriers' cut-off pace per client, rotating; no input."""
    now = timezone.now()
    context = {"clients": with_words(courier_pace(now)), "kpis": day_figures(now),
               "pace": floor_pace(now), "refresh": WALL_REFRESH_SECONDS,
               "rotate": WALL_ROTATE_SECONDS}
    template = "floor/_wall.html" if request.GET.get("part") else "floor/wall.html"
    return render(request, template, context)
