"""The station API contract: claims, scans, manual actions and ending a list.

Stations and outside programs depend on these paths, fields and error codes (issue 4, "The
station API contract"): change nothing here without a new API version. Each view parses the
request, calls one service and returns the service's answer as is; the services lock, check the
claim, write and publish.
"""

import uuid

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.roles import is_supervisor
from profiles.services import worker_for_user
from sessions import claims, lifecycle
from sessions.api import serializers as s
from sessions.api.permissions import HasRole, IsSupervisor
from sessions.approvals import approver_for
from sessions.errors import Forbidden, NotClaimHolder
from sessions.labels import autoprint
from sessions.models import PackingList
from sessions.reads.payloads import claim_state, list_payload
from sessions.reads.references import station_by_ref, worker_by_ref
from sessions.scanning import codes

CLAIM_TOKEN_HEADER = "HTTP_X_CLAIM_TOKEN"
TOKEN_PARAMETER = OpenApiParameter(
    "X-Claim-Token", OpenApiTypes.UUID, OpenApiParameter.HEADER, required=True,
    description="The token returned by claim/ or takeover/.",
)
OPTIONAL_TOKEN_PARAMETER = OpenApiParameter(
    "X-Claim-Token", OpenApiTypes.UUID, OpenApiParameter.HEADER, required=False,
    description="The holder's claim token; a supervisor may end a list without it.",
)


def error(description, serializer=s.ErrorSerializer):
    return OpenApiResponse(serializer, description=description)


COMMON_ERRORS = {
    401: error("Not signed in (no or bad Authorization token)."),
    404: error("No such packing list (code not_found)."),
}
HOLDER_ERRORS = {
    **COMMON_ERRORS,
    409: error("not_claim_holder (wrong or missing X-Claim-Token; with `ended`: who released "
               "or took the list, when and why), list_completed, scan_id_conflict.",
               s.NotClaimHolderErrorSerializer),
}
APPROVAL_ERRORS = {
    403: error("approval_required: a supervisor must approve (send the same request again "
               "with \"approval\": {\"badge\"} or {\"username\", \"pin\"} and the same "
               "scan_id); approval_refused: the approval given is not a supervisor's; "
               "forbidden: reopen is for supervisors.", s.ApprovalRequiredErrorSerializer),
    429: error("locked_out: too many wrong badges or PINs from this address."),
}


def approver(request, data):
    """The supervisor's approval sent with the request (checked now, counted by axes), or the
    signed-in supervisor, or None (sessions.approvals.approver_for)."""
    return approver_for(request._request, data.get("approval"))


def claim_token(request, required=True):
    """The X-Claim-Token header as a UUID; a missing or malformed token is not the holder's."""
    raw = request.META.get(CLAIM_TOKEN_HEADER, "").strip()
    if not raw:
        if not required:
            return None
        raise NotClaimHolder(_("The X-Claim-Token header is missing. Claim the list first."))
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotClaimHolder() from None


