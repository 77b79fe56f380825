"""Import endpoints: programs (the Shopify Tool, scripts) push packing lists to the server.

- POST /api/v1/imports/packing-list/  JSON body = a packing-list JSON as the Shopify Tool
  writes it, plus "client" (and optionally "session_id", "list_name").
- POST /api/v1/imports/file/  multipart: client + an .xlsx/.xls/.csv file, a packing-list
  .json or a session .zip (sessions.imports.dispatch picks the importer).

Both answer 201 with the created session and lists, or 400 with every problem
({"code": "import_rejected", "errors": [{"row", "column", "message", …}]}). The same work is
never created twice (sessions.imports.guard): an identical file or push answers 200 with
"duplicate_of" (the first import), and orders already in a list that has not ended answer 409
{"code": "duplicate_orders", "orders": [{"number", "session", "list", "status"}, …]} until the
request is sent again with "on_duplicates": "new_only" or "replace". Supervisors and admins
only: an import changes what the floor packs.
"""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions.api.parsers import SafeJSONParser
from sessions.api.permissions import IsSupervisor
from sessions.errors import InvalidRequest
from sessions.imports.dispatch import import_file, import_push
from sessions.imports.guard import CHOICES
from sessions.reads.references import client_by_code

ON_DUPLICATES_HELP = (
    "Only when the first answer was 409 duplicate_orders: new_only imports only the orders "
    "not in a list yet; replace replaces the overlapping lists (only if none was started).")


class ItemSerializer(serializers.Serializer):
    sku = serializers.CharField()
    product_name = serializers.CharField(required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, help_text="Whole number ≥ 1 (\"3.0\" is 3).")


class OrderSerializer(serializers.Serializer):
    order_number = serializers.CharField()
    courier = serializers.CharField(help_text="Or shipping_provider. Required.")
    order_type = serializers.CharField(required=False, allow_blank=True)
    destination_country = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    internal_tags = serializers.ListField(child=serializers.CharField(), required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    system_note = serializers.CharField(required=False, allow_blank=True)
    order_min_box = serializers.CharField(required=False, allow_null=True)
    items = ItemSerializer(many=True)


ADD_TO_OPEN_HELP = (
    "Without a session_id, the list goes to a new session named after the time (default). "
    "true: it joins the client's open session of today made by an import (a new one when there "
    "is none), as the Shopify Tool's sessions hold several lists; a list name already there "
    "gets \" (2)\". The answer's created_session says which happened.")


class PackingListPushSerializer(serializers.Serializer):
    """Documentation of the body; validation is the importer's (row-precise errors)."""

    client = serializers.CharField(help_text="Client code, e.g. M.")
    session_id = serializers.CharField(
        required=False, help_text="Session to add the list to (created when new); omitted → a "
                                  "new session named after the time.")
    list_name = serializers.CharField(help_text="Name of the packing list, e.g. DHL_Orders.")
    orders = OrderSerializer(many=True)
    on_duplicates = serializers.ChoiceField(choices=list(CHOICES), required=False,
                                            help_text=ON_DUPLICATES_HELP)
    add_to_open_session = serializers.BooleanField(required=False, default=False,
                                                   help_text=ADD_TO_OPEN_HELP)


ERROR_RESPONSE = inline_serializer("ImportRejected", {
    "code": serializers.CharField(),
    "message": serializers.CharField(),
    "errors": serializers.ListField(child=serializers.DictField()),
})
RESULT_RESPONSE = inline_serializer("ImportResult", {
    "session": serializers.IntegerField(),
    "session_external_id": serializers.CharField(),
    "client": serializers.CharField(),
    "created_session": serializers.BooleanField(),
    "lists": serializers.ListField(child=serializers.DictField(),
                                   help_text="{id, name, orders, lines, units} per new list"),
    "skipped_lists": serializers.ListField(child=serializers.CharField()),
    "left_out": serializers.ListField(child=serializers.CharField(), help_text=(
        "new_only: the order numbers left out (already in a list that has not ended).")),
    "replaced": serializers.ListField(child=serializers.DictField(), help_text=(
        "replace: {list_id, name, session, orders} of every list replaced (logged).")),
    "reships": serializers.IntegerField(help_text=(
        "Orders that were in an ended list and are imported again (marked reship_of).")),
})
DUPLICATE_RESPONSE = inline_serializer("ImportDuplicate", {
    "duplicate_of": inline_serializer("FirstImport", {
        "import": serializers.IntegerField(),
        "session": serializers.IntegerField(),
        "session_external_id": serializers.CharField(),
        "lists": serializers.ListField(child=serializers.DictField(), help_text="{id, name}"),
        "source_name": serializers.CharField(),
        "imported_at": serializers.DateTimeField(),
        "by": serializers.CharField(allow_null=True),
    }, help_text="The first import of the same content: nothing was created."),
    "lists": serializers.ListField(child=serializers.DictField()),
    "skipped_lists": serializers.ListField(child=serializers.CharField()),
})
OVERLAP_RESPONSE = inline_serializer("DuplicateOrders", {
    "code": serializers.ChoiceField(choices=["duplicate_orders", "replace_refused"]),
    "message": serializers.CharField(),
    "orders": serializers.ListField(child=inline_serializer("DuplicateOrder", {
        "number": serializers.CharField(),
        "session": serializers.CharField(help_text="The session id (external) of its list."),
        "list": serializers.CharField(help_text="The list's name."),
        "list_id": serializers.IntegerField(),
        "status": serializers.CharField(help_text="The order's status there."),
    }), help_text="duplicate_orders: the overlapping orders (at most 1000; see count)."),
    "count": serializers.IntegerField(),
    "choices": serializers.ListField(child=serializers.CharField()),
    "replaceable": serializers.BooleanField(help_text=(
        "Whether on_duplicates=replace is possible (none of those lists was started).")),
})
IMPORT_RESPONSES = {201: RESULT_RESPONSE, 200: DUPLICATE_RESPONSE, 400: ERROR_RESPONSE,
                    409: OVERLAP_RESPONSE}


def answer(result):
    """201 with what was created, or 200 pointing at the identical earlier import."""
    code = status.HTTP_200_OK if result.duplicate_of else status.HTTP_201_CREATED
    return Response(result.as_dict(), status=code)


class PackingListImport(APIView):
    permission_classes = [IsSupervisor]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        operation_id="import_packing_list", tags=["imports"],
        request=PackingListPushSerializer,
        responses=IMPORT_RESPONSES,
        examples=[OpenApiExample("DHL list", request_only=True, value={
            "client": "M", "session_id": "2026-03-02_1", "list_name": "DHL_Orders",
            "orders": [{"order_number": "#1001", "courier": "DHL", "destination_country": "DE",
                        "items": [{"sku": "07-CREAM", "product_name": "Cream", "quantity": 2}]}],
        })],
    )
    def post(self, request):
        """Add one packing list (Shopify Tool packing-list JSON) to a session of a client."""
        data = request.data
        if not isinstance(data, dict):
            raise InvalidRequest(_("The body must be a JSON object."))
        client = client_by_code(data.get("client"))
        result = import_push(
            client, data, session_external_id=data.get("session_id"),
            list_name=data.get("list_name") or data.get("name"), user=request.user,
            on_duplicates=data.get("on_duplicates") or "",
            add_to_open_session=flag(data.get("add_to_open_session")),
        )
        return answer(result)


