"""Label endpoints: a list's labels as PDF or ZPL, one order's PNG, and printing over ZPL.

- GET  /api/v1/lists/<id>/labels.pdf | labels.zpl
- GET  /api/v1/orders/<id>/label.png
- GET  /api/v1/commands/sheet.pdf  the printable command barcodes (sessions.commands)
- GET  /api/v1/orders/<id>/slip.pdf  the order's packing slip (A6 or A4: the client's setting)
- POST /api/v1/orders/<id>/print/  {"what": "label" | "slip" | "label_and_slip", "station",
  "box"} → the station's printer, else the client's (a reprint at the station)
- POST /api/v1/lists/<id>/labels/print/  {"station": id or name} → the station's printer, else
  the client's; {"printer": "host:port"} names one explicitly (supervisors only: the server
  should not be a way for anyone to open connections to arbitrary hosts).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles.roles import is_supervisor
from sessions.api import serializers as s
from sessions.api.permissions import HasRole
from sessions.api.station import validated
from sessions.downloads import attachment, file_name
from sessions.errors import Forbidden, NotFound
from sessions.labels.autoprint import print_order
from sessions.labels.printing import print_list_labels, printer_for
from sessions.labels.render import list_labels_pdf, list_labels_zpl, order_label_png
from sessions.labels.sheets import command_sheet_pdf
from sessions.labels.slips import packing_slip_pdf
from sessions.models import Order, PackingList
from sessions.reads.references import station_by_ref


class BinaryRenderer(renderers.BaseRenderer):
    """Lets content negotiation accept the file types; the views answer HttpResponse."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PdfRenderer(BinaryRenderer):
    media_type, format = "application/pdf", "pdf"


class ZplRenderer(BinaryRenderer):
    media_type, format = "text/plain", "zpl"


class PngRenderer(BinaryRenderer):
    media_type, format = "image/png", "png"



class ListLabels(APIView):
    permission_classes = [HasRole]
    renderer_classes = [renderers.JSONRenderer, PdfRenderer, ZplRenderer]

    @extend_schema(operation_id="lists_labels", tags=["labels"],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              (200, "text/plain"): OpenApiTypes.STR},
                   description="Every order's label of the list (in the list's order): a PDF with "
                               "one label-size page per order, or ZPL for thermal printers.")
    def get(self, request, pk, fmt):
        packing_list = get_object_or_404(PackingList.objects.select_related("session__client"),
                                         pk=pk)
        if fmt not in ("pdf", "zpl"):
            raise NotFound(_("Labels come as .pdf or .zpl."))
        content = (list_labels_pdf(packing_list) if fmt == "pdf"
                   else list_labels_zpl(packing_list).encode())
        return attachment(content, file_name("labels", fmt, packing_list=packing_list))


class OrderLabel(APIView):
    permission_classes = [HasRole]
    renderer_classes = [renderers.JSONRenderer, PngRenderer]

    @extend_schema(operation_id="orders_label", tags=["labels"],
                   responses={(200, "image/png"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        order = get_object_or_404(Order.objects.select_related("packing_list__session__client"),
                                  pk=pk)
        return attachment(order_label_png(order), file_name("label", "png", order=order))


class OrderSlip(APIView):
    permission_classes = [HasRole]
    renderer_classes = [renderers.JSONRenderer, PdfRenderer]

    @extend_schema(operation_id="orders_slip", tags=["labels"],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY},
                   description="The order's packing slip: client, order number as Code-128, "
                               "lines (SKU, name, quantity, box), notes and boxes.")
    def get(self, request, pk):
        order = get_object_or_404(Order.objects.select_related("packing_list__session__client"),
                                  pk=pk)
        return attachment(packing_slip_pdf(order), file_name("slip", "pdf", order=order))


class PrintOrder(APIView):
    permission_classes = [HasRole]

    @extend_schema(
        operation_id="orders_print", tags=["labels"], request=s.PrintOrderRequestSerializer,
        responses={200: inline_serializer("PrintOrderResult", {
            "printer": serializers.CharField(), "what": serializers.CharField(),
            "bytes": serializers.IntegerField()})},
        description="Reprint the order's label (one per box), its packing slip or both at the "
                    "station's printer, else the client's (502 printer_unreachable if it is "
                    "down; the order never changes).",
    )
    def post(self, request, pk):
        data = validated(s.PrintOrderRequestSerializer, request)
        order = get_object_or_404(Order.objects.select_related("packing_list__session__client"),
                                  pk=pk)
        station = station_by_ref(data["station"]) if data.get("station") else None
        return Response(print_order(order, data["what"], station=station, box=data.get("box")))


class CommandSheet(APIView):
    permission_classes = [HasRole]
    renderer_classes = [renderers.JSONRenderer, PdfRenderer]

    @extend_schema(operation_id="commands_sheet", tags=["labels"],
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY},
                   description="The printable command sheet: a Code-128 per station command "
                               "(prefix PACKER_COMMAND_PREFIX, default CMD:).")
    def get(self, request):
        return attachment(command_sheet_pdf(), file_name("commands", "pdf"))


class PrintLabels(APIView):
    permission_classes = [HasRole]

    @extend_schema(
        operation_id="lists_labels_print", tags=["labels"],
        request=s.PrintLabelsRequestSerializer,
        responses={200: inline_serializer("PrintLabelsResult", {
            "sent": serializers.IntegerField(), "printer": serializers.CharField()})},
    )
    def post(self, request, pk):
        """Send the list's labels as ZPL to a printer (502 printer_unreachable if it is down)."""
        data = validated(s.PrintLabelsRequestSerializer, request)
        packing_list = get_object_or_404(PackingList.objects.select_related("session__client"),
                                         pk=pk)
        address = data.get("printer", "").strip()
        if address and not is_supervisor(request.user):
            raise Forbidden(_("Only a supervisor may name a printer; use a station's printer."))
        station = station_by_ref(data["station"]) if data.get("station") else None
        address = address or printer_for(packing_list, station)
        sent = print_list_labels(packing_list, address=address)
        return Response({"sent": sent, "printer": address})