def validated(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def claim_answer(packing_list):
    """What a station needs after claiming or taking over: the token, intervals and the list."""
    return {
        "token": str(packing_list.claim_token),
        "heartbeat_seconds": settings.PACKER_HEARTBEAT_SECONDS,
        "stale_after_seconds": settings.PACKER_STALE_AFTER_SECONDS,
        "list": list_payload(packing_list),
    }


def fresh_list_answer(pk):
    packing_list = get_object_or_404(PackingList, pk=pk)
    return {"list": list_payload(packing_list)}


class StationView(APIView):
    permission_classes = [HasRole]


class ClaimView(StationView):
    @extend_schema(
        operation_id="list_claim", tags=["claims"], request=s.ClaimRequestSerializer,
        responses={200: s.ClaimAnswerSerializer, **COMMON_ERRORS,
                   403: error("approval_refused: the approval given is not a supervisor's.",
                              s.ApprovalRequiredErrorSerializer),
                   409: OpenApiResponse(s.ClaimRefusedErrorSerializer, description=(
                       "list_claimed (with holder, station, since, stale, can_take_over), "
                       "list_completed, station_busy, or release_cooldown (a supervisor "
                       "force-released this list from this station or worker: claim again "
                       "after `until`, or now with \"approval\")."))},
        description="Claim a packing list for the signed-in worker at a station. Re-claiming "
                    "one's own claim from the same station returns the same token.",
    )
    def post(self, request, pk):
        data = validated(s.ClaimRequestSerializer, request)
        station = station_by_ref(data["station"])
        packing_list = claims.claim_list(pk, worker=worker_for_user(request.user),
                                         station=station, by_user=request.user,
                                         approver=approver(request, data))
        return Response(claim_answer(packing_list))


class HeartbeatView(StationView):
    @extend_schema(
        operation_id="list_heartbeat", tags=["claims"], request=None,
        parameters=[TOKEN_PARAMETER],
        responses={200: s.HeartbeatAnswerSerializer, **HOLDER_ERRORS},
        description="Keep the claim alive (every heartbeat_seconds).",
    )
    def post(self, request, pk):
        packing_list = claims.heartbeat(pk, token=claim_token(request))
        return Response({
            "heartbeat_at": packing_list.heartbeat_at,
            "heartbeat_seconds": settings.PACKER_HEARTBEAT_SECONDS,
            "stale_after_seconds": settings.PACKER_STALE_AFTER_SECONDS,
            "claim": claim_state(packing_list),
        })


class ReleaseView(StationView):
    @extend_schema(
        operation_id="list_release", tags=["claims"], request=s.ReleaseRequestSerializer,
        parameters=[TOKEN_PARAMETER],
        responses={200: s.ListAnswerSerializer, **HOLDER_ERRORS},
        description="The holder gives the list back (a break, a shift change); counts and the "
                    "open order are kept and any packer may claim it next. Logged.",
    )
    def post(self, request, pk):
        data = validated(s.ReleaseRequestSerializer, request)
        claims.release(pk, token=claim_token(request), reason=data["reason"])
        return Response(fresh_list_answer(pk))


class TakeoverView(StationView):
    @extend_schema(
        operation_id="list_takeover", tags=["claims"], request=s.TakeoverRequestSerializer,
        responses={200: s.ClaimAnswerSerializer, **COMMON_ERRORS,
                   403: error("Someone else's claim: only a supervisor may take it over; "
                              "approval_refused."),
                   409: error("claim_active (not stale yet), list_not_claimed, "
                              "list_completed, station_busy, release_cooldown.",
                              s.ClaimRefusedErrorSerializer)},
        description="Take over a STALE claim: the same worker, or a supervisor.",
    )
    def post(self, request, pk):
        data = validated(s.TakeoverRequestSerializer, request)
        station = station_by_ref(data["station"])
        packing_list = claims.take_over(
            pk, worker=worker_for_user(request.user), station=station, by_user=request.user,
            reason=data["reason"], approver=approver(request, data),
        )
        return Response(claim_answer(packing_list))


class ForceReleaseView(APIView):
    permission_classes = [HasRole, IsSupervisor]

    @extend_schema(
        operation_id="list_force_release", tags=["claims"],
        request=s.ForceReleaseRequestSerializer,
        responses={200: s.ListAnswerSerializer, **COMMON_ERRORS,
                   400: error("A reason is required."),
                   403: error("Supervisors only."),
                   409: error("list_not_claimed: nobody holds the list.")},
        description="Supervisor ends an active claim, with a reason (logged).",
    )
    def post(self, request, pk):
        data = validated(s.ForceReleaseRequestSerializer, request)
        claims.force_release(pk, by_user=request.user, reason=data["reason"])
        return Response(fresh_list_answer(pk))


class ReassignView(APIView):
    permission_classes = [HasRole, IsSupervisor]

    @extend_schema(
        operation_id="list_reassign", tags=["claims"],
        request=s.ReassignRequestSerializer,
        responses={200: s.ListAnswerSerializer, **COMMON_ERRORS,
                   403: error("Supervisors only."),
                   409: error("station_busy: the target station holds another packer's list; "
                              "list_completed.")},
        description="Supervisor moves a list (held or waiting) to a station and packer; "
                    "logged like a take-over (claim event `reassign`).",
    )
    def post(self, request, pk):
        data = validated(s.ReassignRequestSerializer, request)
        claims.reassign(pk, by_user=request.user, worker=worker_by_ref(data["worker"]),
                        station=station_by_ref(data["station"]), reason=data.get("reason", ""))
        return Response(fresh_list_answer(pk))


class ScanView(StationView):
    @extend_schema(
        operation_id="list_scan", tags=["scanning"], request=s.ScanRequestSerializer,
        parameters=[TOKEN_PARAMETER],
        responses={200: s.AnswerSerializer, 400: error("No code."), **HOLDER_ERRORS},
        description="One scan (order label or item). Every outcome, including mistakes such "
                    "as unknown_item, is a 200 answer; errors are refusals.",
    )
    def post(self, request, pk):
        data = validated(s.ScanRequestSerializer, request)
        answer = codes.scan(pk, token=claim_token(request), code=data["code"],
                               scan_id=data.get("scan_id"))
        return Response(autoprint.after_answer(answer, get_language()))


class ActionView(StationView):
    @extend_schema(
        operation_id="list_action", tags=["scanning"], request=s.ActionRequestSerializer,
        parameters=[TOKEN_PARAMETER],
        responses={200: s.AnswerSerializer,
                   400: OpenApiResponse(s.ReasonRequiredErrorSerializer, description=(
                       "invalid / invalid_action: the action is not possible now; "
                       "reason_required: confirm, force_confirm and flag need a reason "
                       "(with the reasons to choose from).")),
                   **APPROVAL_ERRORS, **HOLDER_ERRORS},
        description="A manual action at the station: confirm and force_confirm (with a "
                    "reason), undo, skip, keep_extra, remove_extra, reopen (supervisor), map "
                    "(barcode → SKU), flag (the open order needs a supervisor: needs_review), "
                    "new_box (close the open order's box, with an optional weight, and open "
                    "the next). "
                    "force_confirm (where the client says so), changing a barcode's mapping, "
                    "and a new barcode where packers may not map answer 403 approval_required "
                    "until sent with a supervisor's \"approval\".",
    )
    def post(self, request, pk):
        data = validated(s.ActionRequestSerializer, request)
        token = claim_token(request)
        if data["action"] == "reopen" and not is_supervisor(request.user):
            raise Forbidden(_("Only a supervisor may reopen a completed order."))
        answer = codes.perform_action(
            pk, token=token, action=data["action"], scan_id=data.get("scan_id"),
            item=data.get("item"), order=data.get("order"), barcode=data.get("barcode"),
            sku=data.get("sku"), by_user=request.user, reason=data.get("reason"),
            note=data.get("note"), approver=approver(request, data), weight=data.get("weight"),
        )
        return Response(autoprint.after_answer(answer, get_language()))


class EndView(StationView):
    @extend_schema(
        operation_id="list_end", tags=["lists"], request=s.EndRequestSerializer,
        parameters=[OPTIONAL_TOKEN_PARAMETER],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="The list summary."),
                   400: error("invalid_action with open_orders and needs_approval: some "
                              "orders are still open (send force=true, with a supervisor's "
                              "approval when needs_approval)."),
                   403: error("approval_required (ending early: send force=true with "
                              "\"approval\"), approval_refused, or neither the holder nor a "
                              "supervisor.", s.ApprovalRequiredErrorSerializer),
                   **HOLDER_ERRORS},
        description="End the list (holder with its token, or a supervisor); writes the "
                    "completion report and returns the summary.",
    )
    def post(self, request, pk):
        data = validated(s.EndRequestSerializer, request)
        summary = lifecycle.end_list(pk, token=claim_token(request, required=False),
                                     by_user=request.user, force=data["force"],
                                     approver=approver(request, data))
        return Response(summary)
