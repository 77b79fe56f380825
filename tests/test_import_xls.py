""".xls (Excel 97-2003) packing lists import through calamine: no xlrd needed.

tests/import_fixtures/packing_list.xls is a real BIFF8 workbook (OLE2 compound file), written
once by xlwt 1.3.0, the writer of old Excel files (not a project dependency): Cyrillic text, a
Cyrillic sheet name, a code with a leading zero and numeric quantity cells.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles.models import Client
from sessions.imports.excel import import_excel
from sessions.imports.tables import OLE_MAGIC, read_table

XLS = Path(__file__).parent / "import_fixtures" / "packing_list.xls"


def test_the_fixture_is_a_real_ole2_excel_file():
    assert XLS.read_bytes().startswith(OLE_MAGIC)


def test_xls_cells_are_read_as_the_text_the_user_typed():
    table = read_table(XLS.read_bytes(), XLS.name)
    assert table.headers == ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier",
                             "Shipping_Country"]
    assert table.rows[0] == ["#1001", "SKU-A", "Крем для рук 50 мл", "2", "Нова Пошта", "UA"]
    assert table.rows[1][1] == "007-B"


@pytest.mark.django_db
def test_an_xls_packing_list_imports():
    client = Client.objects.create(code="X", name="Client X")
    result = import_excel(client, SimpleUploadedFile(XLS.name, XLS.read_bytes()))
    plist = result.session.lists.get()
    first, second = plist.orders.order_by("sequence")
    assert (first.number, first.courier) == ("#1001", "Нова Пошта")
    assert [(i.sku, i.required) for i in first.items.order_by("line_number")] == [
        ("SKU-A", 2), ("SKU-C", 1)]
    assert (second.number, second.items.get().sku) == ("#1002", "007-B")
