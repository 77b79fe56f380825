"""The packer's pages: choose a packing list, then the scanning screen.

The scanning screen is rendered once; its JavaScript (static/js/station.js) claims the list,
scans, acts, heart-beats and ends through the REST API (/api/v1/lists/<id>/...), which calls
the claim and scanning services. This module only reads what the screen needs to start.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from profiles.models import Client
from profiles.roles import is_supervisor
from profiles.services import worker_for_user
from profiles.terminals import badge_at_terminal
from sessions import claims
from sessions.approvals import APPROVE_WITH
from sessions.errors import PackingError
from sessions.listcodes import SCRIPT_PATTERN, list_id_from_input
from sessions.models import FILL_REASONS, PROBLEM_REASONS, PackingList
from sessions.reads.payloads import order_payload
from sessions.reads.station_panels import (
    courier_deadlines,
    end_summary,
    open_lists,
    station_history,
)
from sessions.scanning.actions import reasons_payload
from sessions.web.station_bench import bench_config
from sessions.web.strings import station_strings
from sessions.web.terminal import current_station


def needs_station(view):
    """Send a terminal without a station name to the set-up page first."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        station = current_station(request)
        if station is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('station-setup')}?{query}")
        request.station = station
        return view(request, *args, **kwargs)
    return wrapper


@needs_station
def station_pick(request):
    """Client → session → packing list (or type / scan the list's number)."""
    client = None
    code = request.GET.get("client")
    if code:
        client = get_object_or_404(Client, code=code, active=True)
    held = PackingList.objects.filter(station=request.station).select_related("session").first()
    return render(request, "station/pick.html", {
        "station": request.station,
        "clients": Client.objects.filter(active=True),
        "client": client,
        "sessions": open_lists(client) if client else [],
        "held": held,
    })


@needs_station
def station_go(request):
    """A list barcode (`LIST-42`) or number scanned or typed on the pick page.

    POST (the pick page's scan field) claims the list for this packer at this station through
    the claim service, then opens the station; a refusal (in use elsewhere, ended) is shown on
    the pick page. GET only opens the list (old links). A badge scanned here signs its packer
    out (their own) or in (another packer's), for a kiosk terminal.
    """
    code = (request.POST.get("code") if request.method == "POST"
            else request.GET.get("code")) or ""
    list_id = list_id_from_input(code)
    if list_id is None or not PackingList.objects.filter(pk=list_id).exists():
        return _not_a_list(request, code)
    if request.method == "POST":
        try:
            claims.claim_list(list_id, worker=worker_for_user(request.user),
                              station=request.station, by_user=request.user)
        except PackingError as exc:
            messages.error(request, exc.message)
            return redirect("station-pick")
    return redirect("station-list", list_id=list_id)


def _not_a_list(request, code):
    if request.method == "POST":
        swapped = badge_at_terminal(request, code)
        if swapped == "signed_out":
            return redirect("login")
        if swapped == "signed_in":
            return redirect("station-pick")
    messages.error(request, _("No packing list has the number %(code)s.") % {"code": code})
    return redirect("station-pick")


def scanner_settings():
    """How this floor's scanners end and wrap their codes (settings PACKER_SCANNER_*): the
    station strips what they add before a code is sent or compared."""
    return {
        "stripAim": settings.PACKER_SCANNER_STRIP_AIM,
        "stripGroupSeparator": settings.PACKER_SCANNER_STRIP_GS,
        "doubleFireMs": settings.PACKER_SCANNER_DOUBLE_FIRE_MS,
    }


@needs_station
def station_summary(request, list_id):
    """The end-of-list summary the station shows (orders, units, skipped, flagged, extras
    kept, wrong scans, time)."""
    pl = get_object_or_404(PackingList, pk=list_id)
    return JsonResponse({"rows": end_summary(pl)})


@needs_station
def station_list(request, list_id):
    """The scanning screen of one list at this terminal's station."""
    pl = get_object_or_404(PackingList.objects.select_related("session__client"), pk=list_id)
    client_settings = pl.session.client.settings_or_default()
    api = reverse("api-list", args=[pl.pk])
    config = {
        "listId": pl.pk,
        "listName": pl.name,
        "station": request.station.name,
        "worker": worker_for_user(request.user).display_name,
        "supervisor": is_supervisor(request.user),
        "api": api,
        "reportUrl": reverse("list-report", args=[pl.pk]),
        "orderUrl": reverse("api-order", args=[999999999]),  # the id goes in place of 999999999
        "pickUrl": reverse("station-pick") + f"?client={pl.session.client.code}",
        "heartbeatSeconds": settings.PACKER_HEARTBEAT_SECONDS,
        "summaryUrl": reverse("station-summary", args=[pl.pk]),
        "listUrl": reverse("station-list", args=[999999999]),  # the id goes in place of 999999999
        "listBarcodePattern": SCRIPT_PATTERN,  # "list ended": scan the next list
        "scanner": scanner_settings(),
        "staleAfterSeconds": settings.PACKER_STALE_AFTER_SECONDS,
        "openOrder": order_payload(pl.open_order) if pl.open_order_id else None,
        "deadlines": courier_deadlines(pl.session.client),
        "history": station_history(request.station),
        "timeZone": settings.TIME_ZONE,
        "strings": station_strings(),
        # What the server decides: the reasons offered, how a supervisor approves, and where
        # this client wants an approval (the server still refuses without it).
        "fillReasons": reasons_payload(FILL_REASONS),
        "problemReasons": reasons_payload(PROBLEM_REASONS),
        "approveWith": list(APPROVE_WITH),
        "forceConfirmNeedsApproval": client_settings.force_confirm_needs_approval,
        "bench": bench_config(client_settings),  # commands, printing, boxes (issue 13)
    }
    return render(request, "station/list.html", {
        "packing_list": pl, "station": request.station, "config": config,
    })
