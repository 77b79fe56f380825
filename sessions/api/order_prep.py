"""The read API of the order-prep side (the Shopify Tool), issue 14:

- GET /api/v1/orders/?client=CODE&number=1001: what became of an order (status, packed_by,
  completed time, boxes), one entry per list it was imported into, newest first;
- GET /api/v1/sessions/{id}/progress/: the old `packing_progress` block of session_info.json,
  per list and for the session.

The shapes are sessions.reads.order_prep's, the same the webhooks push.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.normalize import normalize_order_number
from sessions.api.permissions import HasRole
from sessions.api.serializers import ErrorSerializer
from sessions.errors import NotFound
from sessions.models import PackingSession
from sessions.reads.order_prep import find_orders, order_status, session_progress
from sessions.reads.references import client_by_code


class OrderQuerySerializer(serializers.Serializer):
    client = serializers.CharField(max_length=50, help_text=gettext_lazy("Client code, e.g. M."))
    number = serializers.CharField(max_length=200,
                                   help_text=gettext_lazy("Order number, e.g. 1001 or #1001."))


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(required=False)
    name = serializers.CharField(required=False)


class OrderStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    client = serializers.CharField()
    session = RefSerializer()
    list = RefSerializer()
    status = serializers.CharField(help_text=gettext_lazy(
        "new, in_progress, completed, skipped or needs_review."))
    packed_by = serializers.CharField(allow_null=True, help_text=gettext_lazy(
        "Who completed the order (null until completed)."))
    station = serializers.CharField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    boxes = serializers.IntegerField(help_text=gettext_lazy(
        "Boxes the completed order went out in (0 until it is completed)."))
    problem = serializers.CharField(allow_blank=True)
    problem_note = serializers.CharField(allow_blank=True)


class ListProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(help_text=gettext_lazy(
        "not_started, in_progress or completed."))
    updated_at = serializers.DateTimeField(allow_null=True)
    completed_orders = serializers.ListField(child=serializers.CharField())
    orders = serializers.IntegerField()
    packed_units = serializers.IntegerField()
    required_units = serializers.IntegerField()


class SessionProgressBlockSerializer(ListProgressSerializer):
    external_id = serializers.CharField()
    client = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)


class SessionProgressSerializer(serializers.Serializer):
    session = SessionProgressBlockSerializer()
    packing_progress = serializers.DictField(child=ListProgressSerializer(), help_text=(
        gettext_lazy("Per packing list, keyed by its name, as in session_info.json.")))


class OrderLookup(APIView):
    permission_classes = [HasRole]

    @extend_schema(
        operation_id="orders_lookup", tags=["order prep"], parameters=[OrderQuerySerializer],
        description=("What became of an order of a client, by its number (normalised as the "
                     "station matches it): one entry per packing list it was imported into "
                     "(a re-ship appears again), newest first."),
        responses={200: OrderStatusSerializer(many=True),
                   400: OpenApiResponse(ErrorSerializer,
                                        description="invalid: client and number are required"),
                   404: OpenApiResponse(ErrorSerializer,
                                        description="not_found: unknown client or order")},
    )
    def get(self, request):
        query = OrderQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        client = client_by_code(query.validated_data["client"])
        number = query.validated_data["number"]
        orders = list(find_orders(client, normalize_order_number(number)))
        if not orders:
            raise NotFound(_("Order %(number)s of %(client)s is not in any packing list.")
                           % {"number": number, "client": client.code})
        return Response([order_status(order) for order in orders])


class SessionProgress(APIView):
    permission_classes = [HasRole]

    @extend_schema(
        operation_id="sessions_progress", tags=["order prep"],
        description=("The fields of the old `packing_progress` block of session_info.json "
                     "(started_at, status, updated_at, completed_orders), per packing list "
                     "and for the session; status not_started is a list nobody opened yet."),
        responses={200: SessionProgressSerializer,
                   404: OpenApiResponse(ErrorSerializer, description="not_found")},
    )
    def get(self, request, pk):
        session = get_object_or_404(PackingSession.objects.select_related("client"), pk=pk)
        return Response(session_progress(session))
