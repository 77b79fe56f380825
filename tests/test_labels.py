"""Order labels: every image format is decoded back to the order number with zxing-cpp; the
ZPL is checked against its expected commands; printing to an unreachable printer is a clear
error.

PDF pages are checked from the PDF's own bytes: Pillow's PdfParser reads the page tree, and
each page's 1-bit Flate image is inflated back into a picture — so what is scanned is exactly
what a viewer or printer draws.
"""

import io
import os
import re
import socket
import threading
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, PdfParser
from zebrafy import ZebrafyZPL

from profiles.models import Client, Station
from sessions.errors import InvalidRequest, PrinterUnreachable
from sessions.imports.jsonlists import import_packing_list_json
from sessions.labels.printing import parse_address, print_list_labels, send_zpl
from sessions.labels.render import (
    LabelConfig,
    LabelData,
    label_zpl,
    list_label_data,
    list_labels_pdf,
    list_labels_zpl,
    natural_key,
    order_label_png,
    render_label,
)

NUMBERS = ["#10", "#9", "ORDER_001", "#BG-10 29", "A-100200300", "#1"]
DAY = date(2025, 11, 19)


def decode(image):
    return [(r.format.name, r.text) for r in zxingcpp.read_barcodes(image.convert("L"))]


def pdf_pages(pdf):
    """(MediaBox, page image) of every page of a PDF made of image pages.

    Read with Pillow's PdfParser (an independent PDF reader): each page's image XObject is a
    1-bit DeviceGray Flate stream, inflated and turned back into the exact image.
    """
    parser = PdfParser.PdfParser(buf=pdf)
    pages = []
    for ref in parser.pages:
        page = parser.read_indirect(ref)
        (xobject_ref,) = page[b"Resources"][b"XObject"].values()
        stream = parser.read_indirect(xobject_ref)
        info = stream.dictionary
        assert info[b"Filter"] == PdfParser.PdfName(b"FlateDecode")
        assert info[b"ColorSpace"] == PdfParser.PdfName(b"DeviceGray")
        assert info[b"BitsPerComponent"] == 1
        size = (info[b"Width"], info[b"Height"])
        pages.append((page[b"MediaBox"], Image.frombytes("1", size, stream.decode())))
    return pages


@pytest.fixture
def packing_list(db):
    client = Client.objects.create(code="M", name="M")
    orders = [{"order_number": n, "courier": "DHL", "destination_country": "DE",
               "internal_tags": ["GIFT"], "items": [{"sku": "A", "quantity": 2},
                                                    {"sku": "B", "quantity": 1}]}
              for n in NUMBERS]
    result = import_packing_list_json(client, {"orders": orders}, name="DHL_Orders")
    return result.session.lists.get()


def test_natural_order():
    assert sorted(["#10", "#9", "#1", "A2", "A10"], key=natural_key) == [
        "#1", "#9", "#10", "A2", "A10"]


@pytest.mark.django_db
def test_label_data_counts_sequence_in_the_lists_order(packing_list):
    """Issue 15: "#N" follows the list's order, not a natural sort of the numbers."""
    data = list_label_data(packing_list, date=DAY)
    assert [d.number for d in data] == NUMBERS
    assert [d.sequence for d in data] == list(range(1, len(NUMBERS) + 1))
    first = data[0]
    assert (first.number, first.sequence, first.units, first.country, first.tags, first.date) == (
        "#10", 1, 3, "DE", ("GIFT",), "19/11/25")


