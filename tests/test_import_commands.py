"""manage.py import_list and manage.py labels (names and flags are a stable interface)."""

import io
import json

import openpyxl
import pytest
import zxingcpp
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image, PdfParser

from profiles.models import Client, ColumnMapping
from sessions.models import PackingList, PackingSession


@pytest.fixture
def client_m(db):
    return Client.objects.create(code="M", name="Client M")


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_xlsx_prints_json(client_m, tmp_path):
    path = write_xlsx(tmp_path / "DHL.xlsx", [
        ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier"],
        ["#1", "A", "a", "2", "DHL"], ["#1", "B", "b", "1", "DHL"], ["#2", "A", "a", "4", "DHL"]])
    out, _err = run("import_list", "--client", "m", str(path), "--json")
    data = json.loads(out)
    session = PackingSession.objects.get()
    assert data == {"session": session.pk, "lists": [
        {"id": session.lists.get().pk, "name": "DHL", "orders": 2, "lines": 3, "units": 7}]}


@pytest.mark.django_db
def test_map_option_is_used_and_remembered(client_m, tmp_path):
    rows = [["No", "Art", "Name", "Qty", "Carrier"], ["1", "A", "a", "1", "DPD"]]
    path = write_xlsx(tmp_path / "odd.xlsx", rows)
    with pytest.raises(CommandError, match="--map"):
        run("import_list", "--client", "M", str(path))
    assert not PackingSession.objects.exists()
    mapping = "Order_Number=No,SKU=Art,Product_Name=Name,Quantity=Qty,Courier=Carrier"
    run("import_list", "--client", "M", str(path), "--map", mapping)
    assert ColumnMapping.objects.filter(client=client_m).count() == 1
    second = write_xlsx(tmp_path / "odd2.xlsx", [rows[0], ["2", "A", "a", "1", "DPD"]])
    out, _err = run("import_list", "--client", "M", str(second), "--json")  # remembered now
    assert json.loads(out)["lists"][0]["orders"] == 1


@pytest.mark.django_db
def test_bad_file_exits_non_zero_with_every_error_and_creates_nothing(client_m, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", [
        ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier"],
        ["#1", "A", "a", "N/A", "DHL"], ["", "B", "b", "1", "DHL"], ["1", "C", "c", "1", "DHL"]])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_list", "--client", "M", str(path), stderr=err, stdout=io.StringIO())
    lines = err.getvalue().splitlines()
    assert "row 2, column Quantity: Quantity 'N/A' is not a whole number of at least 1." in lines
    assert "row 3, column Order_Number: Order number is missing." in lines
    assert any(line.startswith("row 4, column Order_Number: Order numbers '#1'") for line in lines)
    assert not PackingSession.objects.exists()


@pytest.mark.django_db
def test_import_packing_list_json_and_shopify_folder(client_m, tmp_path):
    listing = {"session_id": "2026-03-02_1", "orders": [
        {"order_number": "#7", "courier": "DHL", "items": [{"sku": "A", "quantity": 1}]}]}
    (tmp_path / "DHL_Orders.json").write_text(json.dumps(listing))
    out, _err = run("import_list", "--client", "M", str(tmp_path / "DHL_Orders.json"), "--json")
    assert json.loads(out)["lists"][0]["name"] == "DHL_Orders"
    folder = tmp_path / "2026-03-04_1"
    (folder / "packing_lists").mkdir(parents=True)
    (folder / "session_info.json").write_text(json.dumps({"created_by_tool": "shopify",
                                                          "session_name": "2026-03-04_1"}))
    post_one = {"orders": [dict(listing["orders"][0], order_number="#8")]}
    (folder / "packing_lists" / "PostOne.json").write_text(json.dumps(post_one))
    out, _err = run("import_list", "--client", "M", str(folder))
    assert "2026-03-04_1" in out and "+ PostOne" in out
    out, _err = run("import_list", "--client", "M", str(folder))
    assert "Already imported" in out and "Nothing was imported" in out
    assert PackingList.objects.count() == 2


@pytest.mark.django_db
def test_unknown_client_or_file_type(client_m, tmp_path):
    with pytest.raises(CommandError, match="Unknown client"):
        run("import_list", "--client", "NOPE", str(tmp_path / "x.xlsx"))
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(CommandError, match="Unsupported file type"):
        run("import_list", "--client", "M", str(tmp_path / "x.txt"))


@pytest.mark.django_db
def test_labels_command_writes_png_pdf_and_zpl(client_m, tmp_path):
    path = write_xlsx(tmp_path / "DHL Orders.xlsx", [
        ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier"],
        ["#10", "A", "a", "1", "DHL"], ["#9", "A", "a", "1", "DHL"]])
    out, _err = run("import_list", "--client", "M", str(path), "--json")
    list_id = json.loads(out)["lists"][0]["id"]
    out, _err = run("labels", str(list_id), "--format", "png", "--out", str(tmp_path / "png"))
    files = sorted((tmp_path / "png").iterdir())
    assert [f.name for f in files] == ["0001_10.png", "0002_9.png"]  # the list's order
    decoded = zxingcpp.read_barcodes(Image.open(files[0]).convert("L"))
    assert [r.text for r in decoded] == ["#10"]
    run("labels", str(list_id), "--format", "pdf", "--out", str(tmp_path / "pdf"))
    stem = f"{PackingList.objects.get(pk=list_id).session.external_id}_DHL_Orders_labels"
    pdf = (tmp_path / "pdf" / f"{stem}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(PdfParser.PdfParser(buf=pdf).pages) == 3  # + cover
    run("labels", str(list_id), "--format", "zpl", "--out", str(tmp_path / "zpl"))
    zpl = (tmp_path / "zpl" / f"{stem}.zpl").read_text()
    assert zpl.count("^XA") == 2 and zpl.index("^FD#10^FS") < zpl.index("^FD#9^FS")
    with pytest.raises(CommandError, match="No packing list"):
        run("labels", "999999", "--format", "pdf", "--out", str(tmp_path))
