"""Read endpoints: clients, sessions, lists, orders, reports and metrics.

Every figure comes from the shared payload, report and selector functions, so the API shows the
same numbers as the station, the floor view and the exports.
"""

import django_filters
from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, renderers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.models import Client, Worker
from sessions import metrics, reports
from sessions.api import serializers as s
from sessions.api.permissions import HasRole
from sessions.downloads import XLSX, attachment, file_name
from sessions.models import Order, PackingList, PackingSession
from sessions.reads.payloads import claim_state, list_payload, order_payload
from sessions.reads.references import client_by_code
from sessions.reads.visibility import figures_worker

NOT_FOUND = {404: OpenApiResponse(s.ErrorSerializer, description="not_found")}


class ClientList(generics.ListAPIView):
    permission_classes = [HasRole]
    queryset = Client.objects.all()
    serializer_class = s.ClientSerializer
    filterset_fields = ["active"]

    @extend_schema(operation_id="clients_list", tags=["clients"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ClientDetail(generics.RetrieveAPIView):
    permission_classes = [HasRole]
    queryset = Client.objects.all()
    serializer_class = s.ClientSerializer

    @extend_schema(operation_id="clients_retrieve", tags=["clients"], responses={
        200: s.ClientSerializer, **NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SessionFilter(django_filters.FilterSet):
    client = django_filters.CharFilter(field_name="client__code", lookup_expr="iexact")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = PackingSession
        fields = ["client", "status", "source", "external_id"]


class SessionMixin:
    """Sessions with their lists (each list's counters are on its row)."""

    queryset = PackingSession.objects.select_related("client").prefetch_related("lists")
    serializer_class = s.PackingSessionSerializer


class SessionList(SessionMixin, generics.ListAPIView):
    permission_classes = [HasRole]
    filterset_class = SessionFilter

    @extend_schema(operation_id="sessions_list", tags=["sessions"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SessionDetail(SessionMixin, generics.RetrieveAPIView):
    permission_classes = [HasRole]
    @extend_schema(operation_id="sessions_retrieve", tags=["sessions"], responses={
        200: s.PackingSessionSerializer, **NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ListFilter(django_filters.FilterSet):
    client = django_filters.CharFilter(field_name="session__client__code", lookup_expr="iexact")
    claimed = django_filters.BooleanFilter(field_name="claim_token", lookup_expr="isnull",
                                           exclude=True)

    class Meta:
        model = PackingList
        fields = ["session", "client", "status", "claimed"]


class ListSummarySerializer(s.ListCountersSerializer):
    session = s.serializers.IntegerField()
    session_external_id = s.serializers.CharField()
    client = s.serializers.CharField()
    claim = s.ClaimStateSerializer(allow_null=True)


class ListIndex(generics.ListAPIView):
    """Packing lists with counters and claim state (the counters are on each list's row)."""

    permission_classes = [HasRole]
    queryset = PackingList.objects.select_related("session__client", "holder", "station")
    filterset_class = ListFilter
    serializer_class = ListSummarySerializer

    @extend_schema(operation_id="lists_list", tags=["lists"])
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([list_summary_entry(pl) for pl in page])


def list_summary_entry(packing_list):
    entry = s.list_entry(packing_list)
    entry.update({
        "session": packing_list.session_id,
        "session_external_id": packing_list.session.external_id,
        "client": packing_list.session.client.code,
        "claim": claim_state(packing_list),
    })
    return entry


class ListDetail(APIView):
    permission_classes = [HasRole]
    @extend_schema(operation_id="lists_retrieve", tags=["lists"],
                   responses={200: s.ListPayloadSerializer, **NOT_FOUND})
    def get(self, request, pk):
        return Response(list_payload(get_object_or_404(PackingList, pk=pk)))


class OrdersPage(CursorPagination):
    """Pages of a list's orders in list order (keyset: a page costs the same at the end of a
    50,000-order list as at its start, and an order finishing meanwhile moves no other
    between pages). The body stays the bare array it always was; the other pages are named
    in the Link header (RFC 8288), so a caller that ignores paging gets the first page."""

    ordering = ("sequence", "id")
    page_size_query_param = "page_size"

    def __init__(self):
        self.page_size = self.max_page_size = settings.PACKER_API_ORDERS_PAGE_MAX

    def decode_cursor(self, request):
        """DRF's cursor, refused (404 like any bad cursor) when its position is no number."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
        return cursor

    def get_paginated_response(self, data):
        links = [f'<{url}>; rel="{rel}"' for url, rel in (
            (self.get_next_link(), "next"), (self.get_previous_link(), "prev")) if url]
        return Response(data, headers={"Link": ", ".join(links)} if links else None)


ORDERS_PAGING = f"""Orders of the list in list order, with their items, one page at a time.

The body is a JSON array of orders, as it always was. A list of up to
{settings.PACKER_API_ORDERS_PAGE_MAX} orders is one page: a caller that ignores paging gets
exactly the answer it always got. A longer list's first page holds its first
{settings.PACKER_API_ORDERS_PAGE_MAX} orders, and the response's `Link` header names the next page
(`<…?cursor=…>; rel="next"`, and `rel="prev"` after the first): follow `next` until it is
absent. `page_size` asks for smaller pages (at most {settings.PACKER_API_ORDERS_PAGE_MAX})."""


class ListOrdersQuery(s.serializers.Serializer):
    status = s.serializers.ChoiceField(choices=Order.Status.choices, required=False)


class ListOrders(APIView):
    """A list's orders with their items, a page at a time (`OrdersPage`): a 50,000-order list
    in one answer took 9 s and 35 MB, and four at once peaked at 1.7 GB."""

    permission_classes = [HasRole]
    @extend_schema(
        operation_id="lists_orders", tags=["lists"], description=ORDERS_PAGING,
        parameters=[
            OpenApiParameter("status", str, enum=[c for c, _l in Order.Status.choices]),
            OpenApiParameter("cursor", str, description="Opaque: from the Link header."),
            OpenApiParameter("page_size", int, description=(
                f"Orders per page, 1–{settings.PACKER_API_ORDERS_PAGE_MAX} (default and "
                "maximum).")),
            OpenApiParameter("Link", str, OpenApiParameter.HEADER, response=[200],
                             description='The next and previous pages: <URL>; rel="next", '
                                         '<URL>; rel="prev". Absent on a one-page list.'),
        ],
        responses={200: s.OrderPayloadSerializer(many=True), **NOT_FOUND},
    )
    def get(self, request, pk):
        query = ListOrdersQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        packing_list = get_object_or_404(PackingList, pk=pk)
        orders = packing_list.orders.prefetch_related("items", "extras")
        if query.validated_data.get("status"):
            orders = orders.filter(status=query.validated_data["status"])
        paginator = OrdersPage()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response([order_payload(order) for order in page])


class OrderDetail(APIView):
    permission_classes = [HasRole]
    @extend_schema(operation_id="orders_retrieve", tags=["orders"],
                   responses={200: s.OrderDetailSerializer, **NOT_FOUND})
    def get(self, request, pk):
        order = get_object_or_404(Order.objects.prefetch_related("items", "extras"), pk=pk)
        events = order.scan_events.select_related("worker", "station").order_by("created_at", "id")
        body = order_payload(order)
        body["packing_list"] = order.packing_list_id
        body["timeline"] = s.ScanEventSerializer(events, many=True).data
        return Response(body)


class XlsxRenderer(renderers.BaseRenderer):
    """Lets a client ask for the workbook by Accept header; errors still go out as JSON."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


class ListReport(APIView):
    permission_classes = [HasRole]
    renderer_classes = [renderers.JSONRenderer, XlsxRenderer]

    @extend_schema(operation_id="lists_report", tags=["reports"],
                   responses={(200, XLSX): OpenApiTypes.BINARY, **NOT_FOUND},
                   description="The completion report workbook of the list.")
    def get(self, request, pk):
        packing_list = get_object_or_404(PackingList.objects.select_related("session"), pk=pk)
        return attachment(reports.completion_report(packing_list),
                          file_name("report", "xlsx", packing_list=packing_list))



class ListSummary(APIView):
    permission_classes = [HasRole]
    @extend_schema(operation_id="lists_summary", tags=["reports"],
                   responses={200: OpenApiTypes.OBJECT, **NOT_FOUND},
                   description="The figures of the old session_summary.json plus metrics.")
    def get(self, request, pk):
        return Response(reports.list_summary(get_object_or_404(PackingList, pk=pk)))


class ListMetrics(APIView):
    permission_classes = [HasRole]
    @extend_schema(operation_id="lists_metrics", tags=["metrics"],
                   responses={200: OpenApiTypes.OBJECT, **NOT_FOUND})
    def get(self, request, pk):
        return Response(metrics.list_metrics(get_object_or_404(PackingList, pk=pk)))


class Metrics(APIView):
    """Figures for a scope. Packers see their own figures only; supervisors see everyone's."""

    permission_classes = [HasRole]
    @extend_schema(
        operation_id="metrics", tags=["metrics"], parameters=[s.MetricsQuerySerializer],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description=(
            "The figures of sessions/metrics.py; with group_by: "
            '{"group_by", "groups": [{"key", "metrics"}]}.')),
            400: OpenApiResponse(s.ErrorSerializer, description="invalid filter"),
            403: OpenApiResponse(s.ErrorSerializer, description="another worker's figures"),
            404: OpenApiResponse(s.ErrorSerializer, description="unknown client or worker")},
    )
    def get(self, request):
        query = s.MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = metrics_filters(request.user, query.validated_data)
        group_by = query.validated_data.get("group_by")
        if not group_by:
            return Response(metrics.metrics(**filters))
        groups = metrics.grouped_metrics(group_by, **filters)
        return Response({
            "group_by": group_by,
            "groups": [{"key": None if key is None else str(key), "metrics": figures}
                       for key, figures in sorted(groups.items(), key=lambda kv: str(kv[0]))],
        })


def metrics_filters(user, data):
    """Selector filters from the query; a packer is always scoped to their own worker."""
    filters = {"session": data.get("session"), "packing_list": data.get("list"),
               "date_from": data.get("from"), "date_to": data.get("to")}
    if data.get("client"):
        filters["client"] = client_by_code(data["client"])
    worker = data.get("worker")
    if worker is not None:
        worker = get_object_or_404(Worker, pk=worker)
    filters["worker"] = figures_worker(user, worker)
    return filters