@pytest.mark.django_db
def test_sequence_follows_the_list_even_when_numbers_sort_differently(db):
    """The issue's case: the list shows SO-5001 first, "5003" must not be #1."""
    client = Client.objects.create(code="S", name="S")
    orders = [{"order_number": n, "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]}
              for n in ("SO-5001", "SO-5002", "5003")]
    plist = import_packing_list_json(client, {"orders": orders}, name="L").session.lists.get()
    data = list_label_data(plist, date=DAY)
    assert [(d.sequence, d.number) for d in data] == [(1, "SO-5001"), (2, "SO-5002"),
                                                      (3, "5003")]
    zpl = list_labels_zpl(plist, date=DAY)
    assert zpl.index("^FDSO-5001^FS") < zpl.index("^FD5003^FS")
    assert "^FD#3  DHL  19/11/25^FS" in zpl.split("^XZ")[2]


def test_empty_fields_are_left_out():
    """Issue 15: no "TAG: N/A" (nor "COU: N/A") on an order without tags or country."""
    cfg = LabelConfig()
    text = label_zpl(LabelData(number="#1", sequence=1, courier="DHL", date="19/11/25",
                               units=2), cfg)
    assert "N/A" not in text and "TAG" not in text and "COU" not in text
    assert "^FDSUM: 2^FS" in text
    bare = label_zpl(LabelData(number="#2"), cfg)
    assert "SUM" not in bare and "N/A" not in bare


CYRILLIC = LabelData(number="Замовлення-7", sequence=4, courier="Спиди", date="19/11/25",
                     units=2, country="БГ", tags=("Подарък", "VIP"))


def font0_fields(zpl):
    """The field data of every ^A0 (font 0) text field."""
    return re.findall(r"\^A0[^\^]*\^FB[^\^]*\^FH\^FD(.*?)\^FS", zpl)


def test_cyrillic_text_is_never_sent_to_font_0():
    """Issue 15: font 0 of a stock Zebra has no Cyrillic; such fields go as ^GF graphics."""
    zpl = label_zpl(CYRILLIC, LabelConfig())
    assert not [f for f in font0_fields(zpl) if re.search("[\u0400-\u04FF]", f)]
    text_outside_fields = re.sub(r"\^BQN[^\^]*\^FH\^FDQA,[^\^]*\^FS", "", zpl)
    assert not re.search("[\u0400-\u04FF]", text_outside_fields)  # only the QR carries it
    assert zpl.count("^GFA,") == 3  # the number and both info lines
    ascii_only = label_zpl(LabelData(number="#1", courier="DHL", units=1), LabelConfig())
    assert "^GF" not in ascii_only and font0_fields(ascii_only) == ["#1", "DHL", "SUM: 1"]


def test_cyrillic_graphic_fields_draw_the_text_like_the_png():
    """The ^GF fields, decoded back by zebrafy, have ink where the PNG label has the text."""
    cfg = LabelConfig()
    zpl = label_zpl(CYRILLIC, cfg)
    fields = re.findall(r"\^FO(\d+),(\d+)\^GFA", zpl)
    graphics = [ZebrafyZPL(f"^XA{g}^XZ").to_images()[0]
                for g in re.findall(r"\^GFA,[^\^]*\^FS", zpl)]
    assert len(graphics) == len(fields) == 3
    png = render_label(CYRILLIC, cfg)
    printed = Image.new("1", cfg.size, 1)  # what the printer draws of the text fields
    for (x, y), graphic in zip(fields, graphics):
        printed.paste(graphic.convert("1"), (int(x), int(y)))
        ink = graphic.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
        assert ink is not None, "an empty graphic field"
        # The same region of the PNG label has ink too (same font, same place).
        region = png.crop((int(x), int(y), int(x) + graphic.width, int(y) + graphic.height))
        assert region.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    if os.environ.get("PACKER_SCREENSHOTS_DIR"):  # docs/label-zpl-cyrillic.png
        printed.save(Path(os.environ["PACKER_SCREENSHOTS_DIR"]) / "label-zpl-cyrillic.png")


@pytest.mark.django_db
def test_png_per_order_decodes_to_the_order_number(packing_list):
    for order in packing_list.orders.all():
        image = Image.open(io.BytesIO(order_label_png(order, date=DAY)))
        assert image.size == (544, 304)  # 68 × 38 mm at 8 dots/mm
        assert round(image.info["dpi"][0]) == 203
        assert decode(image) == [("Code128", order.number)]


@pytest.mark.django_db
def test_pdf_has_the_list_barcode_then_one_label_size_page_per_order_that_scans(packing_list):
    pages = pdf_pages(list_labels_pdf(packing_list, date=DAY))
    expected = [f"LIST-{packing_list.pk}"] + [d.number for d in list_label_data(packing_list)]
    assert len(pages) == len(expected)
    for (box, image), number in zip(pages, expected):
        width_mm, height_mm = box[2] / 72 * 25.4, box[3] / 72 * 25.4
        assert abs(width_mm - 68) < 0.2 and abs(height_mm - 38) < 0.2
        assert decode(image) == [("Code128", number)]


@pytest.mark.django_db
def test_client_settings_change_size_and_add_a_qr(packing_list):
    settings = packing_list.session.client.settings_or_default()
    settings.label_width_mm, settings.label_height_mm, settings.label_show_qr = 65, 35, True
    settings.save()
    order = packing_list.orders.get(number="#BG-10 29")
    image = Image.open(io.BytesIO(order_label_png(order)))
    assert image.size == (520, 280)
    assert sorted(decode(image)) == [("Code128", "#BG-10 29"), ("QRCode", "#BG-10 29")]


def test_300_dpi_printer_gets_12_dots_per_mm():
    image = render_label(LabelData(number="#BG-10 29", sequence=3), LabelConfig(dpi=300))
    assert image.size == (816, 456)
    assert decode(image) == [("Code128", "#BG-10 29")]


def test_bars_are_whole_dots_per_module():
    """Every bar and space is a multiple of the module width (stack-notes pitfall 11)."""
    cfg = LabelConfig()
    image = render_label(LabelData(number="#1001"), cfg)
    row = [image.getpixel((x, 60)) for x in range(image.width)]
    runs, start = [], None
    for x in range(1, len(row)):
        if row[x] != row[x - 1]:
            if start is not None:
                runs.append(x - start)
            start = x
    module = min(runs)
    assert module >= 2 and all(run % module == 0 for run in runs[:-1])


def test_order_number_that_code128_cannot_carry_gets_a_qr():
    image = render_label(LabelData(number="Замовлення-7"), LabelConfig())
    assert decode(image) == [("QRCode", "Замовлення-7")]


@pytest.mark.django_db
def test_zpl_has_the_expected_commands(packing_list):
    zpl = list_labels_zpl(packing_list, date=DAY)
    labels = zpl.strip().split("^XZ")[:-1]
    assert len(labels) == len(NUMBERS) == zpl.count("^XA")
    first = labels[0]
    for command in ("^XA", "^CI28", "^PW544", "^LL304", "^FH^FD#10^FS", "^BCN,127,N,N,N"):
        assert command in first
    assert "^BY" in first and "^FD#1  DHL  19/11/25^FS" in first
    assert "^FDSUM: 3  COU: DE  TAG: GIFT^FS" in first
    # '_' would start a hex escape under ^FH: it is written as _5F.
    assert "^FH^FDORDER_5F001^FS" in zpl


def test_zpl_escapes_control_characters_in_data():
    text = label_zpl(LabelData(number="A^B~C>D"), LabelConfig())
    assert "^FH^FDA_5EB_7EC><D^FS" in text


class FakePrinter:
    """A TCP server on localhost that records what a 'printer' receives."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        conn, _addr = self.server.accept()
        with conn:
            while chunk := conn.recv(65536):
                self.received += chunk
        self.server.close()


@pytest.mark.django_db
def test_print_sends_zpl_to_the_station_printer(packing_list):
    printer = FakePrinter()
    station = Station.objects.create(name="PC-1", printer_address=f"127.0.0.1:{printer.port}")
    assert print_list_labels(packing_list, station=station) == len(NUMBERS)
    printer.thread.join(timeout=5)
    assert printer.received.decode().count("^XA") == len(NUMBERS)


@pytest.mark.django_db
def test_unreachable_printer_is_a_clear_error(packing_list):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PrinterUnreachable) as info:
        send_zpl(f"127.0.0.1:{port}", "^XA^XZ", timeout=1)
    assert f"127.0.0.1:{port}" in info.value.message
    with pytest.raises(InvalidRequest, match="No label printer"):
        print_list_labels(packing_list)


def test_printer_addresses():
    assert parse_address("10.0.0.5") == ("10.0.0.5", 9100)
    assert parse_address("zebra.local:6101") == ("zebra.local", 6101)
    assert parse_address("[::1]:9100") == ("::1", 9100)
    for bad in ("", "host:port", "host:70000"):
        with pytest.raises(InvalidRequest):
            parse_address(bad)


# --- API -------------------------------------------------------------------------------------

def api_as(role):
    from django.contrib.auth.models import User
    from rest_framework.test import APIClient

    from profiles.roles import assign_role

    user = User.objects.create_user(f"u-{role}", password="pw")
    assign_role(user, role)
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.django_db
def test_api_serves_pdf_zpl_and_png(packing_list):
    api = api_as("packer")
    response = api.get(f"/api/v1/lists/{packing_list.pk}/labels.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(pdf_pages(response.content)) == 1 + len(NUMBERS)  # the list's cover first
    response = api.get(f"/api/v1/lists/{packing_list.pk}/labels.zpl")
    assert response.status_code == 200 and response.content.decode().count("^XZ") == len(NUMBERS)
    assert api.get(f"/api/v1/lists/{packing_list.pk}/labels.doc").status_code == 404
    order = packing_list.orders.get(number="#BG-10 29")
    response = api.get(f"/api/v1/orders/{order.pk}/label.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert decode(Image.open(io.BytesIO(response.content))) == [("Code128", "#BG-10 29")]


@pytest.mark.django_db
def test_api_print_uses_the_station_printer_and_reports_a_dead_one(packing_list):
    printer = FakePrinter()
    Station.objects.create(name="PC-1", printer_address=f"127.0.0.1:{printer.port}")
    api = api_as("packer")
    url = f"/api/v1/lists/{packing_list.pk}/labels/print/"
    response = api.post(url, {"station": "PC-1"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"sent": len(NUMBERS), "printer": f"127.0.0.1:{printer.port}"}
    printer.thread.join(timeout=5)
    assert printer.received.count(b"^XA") == len(NUMBERS)
    # Naming a printer is for supervisors; an unreachable one is a 502 with a clear message.
    assert api.post(url, {"printer": "127.0.0.1:1"}, format="json").status_code == 403
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    response = api_as("supervisor").post(url, {"printer": f"127.0.0.1:{port}"}, format="json")
    assert response.status_code == 502
    assert response.json()["code"] == "printer_unreachable"
