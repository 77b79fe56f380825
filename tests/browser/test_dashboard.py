"""The dashboard in a real browser at 1366×768, in English, Ukrainian and Bulgarian (issue 14):
charts with axes and written values, the hourly chart, "Accuracy" explained, the export links
downloading real files, a reversed date range answered with its reason, nothing wider than the
screen. Screenshots go to PACKER_SCREENSHOTS_DIR (else a temporary folder)."""

import io
import os
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.test import Client as DjangoClient
from django.utils import timezone
from playwright.sync_api import expect

from profiles.models import Station, Worker
from sessions.demo import load_demo
from sessions.models import PackingList
from tests.browser.test_screenshots import pack_orders, spread_over_time

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZE = {"width": 1366, "height": 768}
ACCURACY = {"en": "Accuracy", "uk": "Точність", "bg": "Точност"}
HOURLY = {"en": "Orders packed per hour of the day", "uk": "Упаковано замовлень за годинами доби",
          "bg": "Опаковани поръчки по часове на деня"}
REVERSED = {"en": "The range is reversed", "uk": "Діапазон переплутано",
            "bg": "Периодът е обърнат"}


def context_in(browser, server, user, language):
    client = DjangoClient()
    client.force_login(user)
    context = browser.new_context(base_url=server.url, viewport=SIZE, accept_downloads=True)
    context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url},
        {"name": "django_language", "value": language, "url": server.url}])
    context.set_default_timeout(8000)
    return context


def fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZE["width"], f"the page is {width} px wide"


@pytest.fixture
def packed_days():
    load_demo()
    speedy = PackingList.objects.get(name="Speedy_Orders")
    pack_orders(speedy, Worker.objects.get(user__username="packer2"),
                Station.objects.get(name="STATION-2"), 9)
    spread_over_time(speedy)
    return Worker.objects.get(user__username="supervisor")


@pytest.mark.parametrize("language", ["en", "uk", "bg"])
def test_the_dashboard_reads_without_hovering_and_exports(browser, server, packed_days,
                                                          language):
    out = Path(os.environ.get("PACKER_SCREENSHOTS_DIR") or "/tmp/h14a-shots")
    out.mkdir(parents=True, exist_ok=True)
    context = context_in(browser, server, packed_days.user, language)
    page = context.new_page()
    page.goto("/dashboard/")
    expect(page.locator("[data-figure='orders_packed']")).to_have_text("9")
    charts = page.locator("svg[data-chart]")
    expect(charts).to_have_count(4)
    for i in range(4):
        chart = charts.nth(i)
        expect(chart.locator("text.tick").first).to_be_visible()
        expect(chart.locator("text.axis-title").first).to_be_visible()
    # Values written on the bars of the per-day chart, not only in hover titles.
    values = charts.nth(0).locator("text.val")
    assert values.count() >= 1 and sum(int(v) for v in values.all_text_contents()) == 9
    expect(page.get_by_text(HOURLY[language])).to_be_visible()
    expect(page.locator("#accuracy-explained")).to_be_visible()
    expect(page.locator("#accuracy-explained strong")).to_have_text(ACCURACY[language])
    expect(page.locator("#by-hour")).to_be_visible()
    # The range's days are in the date inputs (ISO, whatever the language), and every bar is
    # drawn where it belongs (no "64,5" coordinates in Ukrainian or Bulgarian).
    expect(page.locator("#id_date_to")).to_have_value(timezone.localdate().isoformat())
    bars = charts.nth(0).locator("rect.barrect")
    heights = [float(h) for h in bars.evaluate_all("els => els.map(e => e.getBBox().height)")]
    assert sum(1 for h in heights if h > 0) == 6, heights
    assert all(b > 0 for b in bars.evaluate_all("els => els.map(e => e.getBBox().x)"))
    fits_the_screen(page)
    page.screenshot(path=str(out / f"dashboard-{language}.png"))
    page.screenshot(path=str(out / f"dashboard-{language}-full.png"), full_page=True)

    with page.expect_download() as download:
        page.locator("#dashboard-exports a").first.click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(workbook.sheetnames) == 4
    with page.expect_download() as download:
        page.locator("#dashboard-exports a").nth(1).click()
    assert download.value.suggested_filename.endswith("_dashboard_worker.csv")

    # A reversed range, typed in: the reason, in the user's language, and no empty tables.
    today = timezone.localdate()
    page.fill("#id_date_from", today.isoformat())
    page.fill("#id_date_to", (today - timedelta(days=3)).isoformat())
    page.locator("#id_date_to").press("Enter")
    expect(page.locator("#dashboard-error")).to_contain_text(REVERSED[language])
    expect(page.locator("#by-worker")).to_have_count(0)
    fits_the_screen(page)
    page.screenshot(path=str(out / f"dashboard-{language}-reversed.png"))
    context.close()
