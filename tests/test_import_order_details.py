"""Excel/CSV lists carry order notes, tags and country to the station; obvious headers in
English, Ukrainian and Bulgarian are guessed; a client's default courier makes the courier
column optional (issue 11, "What packers need to see")."""

import pytest

from profiles.models import Client, ColumnMapping
from sessions.errors import MappingRequired
from sessions.imports.excel import import_excel
from sessions.imports.mapping import guess_mapping
from sessions.reads.payloads import order_payload
from tests.builders import build_user
from tests.test_import_excel import STANDARD, csv, xlsx


@pytest.fixture
def client_m(db):
    return Client.objects.create(code="M", name="Client M")


def test_notes_tags_and_country_are_mapped_stored_on_the_order_and_remembered(client_m):
    rows = [["Поръчка", "Артикул", "Име", "Бр.", "Куриер", "Бележка", "Тагове", "Държава"],
            ["A-1", "SKU1", "Крем", "2", "Speedy", "Чупливо", "VIP, GIFT", "BG"],
            ["A-1", "SKU2", "Сапун", "1", "Speedy", "Звънни преди", "GIFT|RUSH", ""],
            ["A-2", "SKU1", "Крем", "1", "Speedy", "", "", "RO"]]
    with pytest.raises(MappingRequired) as info:
        import_excel(client_m, xlsx(rows))
    guess = info.value.details["guess"]
    assert guess == {"Order_Number": "Поръчка", "SKU": "Артикул", "Product_Name": "Име",
                     "Quantity": "Бр.", "Courier": "Куриер", "Notes": "Бележка",
                     "Tags": "Тагове", "Country": "Държава"}
    result = import_excel(client_m, xlsx(rows), mapping=guess)
    orders = {o.number: o for o in result.session.lists.get().orders.all()}
    first = orders["A-1"]
    assert first.notes == "Чупливо · Звънни преди"
    assert first.tags == ["VIP", "GIFT", "RUSH"]
    assert first.country == "BG" and orders["A-2"].country == "RO"
    payload = order_payload(first)
    assert payload["notes"] == "Чупливо · Звънни преди"
    assert payload["tags"] == ["VIP", "GIFT", "RUSH"]
    # The cells stay in the line's own columns too (the completion report shows the file).
    assert first.items.get(sku="SKU1").extra_columns["Бележка"] == "Чупливо"
    assert ColumnMapping.objects.get(client=client_m).mapping == guess
    # The next file of that shape imports in one step, with its notes, tags and country.
    rows[1][0] = rows[2][0] = "B-1"
    rows[3][0] = "B-2"
    again = import_excel(client_m, xlsx(rows)).session.lists.get().orders.get(number="B-1")
    assert (again.notes, again.tags, again.country) == (
        "Чупливо · Звънни преди", ["VIP", "GIFT", "RUSH"], "BG")


@pytest.mark.parametrize(("headers", "expected"), [
    (["Order", "SKU", "Product", "Qty", "Carrier", "Notes", "Tags", "Country"],
     ["Order", "SKU", "Product", "Qty", "Carrier", "Notes", "Tags", "Country"]),
    (["Замовлення", "Артикул", "Назва", "Кількість", "Перевізник", "Примітка", "Теги", "Країна"],
     ["Замовлення", "Артикул", "Назва", "Кількість", "Перевізник", "Примітка", "Теги",
      "Країна"]),
    (["Поръчка №", "Код", "Продукт", "Бр.", "Куриер", "Коментар", "Таг", "Държава"],
     ["Поръчка №", "Код", "Продукт", "Бр.", "Куриер", "Коментар", "Таг", "Държава"]),
    (["order number", "sku", "product name", "QUANTITY", "courier", "Lot"],
     ["order number", "sku", "product name", "QUANTITY", "courier", "", "", ""]),
])
def test_obvious_headers_are_guessed_in_three_languages(headers, expected):
    columns = ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier", "Notes", "Tags",
               "Country"]
    assert guess_mapping(headers) == dict(zip(columns, expected))


def test_standard_headers_pick_up_notes_tags_and_country_by_name(client_m):
    upload = csv("Order_Number,SKU,Product_Name,Quantity,Courier,Notes,Tags,Country\n"
                 "Z-1,A,Soap,1,DHL,Leave at door,B2B,DE\n")
    order = import_excel(client_m, upload).session.lists.get().orders.get()
    assert (order.notes, order.tags, order.country) == ("Leave at door", ["B2B"], "DE")


def test_a_default_courier_makes_the_courier_column_optional(client_m):
    rows = [STANDARD[:4], ["C-1", "A", "Soap", "1"]]
    with pytest.raises(MappingRequired) as info:
        import_excel(client_m, xlsx(rows))
    assert info.value.details["missing"] == ["Courier"]
    settings = client_m.settings_or_default()
    settings.default_courier = "Speedy"
    settings.save()
    order = import_excel(client_m, xlsx(rows)).session.lists.get().orders.get()
    assert order.courier == "Speedy"
    # A mapped courier column still wins; an empty cell takes the default.
    rows = [["Order", "Article", "Title", "Qty", "Carrier"], ["D-1", "A", "x", "1", ""],
            ["D-2", "A", "x", "1", "DHL"]]
    mapping = {"Order_Number": "Order", "SKU": "Article", "Product_Name": "Title",
               "Quantity": "Qty", "Courier": "Carrier"}
    orders = import_excel(client_m, xlsx(rows), mapping=mapping).session.lists.get().orders
    assert dict(orders.values_list("number", "courier")) == {"D-1": "Speedy", "D-2": "DHL"}
    # Without a courier column at all, the mapping may leave Courier out.
    rows = [["Order", "Article", "Title", "Qty"], ["E-1", "A", "x", "1"]]
    mapping.pop("Courier")
    order = import_excel(client_m, xlsx(rows), mapping=mapping).session.lists.get().orders.get()
    assert order.courier == "Speedy"


def test_mapping_page_offers_notes_tags_country_and_guesses_them(client, client_m, settings,
                                                               tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(build_user(role="supervisor"))
    upload = xlsx([["Замовлення", "Артикул", "Назва", "Кількість", "Перевізник", "Примітка",
                    "Теги", "Країна"], ["A-1", "S", "Мило", "1", "Нова Пошта", "Крихке",
                                          "VIP", "UA"]], name="Odd.xlsx")
    response = client.post("/imports/", {"client": "M", "file": upload})
    page = client.get(response["Location"]).content.decode()
    for column, header in (("Notes", "Примітка"), ("Tags", "Теги"), ("Country", "Країна")):
        assert f'name="{column}"' in page
        assert f'<option value="{header}" selected>' in page
    response = client.post(response["Location"], {
        "Order_Number": "Замовлення", "SKU": "Артикул", "Product_Name": "Назва",
        "Quantity": "Кількість", "Courier": "Перевізник", "Notes": "Примітка", "Tags": "Теги",
        "Country": "Країна"})
    response = client.post(response["Location"], {})
    assert "/imports/result/" in response["Location"]
    order = client_m.sessions.get().lists.get().orders.get()
    assert (order.notes, order.tags, order.country) == ("Крихке", ["VIP"], "UA")
