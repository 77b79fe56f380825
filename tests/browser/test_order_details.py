"""Notes, tags and country from an Excel list reach the station's notes banner (issue 11)."""

import pytest
from playwright.sync_api import expect

from profiles.models import Client
from sessions.imports.excel import import_excel
from tests.browser.helpers import open_station, scan
from tests.builders import build_station, build_worker
from tests.test_import_excel import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_excel_notes_show_in_the_station_banner(server, login_context):
    client = Client.objects.create(code="M", name="M")
    rows = [["Поръчка", "Артикул", "Име", "Бр.", "Куриер", "Бележка", "Тагове", "Държава"],
            ["N-1", "SKU1", "Крем", "1", "Speedy", "Чупливо, опаковай двойно", "VIP", "BG"]]
    mapping = {"Order_Number": "Поръчка", "SKU": "Артикул", "Product_Name": "Име",
               "Quantity": "Бр.", "Courier": "Куриер", "Notes": "Бележка", "Tags": "Тагове",
               "Country": "Държава"}
    packing_list = import_excel(client, xlsx(rows), mapping=mapping).session.lists.get()
    page = open_station(login_context(build_worker("Bea", role="packer").user,
                                      build_station("PACK-1")), packing_list)
    scan(page, "N-1")
    expect(page.locator("#order-number")).to_have_text("N-1")
    expect(page.locator("#order-notes")).to_be_visible()
    expect(page.locator("#order-notes")).to_have_text("Чупливо, опаковай двойно")
    page.screenshot(path="/tmp/h11a-shots/station-excel-notes.png")
