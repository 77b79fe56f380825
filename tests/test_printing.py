"""Print on completion, reprint and the packing slip (issue 13), with a fake printer: a TCP
listener in the test that records what it receives. The recorded ZPL decodes to the right
order; the slip's barcode is decoded with zxing-cpp from the PDF's page and from the printed
^GFA graphic."""

import pytest
from django.test import override_settings
from django.utils import translation
from PIL import ImageFont

from profiles.models import ClientSettings
from sessions.labels import autoprint, render
from sessions.labels.slips import slip_pages
from sessions.models import Order, PrinterFailure
from sessions.reads.floor_alerts import floor_alerts
from tests.api_helpers import action, claim, role_client, scan
from tests.builders import build_client, build_list, build_session, build_station
from tests.fake_printer import FakePrinter, barcode_data, closed_address, graphics
from tests.test_labels import decode, font0_fields, pdf_pages

A4_POINTS, A6_POINTS = (595.2756, 841.8898), (297.6378, 419.5276)


@pytest.fixture
def printer():
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def published(monkeypatch):
    """What the print jobs told the stations' sockets."""
    sent = []
    monkeypatch.setattr(autoprint, "send_to_groups", lambda groups, msg: sent.append(msg))
    return sent


def setup_list(*, what="label", client_printer="", station_printer=""):
    client = build_client("SHOP", name="Магазин Слънце")
    ClientSettings.objects.create(client=client, print_on_complete=what,
                                  printer_address=client_printer)
    packing_list = build_list(
        {"#1001": [("SKU-A", 1, "Крем за ръце"), ("SKU-B", 1)], "#1002": [("SKU-C", 2)]},
        session=build_session(client))
    station = build_station("PC-7")
    station.printer_address = station_printer
    station.save()
    api = role_client("packer")
    token = claim(api, packing_list.pk, "PC-7").json()["token"]
    return api, packing_list, token


def complete_1001(api, packing_list, token):
    scan(api, packing_list.pk, token, "#1001")
    scan(api, packing_list.pk, token, "SKU-A")
    return scan(api, packing_list.pk, token, "SKU-B").json()


@pytest.mark.django_db(transaction=True)
def test_a_completed_order_prints_its_label_at_the_station_printer(printer, published):
    api, packing_list, token = setup_list(station_printer=printer.address,
                                          client_printer=closed_address())
    answer = complete_1001(api, packing_list, token)
    assert answer["outcome"] == "order_complete"
    assert answer["print"] == {"queued": True, "what": "label"}
    (zpl,) = printer.wait(1)
    assert barcode_data(zpl) == ["#1001"]
    assert zpl.count("^XA") == 1 and "^GFA" not in zpl  # no slip asked
    assert published[-1]["type"] == "list.print"
    assert '"ok": true' in published[-1]["text"]


@pytest.mark.django_db(transaction=True)
def test_label_and_slip_the_slip_decodes_to_the_order(printer, published):
    api, packing_list, token = setup_list(what="label_and_slip", client_printer=printer.address)
    complete_1001(api, packing_list, token)
    (zpl,) = printer.wait(1)
    assert barcode_data(zpl) == ["#1001"]
    (slip,) = graphics(zpl)
    assert ("Code128", "#1001") in decode(slip)


@pytest.mark.django_db(transaction=True)
def test_off_prints_nothing(printer, published):
    api, packing_list, token = setup_list(what="off", client_printer=printer.address)
    answer = complete_1001(api, packing_list, token)
    assert "print" not in answer
    assert printer.jobs == [] and published == []


@pytest.mark.django_db(transaction=True)
def test_a_refused_printer_is_reported_to_the_station_and_never_changes_the_order(
        published, caplog):
    address = closed_address()
    api, packing_list, token = setup_list(client_printer=address)
    answer = complete_1001(api, packing_list, token)
    assert answer["print"]["queued"] is True
    import time

    deadline = time.monotonic() + 20
    while not published and time.monotonic() < deadline:
        time.sleep(0.05)
    (message,) = published
    assert message["type"] == "list.print"
    assert '"ok": false' in message["text"] and "could not be reached" in message["text"]
    assert "#1001" in message["text"]
    order = Order.objects.get(number="#1001")
    assert order.status == Order.Status.COMPLETED
    assert any("failed" in r.getMessage() for r in caplog.records)
    # The floor hears of it too: a printer-failure alert naming the printer and the station.
    failure = PrinterFailure.objects.get()
    assert (failure.printer, failure.packing_list_id) == (address, packing_list.pk)
    assert failure.station.name == "PC-7"
    assert [a["kind"] for a in floor_alerts()] == ["printer_failure"]


