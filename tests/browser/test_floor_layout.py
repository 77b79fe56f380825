"""The floor view fits (issue 14, "Layout"): at 1366×768 in English, Ukrainian and Bulgarian no
button (Force-release, Take over, Reassign, Acknowledge) and no figure (the errors) is clipped,
and from 800×600 to 1920×1080 nothing overlaps and the page never scrolls sideways. Screenshots
go to $PACKER_SHOTS_DIR (default /tmp/h14b-shots) for a person to look at."""

import os
from datetime import time as clock_time
from datetime import timedelta

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone
from playwright.sync_api import expect

from profiles.models import CourierDeadline
from sessions.alerts import raise_printer_failure
from sessions.claims import claim_list
from sessions.models import Order, PackingList
from sessions.scanning.codes import scan
from tests.builders import build_client, build_list, build_session, build_station, build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("PACKER_SHOTS_DIR", "/tmp/h14b-shots")
SIZES = [(800, 600), (1366, 768), (1920, 1080)]
LANGUAGES = ["en", "uk", "bg"]


def busy_floor():
    """Stations in every state, with long names, alerts, waiting lists and two clients'
    couriers: the most the floor shows at once."""
    now = timezone.now()
    clients = [build_client("DERMA", "Dermacosmetics Wholesale"), build_client("M", "Mystery")]
    for client, courier, hour in ((clients[0], "DHL Express", 16), (clients[0], "Econt", 17),
                                  (clients[1], "Speedy", 15)):
        CourierDeadline.objects.create(client=client, courier=courier,
                                       deadline=clock_time(hour, 0))
    packers = [build_worker(name, role="packer") for name in (
        "Олександра Володимирівна", "Bogdana Hristova-Petrova", "Pat Packer", "Ivan Ivanov")]
    for i, packer in enumerate(packers):
        station = build_station(f"PACKING-STATION-{i + 1:02d}")
        packing_list = build_list(
            {f"#10{i}{n}": [("SKU-A", 2), ("SKU-B", 1)] for n in range(6)},
            session=build_session(clients[i % 2]),
            name=f"DHL_Orders_with_a_long_list_name_{i}")
        Order.objects.filter(packing_list=packing_list).update(courier="DHL Express")
        held = claim_list(packing_list.pk, worker=packer, station=station)
        scan(packing_list.pk, token=held.claim_token, code=f"#10{i}0")
        for code in ("NOPE-1", "NOPE-2", "NOPE-3") if i == 1 else ():
            scan(packing_list.pk, token=held.claim_token, code=code)
        if i == 0:  # stale: Take over shows
            PackingList.objects.filter(pk=packing_list.pk).update(
                heartbeat_at=now - timedelta(minutes=5))
        if i == 2:  # an order open far too long
            Order.objects.filter(packing_list=packing_list, number="#1020").update(
                started_at=now - timedelta(minutes=42))
    build_station("IDLE-STATION-WITH-A-LONG-NAME")
    for n in range(3):
        build_list({f"W{n}-1": [("SKU-A", 1)]}, session=build_session(clients[n % 2]),
                   name=f"Waiting_list_number_{n}_with_a_long_name")
    raise_printer_failure(error="Connection refused by 10.0.0.5:9100 (ZD421)",
                          printer="10.0.0.5:9100")
    return build_worker("Sam Supervisor", role="supervisor")


def floor_page(browser, server, user, language, size):
    client = DjangoClient()
    client.force_login(user)
    context = browser.new_context(base_url=server.url, locale=language,
                                  viewport={"width": size[0], "height": size[1]})
    context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url},
        {"name": "django_language", "value": language, "url": server.url}])
    page = context.new_page()
    page.goto("/floor/")
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return context, page


# Every problem the layout can have, as text (empty: none).
PROBLEMS = """
() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    out.push(`page scrolls sideways: ${doc.scrollWidth} > ${window.innerWidth}`);
  const inside = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1;
  const boxes = ".station-card, .waiting-list, .alert, .cutoff, .kpi, .wall-courier";
  const parts = ".btn, .errors, .badge, .worker, .station, .pace, .left, .projected, .name, " +
    ".big, .verdict, .cap";
  document.querySelectorAll(boxes).forEach((box) => {
    const outer = box.getBoundingClientRect();
    box.querySelectorAll(parts).forEach((e) => {
      const r = e.getBoundingClientRect();
      if (!inside(r, outer))
        out.push(`${e.className} "${e.textContent}" sticks out of ${box.className}`);
      if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
        out.push(`${e.className} "${e.textContent}" is clipped or spills over`);
    });
    const kids = Array.from(box.children).filter((k) => k.getBoundingClientRect().height > 0)
      .map((k) => [k, k.getBoundingClientRect()]);
    const cross = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    kids.forEach(([k, r], i) => kids.slice(i + 1).forEach(([j, q]) => {
      if (cross(r, q)) out.push(`${j.className} overlaps ${k.className} in ${box.className}`);
    }));
  });
  return out;
}
"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_floor_fits_in_every_language_from_800x600_to_1920x1080(
        server, browser, language):
    supervisor = busy_floor()
    for size in SIZES:
        context, page = floor_page(browser, server, supervisor.user, language, size)
        stale = page.locator(".station-card[data-state='stale']")
        expect(stale.locator(".act-takeover")).to_be_visible()
        expect(page.locator(".alert[data-kind='wrong_scans']")).to_have_count(1)
        expect(page.locator(".alert[data-kind='order_open_long']")).to_have_count(1)
        expect(page.locator(".alert[data-kind='stale_claim']")).to_have_count(1)
        expect(page.locator(".alert[data-kind='printer_failure']")).to_have_count(1)
        for name in (".act-release", ".act-takeover", ".act-reassign", ".errors"):
            expect(page.locator(name).first).to_be_visible()
        page.screenshot(path=f"{SHOTS}/floor-{language}-{size[0]}x{size[1]}.png",
                        full_page=True)
        problems = page.evaluate(PROBLEMS)
        assert not problems, f"{language} {size}: " + "\n".join(problems)
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_wall_display_fits(server, browser, language):
    supervisor = busy_floor()
    for size in ((1366, 768), (1920, 1080)):
        context, page = wall_page(browser, server, supervisor.user, language, size)
        current = page.locator(".wall-client.current")
        expect(current).to_have_count(1)
        expect(current).to_have_attribute("data-client", "DERMA")
        page.clock.fast_forward("00:13")  # it rotates to the next client by itself
        expect(current).to_have_attribute("data-client", "M")
        page.screenshot(path=f"{SHOTS}/wall-{language}-{size[0]}x{size[1]}.png")
        problems = page.evaluate(PROBLEMS)
        assert not problems, f"{language} {size}: " + "\n".join(problems)
        context.close()


def wall_page(browser, server, user, language, size):
    client = DjangoClient()
    client.force_login(user)
    context = browser.new_context(base_url=server.url, locale=language,
                                  viewport={"width": size[0], "height": size[1]})
    context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url},
        {"name": "django_language", "value": language, "url": server.url}])
    page = context.new_page()
    page.clock.install()
    page.goto("/floor/wall/")
    return context, page