class FileImport(APIView):
    permission_classes = [IsSupervisor]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="import_file", tags=["imports"],
        request={"multipart/form-data": inline_serializer("FileImportRequest", {
            "client": serializers.CharField(),
            "file": serializers.FileField(
                help_text=".xlsx, .xls, .csv, a packing-list .json or a session .zip"),
            "mapping": serializers.CharField(
                required=False, help_text='JSON {"Order_Number": "Order No", …} for Excel/CSV'),
            "on_duplicates": serializers.ChoiceField(choices=list(CHOICES), required=False,
                                                     help_text=ON_DUPLICATES_HELP),
            "add_to_open_session": serializers.BooleanField(
                required=False, default=False, help_text=ADD_TO_OPEN_HELP),
        })},
        responses=IMPORT_RESPONSES,
    )
    def post(self, request):
        """Import an Excel/CSV packing list or a zipped Shopify Tool session."""
        client = client_by_code(request.data.get("client"))
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidRequest(_("Attach the file as 'file'."))
        result = import_file(client, upload, mapping=parse_mapping(request.data.get("mapping")),
                             user=request.user,
                             on_duplicates=request.data.get("on_duplicates") or "",
                             add_to_open_session=flag(request.data.get("add_to_open_session")))
        return answer(result)


def flag(value):
    """A boolean field from JSON (true/false) or a form ("true", "1", "on"); absent is False."""
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    text = str(value).strip().lower()
    if text in ("true", "1", "on", "yes"):
        return True
    if text in ("false", "0", "off", "no"):
        return False
    raise InvalidRequest(_("'add_to_open_session' must be true or false."))


def parse_mapping(text):
    if not text:
        return None
    try:
        mapping = json.loads(text)
    except ValueError as exc:
        raise InvalidRequest(_("'mapping' must be a JSON object.")) from exc
    if not isinstance(mapping, dict):
        raise InvalidRequest(_("'mapping' must be a JSON object."))
    return {str(k): str(v) for k, v in mapping.items()}