@pytest.mark.django_db(transaction=True)
@override_settings(PACKER_PRINTER_TIMEOUT_SECONDS=1)
def test_a_printer_that_never_answers_times_out_into_a_message(published):
    import socket
    import time

    # A listener whose accept queue is full: the kernel drops new connection attempts, so the
    # printer's connect hangs until the timeout (as a printer switched off behind a switch).
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)
    address = f"127.0.0.1:{silent.getsockname()[1]}"
    fillers = []
    for _n in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", silent.getsockname()[1]))
        fillers.append(filler)
    time.sleep(0.2)
    try:
        api, packing_list, token = setup_list(client_printer=address)
        started = time.monotonic()
        answer = complete_1001(api, packing_list, token)
        assert time.monotonic() - started < 5  # the scan's answer never waits for the printer
        assert answer["outcome"] == "order_complete"
        deadline = time.monotonic() + 20
        while not published and time.monotonic() < deadline:
            time.sleep(0.05)
        assert published and '"ok": false' in published[0]["text"], published
        assert "timed out" in published[0]["text"]
    finally:
        for filler in fillers:
            filler.close()
        silent.close()


@pytest.mark.django_db
def test_reprint_by_api_label_slip_and_a_refused_printer(printer):
    api, packing_list, token = setup_list(what="off", station_printer=printer.address)
    complete_1001(api, packing_list, token)
    order = Order.objects.get(number="#1001")
    response = api.post(f"/api/v1/orders/{order.pk}/print/", {"what": "label",
                                                              "station": "PC-7"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["printer"] == printer.address
    response = api.post(f"/api/v1/orders/{order.pk}/print/", {"what": "slip",
                                                              "station": "PC-7"}, format="json")
    assert response.status_code == 200
    label, slip = printer.wait(2)
    assert barcode_data(label) == ["#1001"]
    assert ("Code128", "#1001") in decode(graphics(slip)[0])
    ClientSettings.objects.filter(client__code="SHOP").update(printer_address=closed_address())
    response = api.post(f"/api/v1/orders/{order.pk}/print/", {"what": "label"}, format="json")
    assert response.status_code == 502
    assert response.json()["code"] == "printer_unreachable"
    assert Order.objects.get(pk=order.pk).status == Order.Status.COMPLETED


@pytest.mark.django_db
@pytest.mark.parametrize("paper,points", [("a6", A6_POINTS), ("a4", A4_POINTS)])
def test_the_slip_pdf_has_the_order_number_as_a_barcode(paper, points):
    api, packing_list, token = setup_list(what="off")
    ClientSettings.objects.filter(client__code="SHOP").update(slip_paper=paper)
    order = Order.objects.get(number="#1001")
    response = api.get(f"/api/v1/orders/{order.pk}/slip.pdf")
    assert response.status_code == 200
    assert 'filename="1001_slip.pdf"' in response["Content-Disposition"]
    ((box, image),) = pdf_pages(response.content)
    # Within a dot of the paper size (the page is a whole number of dots).
    assert all(abs(float(v) - p) < 0.5 for v, p in zip(box[2:], points))
    assert ("Code128", "#1001") in decode(image)


@pytest.mark.django_db
def test_the_slip_draws_cyrillic_with_the_label_font(monkeypatch):
    setup_list(what="off")
    order = Order.objects.get(number="#1001")
    real = slip_pages(order, paper="a6")[0]
    render.font.cache_clear()
    monkeypatch.setattr(render, "font", lambda size: ImageFont.load_default(size))
    fallback = slip_pages(order, paper="a6")[0]
    assert real.tobytes() != fallback.tobytes()


@pytest.mark.django_db
def test_a_two_box_order_prints_one_label_per_box(printer):
    api, packing_list, token = setup_list(what="off", station_printer=printer.address)
    scan(api, packing_list.pk, token, "#1002")
    scan(api, packing_list.pk, token, "SKU-C")
    assert action(api, packing_list.pk, token, "new_box").json()["box"] == 2
    scan(api, packing_list.pk, token, "SKU-C")
    order = Order.objects.get(number="#1002")
    api.post(f"/api/v1/orders/{order.pk}/print/", {"station": "PC-7"}, format="json")
    (zpl,) = printer.wait(1)
    assert barcode_data(zpl) == ["#1002", "#1002"]
    assert "box 1/2" in zpl and "box 2/2" in zpl
    ((_box, image), *rest) = pdf_pages(api.get(f"/api/v1/orders/{order.pk}/slip.pdf").content)
    assert ("Code128", "#1002") in decode(image)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["uk", "bg"])
def test_box_labels_in_cyrillic_never_use_font_0_for_the_box_text(language):
    api, packing_list, token = setup_list(what="off")
    scan(api, packing_list.pk, token, "#1002")
    scan(api, packing_list.pk, token, "SKU-C")
    action(api, packing_list.pk, token, "new_box")
    scan(api, packing_list.pk, token, "SKU-C")
    order = Order.objects.get(number="#1002")
    with translation.override(language):
        zpl = autoprint.order_labels_zpl(order)
        box = autoprint.box_text(2, 2)
    assert any("\u0400" <= ch <= "\u04ff" for ch in box)  # the translated words are Cyrillic
    assert not [f for f in font0_fields(zpl) if any("\u0400" <= ch <= "\u04ff" for ch in f)]
    assert zpl.count("^XA") == 2 and zpl.count("^GF") >= 2  # each label has its box graphic
