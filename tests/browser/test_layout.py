"""Layout that holds: no overlap of a page's main regions and no horizontal scroll, at the
terminal sizes from 800×600 to 1920×1080, in English, Ukrainian and Bulgarian (issue 11).

PAGES is the table of pages and their main regions: add a page (e.g. "station", "floor") with
its URL builder, who looks at it, and the CSS selectors of its regions. A region that is not on
the page fails the test (a renamed selector must not silently check nothing). Screenshots go
to /tmp/h11a-shots/layout-<page>-<lang>-<size>.png.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from sessions.scanning.codes import scan
from tests.builders import build_list, build_station, build_worker, claimed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(800, 600), (1024, 768), (1366, 768), (1920, 1080)]
LANGS = ["en", "uk", "bg"]
SHOTS = Path("/tmp/h11a-shots")

# page → (url(data), role of the viewer, [main region selectors])
PAGES = {
    "pick": (lambda d: f"/station/?client={d['list'].session.client.code}", "packer",
             [".st-meta h1", "#station-name", "#pick-scan", ".tiles"]),
    "sessions": (lambda d: "/sessions/", "supervisor",
                 ["main h1", "#tabs", "#browse-filters", "#results"]),
    "list": (lambda d: f"/sessions/lists/{d['list'].pk}/", "supervisor",
             [".list-head h1", ".list-barcode-print", "main .actions", ".figures",
              "#orders-table"]),
}


@pytest.fixture
def layout_data(db):
    """A list with long names (the worst case for wrapping) that is being packed."""
    orders = {f"#BG-{n:05d}-ДЪЛЪГ-НОМЕР": [
        (f"SKU-{n}-A", 2, "Дезодорант рол-он за чувствителна кожа без алкохол 50 мл"),
        (f"SKU-{n}-B", 1, "Крем для рук із пантенолом та олією ши, великий тюбик 250 мл")]
        for n in range(1, 13)}
    packing_list = build_list(orders, name="Speedy_Orders_Поръчки_Замовлення_2026-12-01_сутрин")
    worker = build_worker("Олександра Костянтинівна", role="packer")
    claim = claimed(packing_list, worker=worker, station=build_station("PACK-STATION-01"))
    scan(packing_list.pk, token=claim.token, code="#BG-00001-ДЪЛЪГ-НОМЕР")
    return {"list": packing_list, "station": claim.station}


def overlaps(a, b):
    """Area where two boxes overlap (more than a pixel each way counts)."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return width > 1 and height > 1


def check_layout(page, regions, label):
    problems = []
    sizes = page.evaluate("[document.documentElement.scrollWidth,"
                          " document.documentElement.clientWidth]")
    if sizes[0] > sizes[1]:
        problems.append(f"{label}: horizontal scroll ({sizes[0]} > {sizes[1]})")
    boxes = {}
    for selector in regions:
        locator = page.locator(selector).first
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        boxes[selector] = box
        if box["x"] < -1 or box["x"] + box["width"] > sizes[1] + 1:
            problems.append(f"{label}: {selector} runs outside the page "
                            f"({box['x']:.0f}..{box['x'] + box['width']:.0f} of {sizes[1]})")
    names = list(boxes)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            if overlaps(boxes[first], boxes[second]):
                problems.append(f"{label}: {first} overlaps {second}")
    return problems


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_no_overlap_and_no_horizontal_scroll(server, login_context, layout_data, name, lang):
    url, role, regions = PAGES[name]
    viewer = build_worker(f"Viewer {role}", role=role)
    context = login_context(viewer.user, layout_data["station"])
    context.add_cookies([{"name": "django_language", "value": lang, "url": server.url}])
    page = context.new_page()
    problems = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url(layout_data))
        page.screenshot(path=str(SHOTS / f"layout-{name}-{lang}-{width}x{height}.png"))
        problems += check_layout(page, regions, f"{name} {lang} {width}×{height}")
    assert problems == []
