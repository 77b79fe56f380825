"""Flagged orders (needs_review): a supervisor resolves one from any screen or program.

POST /api/v1/orders/<id>/review/ {"resolution": "reopen" | "complete", "reason"} runs the scan
path's own step (sessions.scanning.codes.resolve_review): logged, replayable, published.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.services import worker_for_user
from sessions.api import serializers as s
from sessions.api.permissions import HasRole, IsSupervisor
from sessions.scanning import codes


class OrderReview(APIView):
    permission_classes = [HasRole, IsSupervisor]

    @extend_schema(
        operation_id="order_review", tags=["orders"], request=s.ReviewRequestSerializer,
        responses={200: s.AnswerSerializer,
                   400: OpenApiResponse(s.ErrorSerializer, description=(
                       "invalid_action: the order is not waiting for a review; "
                       "reason_required: completing needs a reason.")),
                   403: OpenApiResponse(s.ErrorSerializer, description="Supervisors only."),
                   404: OpenApiResponse(s.ErrorSerializer, description="not_found")},
        description="Resolve a flagged order: reopen it (the packer scans its label again) or "
                    "complete it as it is, with a reason.",
    )
    def post(self, request, pk):
        data = s.ReviewRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = codes.resolve_review(
            pk, supervisor=worker_for_user(request.user), resolution=data.validated_data[
                "resolution"], note=data.validated_data["reason"],
            scan_id=data.validated_data.get("scan_id"))
        return Response(answer)
