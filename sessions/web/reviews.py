"""Flagged orders on the floor and in the session browser: the supervisor's list and the two
ways to resolve one (reopen it, or complete it as it is with a reason).

The fragment is one template for both pages (`?list=<id>` narrows it to a list); a
resolution runs the scan path's own step (sessions.scanning.codes.resolve_review), so it is
logged, replayable and published like any scan.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from profiles.services import worker_for_user
from sessions.errors import PackingError
from sessions.models import Order, PackingList
from sessions.reads.reviews import orders_to_review
from sessions.scanning import codes
from sessions.scanning.actions import RESOLUTIONS
from sessions.web.access import supervisor_required


def _scope(request):
    raw = request.POST.get("list") or request.GET.get("list") or ""
    return get_object_or_404(PackingList, pk=int(raw)) if raw.isdigit() else None


def _fragment(request, scope, status=200):
    return render(request, "floor/_reviews.html", {
        "reviews": orders_to_review(scope), "scope": scope, "resolutions": RESOLUTIONS,
    }, status=status)


@supervisor_required
def reviews(request):
    """The flagged orders (an htmx fragment of the floor and the list details)."""
    return _fragment(request, _scope(request))


@supervisor_required
@require_POST
def review_order(request, order_id):
    """Resolve one flagged order; answers the refreshed fragment (htmx) or goes back."""
    order = get_object_or_404(Order, pk=order_id)
    scope = _scope(request)
    try:
        answer = codes.resolve_review(order.pk, supervisor=worker_for_user(request.user),
                                      resolution=request.POST.get("resolution", ""),
                                      note=request.POST.get("reason", ""))
    except PackingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, answer["message"])
    if request.htmx:
        return _fragment(request, scope)
    return redirect("list-detail", list_id=order.packing_list_id)
