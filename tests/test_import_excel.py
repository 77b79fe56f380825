"""Excel/CSV import: mapping, validation with row-precise errors, nothing saved on failure.

Scenarios 27–30 of ../shared/acceptance-scenarios.md.
"""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles.models import Client, ColumnMapping
from sessions.errors import ImportRejected, MappingRequired
from sessions.imports.excel import import_excel
from sessions.imports.mapping import headers_key
from sessions.models import Order, OrderItem, PackingList, PackingSession

STANDARD = ["Order_Number", "SKU", "Product_Name", "Quantity", "Courier"]


def xlsx(rows, name="list.xlsx"):
    """An uploaded .xlsx whose first sheet holds `rows` (first row = headers)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv(text, name="list.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding))


@pytest.fixture
def client_m(db):
    return Client.objects.create(code="M", name="Client M")


def nothing_saved():
    return (PackingSession.objects.count(), PackingList.objects.count(), Order.objects.count(),
            OrderItem.objects.count()) == (0, 0, 0, 0)


def rejected(client, upload, **kwargs):
    with pytest.raises(ImportRejected) as info:
        import_excel(client, upload, **kwargs)
    assert nothing_saved()
    return info.value.errors


@pytest.mark.django_db
def test_standard_file_becomes_session_with_one_list(client_m):
    upload = xlsx([
        STANDARD + ["Lot", "Країна"],
        ["#1001", "SKU-A", "Крем для рук 50 мл", "2", "DHL", "L1", "BG"],
        ["#1002", "sku b/7 (red)", "Soap", "3.0", "PostOne", "", "UA"],
        ["#1001", "SKU-C", "Cream", "1", "DHL", "+380 (44) 1-2", "BG"],
    ], name="DHL_Orders.xlsx")
    result = import_excel(client_m, upload)
    session = result.session
    assert session.source == "excel" and session.client == client_m
    assert result.lists == [{"id": result.lists[0]["id"], "name": "DHL_Orders", "orders": 2,
                             "lines": 3, "units": 6}]
    plist = session.lists.get()
    assert plist.source_columns == STANDARD + ["Lot", "Країна"]
    first, second = plist.orders.order_by("sequence")
    assert (first.number, first.sequence, first.courier) == ("#1001", 1, "DHL")
    assert (second.number, second.normalized_number, second.sequence) == ("#1002", "1002", 2)
    lines = list(first.items.order_by("line_number"))
    assert [(i.sku, i.required, i.source_row) for i in lines] == [("SKU-A", 2, 2), ("SKU-C", 1, 4)]
    assert lines[0].product_name == "Крем для рук 50 мл"
    assert lines[0].extra_columns == {"Lot": "L1", "Країна": "BG"}
    assert lines[1].extra_columns["Lot"] == "+380 (44) 1-2"  # stored verbatim
    odd = second.items.get()
    assert (odd.sku, odd.normalized_sku, odd.required) == ("sku b/7 (red)", "skub7red", 3)


@pytest.mark.django_db
def test_every_bad_row_is_reported_with_row_and_column(client_m):
    upload = xlsx([
        STANDARD,
        ["", "A", "x", "1", "DHL"],          # row 2: no order number
        ["1", "A", "x", "N/A", "DHL"],       # row 3: quantity N/A
        ["2", "A", "x", "", "DHL"],          # row 4: empty quantity
        ["3", "A", "x", "-1", "DHL"],        # row 5: negative
        ["4", "A", "x", "2.5", "DHL"],       # row 6: fraction
        ["5", "", "x", "1", "DHL"],          # row 7: no SKU
        ["6", "A", "x", "1", ""],            # row 8: no courier
        ["7", "A", "x", "0", "DHL"],         # row 9: zero
    ])
    errors = rejected(client_m, upload)
    where = {(e["row"], e["column"]) for e in errors}
    assert where == {(2, "Order_Number"), (3, "Quantity"), (4, "Quantity"), (5, "Quantity"),
                     (6, "Quantity"), (7, "SKU"), (8, "Courier"), (9, "Quantity")}
    assert any("N/A" in e["message"] for e in errors if e["row"] == 3)


@pytest.mark.django_db
def test_numbers_colliding_after_normalisation_name_both_rows(client_m):
    upload = xlsx([STANDARD, ["#1001", "A", "x", "1", "DHL"], ["B", "B", "x", "1", "DHL"],
                   ["1001!", "C", "x", "1", "DHL"]])
    errors = rejected(client_m, upload)
    assert len(errors) == 1
    assert errors[0]["row"] == 4 and errors[0]["other_row"] == 2
    assert "#1001" in errors[0]["message"] and "1001!" in errors[0]["message"]


@pytest.mark.django_db
def test_order_lines_disagreeing_on_courier_are_an_error(client_m):
    upload = xlsx([STANDARD, ["1", "A", "x", "1", "DHL"], ["1", "B", "x", "1", "PostOne"]])
    errors = rejected(client_m, upload)
    assert [(e["row"], e["column"], e["other_row"]) for e in errors] == [(3, "Courier", 2)]


@pytest.mark.django_db
def test_values_too_long_for_the_database_are_cell_errors(client_m):
    upload = xlsx([["No", "Art", "Name", "Qty", "Carrier"], ["1", "A" * 201, "x" * 501, "1", "D"]])
    mapping = dict(zip(STANDARD, ["No", "Art", "Name", "Qty", "Carrier"]))
    errors = rejected(client_m, upload, mapping=mapping)
    assert {(e["row"], e["column"]) for e in errors} == {(2, "Art"), (2, "Name")}


@pytest.mark.django_db
def test_symbol_only_order_number_and_sku_are_errors(client_m):
    upload = xlsx([STANDARD, ["###", "A", "x", "1", "DHL"], ["5", "--", "x", "1", "DHL"]])
    errors = rejected(client_m, upload)
    assert {(e["row"], e["column"]) for e in errors} == {(2, "Order_Number"), (3, "SKU")}


@pytest.mark.django_db
@pytest.mark.parametrize("upload, fragment", [
    (SimpleUploadedFile("list.pdf", b"%PDF-1.4"), "Unsupported file type"),
    (SimpleUploadedFile("list.xlsx", b"not really a workbook"), "not a valid Excel"),
    (SimpleUploadedFile("list.xlsx", b""), "empty"),
    (SimpleUploadedFile("list.xlsx", b"PK\x03\x04garbage"), "could not be read"),
])
def test_wrong_file_types_get_a_clear_message(client_m, upload, fragment):
    errors = rejected(client_m, upload)
    assert fragment in errors[0]["message"]


@pytest.mark.django_db
def test_empty_sheet_and_header_only_sheet(client_m):
    assert "empty" in rejected(client_m, xlsx([]))[0]["message"]
    assert "no data rows" in rejected(client_m, xlsx([STANDARD]))[0]["message"]


@pytest.mark.django_db
def test_file_over_the_size_limit(client_m, settings):
    settings.PACKER_IMPORT_MAX_BYTES = 1000
    upload = xlsx([STANDARD] + [["1", "A", "x", "1", "DHL"]] * 200)
    assert "limit" in rejected(client_m, upload)[0]["message"]


@pytest.mark.django_db
def test_odd_headers_need_a_mapping_then_it_is_remembered(client_m):
    rows = [["Order No", "Article", "Title", "Qty", "Carrier", "Note"],
            ["A-1", "SKU1", "Thing", "2", "DHL", "fragile"]]
    with pytest.raises(MappingRequired) as info:
        import_excel(client_m, xlsx(rows))
    assert nothing_saved()
    details = info.value.details
    assert details["missing"] == STANDARD
    assert details["preview"] == [["A-1", "SKU1", "Thing", "2", "DHL", "fragile"]]
    mapping = dict(zip(STANDARD, ["Order No", "Article", "Title", "Qty", "Carrier"]))
    first = import_excel(client_m, xlsx(rows), mapping=mapping)
    stored = ColumnMapping.objects.get(client=client_m)
    assert stored.headers_key == headers_key(rows[0]) and stored.mapping == mapping
    # The next file of that shape (columns in another order) imports in one step.
    again = [[r[1], r[0], r[2], r[3], r[4], r[5]] for r in rows]
    again[1][1] = "A-2"
    second = import_excel(client_m, xlsx(again))
    assert second.session.pk != first.session.pk
    order = second.session.lists.get().orders.get()
    assert (order.number, order.courier) == ("A-2", "DHL")
    assert order.items.get().extra_columns == {"Note": "fragile"}


@pytest.mark.django_db
def test_shopify_tool_printable_lists_are_one_shape(client_m):
    """Their headers hold the generation time and the file name (legacy-formats.md §11.3)."""
    def printable(stamp, name, number):
        headers = ["Destination_Country", "Order_Number", "SKU", name, "Quantity", stamp]
        return xlsx([headers, ["DE", number, "A", "Cream", "1", "DHL"]], name=name)

    first = printable("2026-03-02 09:10:02", "DHL_Orders.xlsx", "#1")
    mapping = {"Order_Number": "Order_Number", "SKU": "SKU", "Product_Name": "DHL_Orders.xlsx",
               "Quantity": "Quantity", "Courier": "2026-03-02 09:10:02"}
    import_excel(client_m, first, mapping=mapping)
    second = import_excel(client_m, printable("2026-03-03 17:00:59", "PostOne.xlsx", "#2"))
    order = second.session.lists.get().orders.get()
    assert (order.number, order.courier, order.country) == ("#2", "DHL", "DE")
    assert order.items.get().product_name == "Cream"


@pytest.mark.django_db
def test_bad_mapping_lists_each_problem(client_m):
    rows = [["Order No", "Article", "Title", "Qty", "Carrier"], ["1", "A", "x", "1", "DHL"]]
    mapping = {"Order_Number": "Order No", "SKU": "Order No", "Product_Name": "Nope",
               "Quantity": "Qty"}
    errors = rejected(client_m, xlsx(rows), mapping=mapping)
    assert {e["column"] for e in errors} == {"SKU", "Product_Name", "Courier"}
    assert not ColumnMapping.objects.exists()


@pytest.mark.django_db
def test_csv_with_semicolons_and_cp1251(client_m):
    text = "Order_Number;SKU;Product_Name;Quantity;Courier\nЗ-1;АБВ 1;Мило;4;Нова Пошта\n"
    result = import_excel(client_m, csv(text, encoding="cp1251"))
    order = result.session.lists.get().orders.get()
    assert (order.number, order.courier) == ("З-1", "Нова Пошта")
    assert order.items.get().normalized_sku == "абв1"


@pytest.mark.django_db
def test_session_ids_are_unique_per_client(client_m):
    ids = {import_excel(client_m, xlsx([STANDARD, [str(n), "A", "x", "1", "DHL"]]))
           .session.external_id for n in range(3)}
    assert len(ids) == 3


@pytest.mark.django_db
def test_import_from_a_path(client_m, tmp_path):
    path = tmp_path / "Morning.xlsx"
    path.write_bytes(xlsx([STANDARD, ["1", "A", "x", "1", "DHL"]]).read())
    result = import_excel(client_m, path)
    assert result.session.lists.get().name == "Morning"
    assert result.session.source_path == "Morning.xlsx"


# --- the web flow: upload → mapping step (first time only) → result ----------------------------

@pytest.fixture
def supervisor_browser(client_m, client, settings, tmp_path):
    from django.contrib.auth.models import User

    from profiles.roles import assign_role

    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create_user("sup", password="pw")
    assign_role(user, "supervisor")
    client.force_login(user)
    return client


def odd_file(number):
    return xlsx([["Order No", "Article", "Title", "Qty", "Carrier"],
                 [number, "SKU1", "Мило", "2", "DHL"]], name=f"Odd {number}.xlsx")


@pytest.mark.django_db
def test_web_upload_maps_once_then_imports_in_one_step(supervisor_browser, settings):
    response = supervisor_browser.post("/imports/", {"client": "M", "file": odd_file("A-1")})
    assert response.status_code == 302 and "/mapping/" in response["Location"]
    mapping_url = response["Location"]
    page = supervisor_browser.get(mapping_url)
    assert page.status_code == 200
    assert "Мило" in page.content.decode()  # the preview shows the first rows
    uploads = settings.MEDIA_ROOT / "uploads"
    assert len(list(uploads.iterdir())) == 2  # the file and its sidecar, not in the cookie
    # A column chosen twice is refused with a message; nothing imported.
    bad = {"Order_Number": "Order No", "SKU": "Order No", "Product_Name": "Title",
           "Quantity": "Qty", "Courier": "Carrier"}
    page = supervisor_browser.post(mapping_url, bad)
    assert page.status_code == 200 and "already used" in page.content.decode()
    assert not PackingSession.objects.exists()
    good = dict(bad, SKU="Article")
    response = supervisor_browser.post(mapping_url, good)
    assert response.status_code == 302 and "/preview/" in response["Location"]
    assert not PackingSession.objects.exists()  # the preview comes before anything is saved
    response = supervisor_browser.post(response["Location"], {})
    assert response.status_code == 302 and "/imports/result/" in response["Location"]
    assert list(uploads.iterdir()) == []
    result = supervisor_browser.get(response["Location"])
    assert "Odd A-1" in result.content.decode()
    # Second file of that shape: no mapping step, straight to its preview.
    response = supervisor_browser.post("/imports/", {"client": "M", "file": odd_file("A-2")})
    assert response.status_code == 302 and "/preview/" in response["Location"]
    supervisor_browser.post(response["Location"], {})
    assert PackingSession.objects.count() == 2


@pytest.mark.django_db
def test_web_upload_shows_every_error(supervisor_browser):
    upload = xlsx([STANDARD, ["1", "A", "x", "N/A", "DHL"], ["2", "", "x", "1", "DHL"]])
    response = supervisor_browser.post("/imports/", {"client": "M", "file": upload})
    text = response.content.decode()
    assert response.status_code == 200
    assert "2 problems found" in text and "N/A" in text and "SKU is missing" in text
    assert not PackingSession.objects.exists()


@pytest.mark.django_db
def test_web_import_needs_a_supervisor(client_m, client, settings, tmp_path):
    from django.contrib.auth.models import User

    from profiles.roles import assign_role

    user = User.objects.create_user("packer", password="pw")
    assign_role(user, "packer")
    client.force_login(user)
    assert client.get("/imports/").status_code == 403


@pytest.mark.django_db
def test_mapping_page_of_someone_else_is_not_found(supervisor_browser, client):
    response = supervisor_browser.post("/imports/", {"client": "M", "file": odd_file("A-1")})
    from django.contrib.auth.models import User

    from profiles.roles import assign_role

    other = User.objects.create_user("sup2", password="pw")
    assign_role(other, "supervisor")
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404
    assert client.get("/imports/../../etc/mapping/").status_code == 404


@pytest.mark.django_db
def test_two_imports_picking_the_same_session_id_both_succeed(client_m, monkeypatch):
    """The loser of a race for YYYY-MM-DD_HH-MM takes the next id instead of failing."""
    from sessions.imports import build

    first = import_excel(client_m, xlsx([STANDARD, ["1", "A", "x", "1", "DHL"]])) \
        .session.external_id
    real = build.unique_external_id
    answers = iter([first])  # the first pick is the id the other import just took

    def racing(client, base):
        return next(answers, None) or real(client, base)

    monkeypatch.setattr(build, "unique_external_id", racing)
    second = import_excel(client_m, xlsx([STANDARD, ["2", "A", "x", "1", "DHL"]])) \
        .session.external_id
    assert second != first and PackingSession.objects.count() == 2
