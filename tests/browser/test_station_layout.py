"""The station's layout on real terminals (issue 11): 800×600 up to 1920×1080, in English,
Ukrainian and Bulgarian. No horizontal scroll, no region over another, nothing cut at the right
edge; the line just scanned in view; product names not squeezed into four lines by the row
buttons; the extra's Keep/Remove choice next to the message asking for it; a known wrong item
named, in the message and in Last scan. Screenshots go to PACKER_LAYOUT_SHOTS when set."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import expect_outcome, open_station, scan
from tests.builders import add_order, build_list, build_station, build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(800, 600), (1024, 768), (1366, 768), (1920, 1080)]
LANGUAGES = ["en", "uk", "bg"]
NAMES = [
    "Сонцезахисний крем для обличчя SPF 50 з гіалуроновою кислотою, 50 мл",
    "Слънцезащитен лосион за тяло с алое вера и витамин Е, водоустойчив, 200 мл",
    "Зволожувальний бальзам для губ з маслом ші та вітаміном Е, 4,8 г",
    "Шампоан за суха и изтощена коса с арганово масло, 400 мл",
]


def floor_with_long_names():
    """An order of 24 lines with long Cyrillic names, and a deodorant the client knows from
    another list (a known wrong item here)."""
    packing_list = build_list()
    lines = [("DC-SC-050", 1, NAMES[0])]
    lines += [(f"DC-LN-{n:03d}", 2, NAMES[n % len(NAMES)]) for n in range(1, 24)]
    add_order(packing_list, "L-1", lines)
    other = build_list(client=packing_list.session.client)
    add_order(other, "X-1", [("DC-DO-050", 1, "Дезодорант рол-он")])
    return packing_list, build_station(), build_worker(role="packer")


LAYOUT_CHECK = """() => {
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  const box = (s) => {
    const e = document.querySelector(s);
    if (!e || !e.offsetParent) return null;
    const r = e.getBoundingClientRect();
    return {s, l: r.left, t: r.top, r: r.right, b: r.bottom};
  };
  const regions = ['.st-top', '#status', '#extras', '#order-panel', 'aside.side',
                   '.st-body > section > .actions'].map(box).filter(Boolean);
  const overlaps = [];
  for (let i = 0; i < regions.length; i++) for (let j = i + 1; j < regions.length; j++) {
    const a = regions[i], b = regions[j];
    if (Math.min(a.r, b.r) - Math.max(a.l, b.l) > 1 && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 1)
      overlaps.push(a.s + ' / ' + b.s);
  }
  const cut = [...document.querySelectorAll('.station-main *')].filter((e) => {
    if (!e.offsetParent || e.closest('.items-scroll')) return false;
    const r = e.getBoundingClientRect(); return r.width > 0 && r.right > vw + 1;
  }).map((e) => e.id || e.className || e.tagName);
  let texts = [...document.querySelectorAll('#items td.name .name-text')];
  if (!texts.length) texts = [...document.querySelectorAll('#items tbody td:nth-child(3)')];
  const names = texts.map((e) => {
    const style = getComputedStyle(e);
    const lh = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
    const pad = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    return Math.round((e.getBoundingClientRect().height - pad) / lh);
  });
  const scroll = (document.querySelector('#items-scroll')
                  || document.querySelector('#items')).getBoundingClientRect();
  const last = document.querySelector('#items tr.line-last');
  const lr = last ? last.getBoundingClientRect() : null;
  return {
    hscroll: document.documentElement.scrollWidth - vw,
    overlaps, cut: cut.slice(0, 5),
    maxNameLines: Math.max(0, ...names),
    lastInView: !!lr && lr.top >= Math.max(0, scroll.top) - 1
                && lr.bottom <= Math.min(vh, scroll.bottom) + 1,
  };
}"""


def check_layout(page, where):
    page.wait_for_timeout(550)  # the status flash (a transform) is over
    result = page.evaluate(LAYOUT_CHECK)
    assert result["hscroll"] <= 0, (where, "horizontal scroll", result)
    assert result["overlaps"] == [], (where, result)
    assert result["cut"] == [], (where, "cut at the right edge", result)
    assert result["maxNameLines"] <= 3, (where, "product names wrap to 4+ lines", result)
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_station_layout_holds_at_terminal_sizes(server, login_context, language):
    packing_list, station, worker = floor_with_long_names()
    shots = os.environ.get("PACKER_LAYOUT_SHOTS")
    context = login_context(worker.user, station)
    context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
    page = open_station(context, packing_list)
    scan(page, "L-1")
    expect_outcome(page, "order_loaded")
    first = True
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        where = f"{width}x{height} {language}"
        sku = f"DC-LN-{(width // 100) % 20 + 3:03d}"  # a line far down the list
        scan(page, sku)
        expect_outcome(page, "item_ok")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/station-item-{width}x{height}-{language}.png")
        assert check_layout(page, where)["lastInView"], (where, "the line just scanned")
        if first:
            # A known wrong item is named, in the message and in Last scan.
            scan(page, "DC-DO-050")
            expect_outcome(page, "unknown_item")
            expect(page.locator("#status-detail")).to_contain_text("Дезодорант рол-он (DC-DO-050)")
            expect(page.locator("#last-scan")).to_contain_text("Дезодорант рол-он")
            first = False
        # An extra: its Keep/Remove choice and keys right under the message asking for it.
        scan(page, "DC-SC-050")
        scan(page, "DC-SC-050")
        expect_outcome(page, "extra_item")
        check_layout(page, where)
        extras = page.locator("#extras")
        expect(extras).to_be_in_viewport(ratio=1)
        expect(extras.locator("kbd", has_text="F6")).to_be_visible()
        status_box = page.locator("#status").bounding_box()
        extras_box = extras.bounding_box()
        assert 0 <= extras_box["y"] - (status_box["y"] + status_box["height"]) <= 24, where
        if shots:
            page.screenshot(path=f"{shots}/station-extra-{width}x{height}-{language}.png")
        page.keyboard.press("F7")  # remove it again, for the next size
        expect_outcome(page, "extra_removed")
        page.keyboard.press("F4")  # and take the DC-SC-050 unit back
        expect_outcome(page, "undone")
