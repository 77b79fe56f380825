"""Small screens (issue 15) in a real browser: the station's sound button mutes and unmutes
and the choice survives a reload on that terminal; the session browser's search placeholder
is never cut, at 800×600 and 1920×1080, in all three languages; a packer refused a page sees
the site's layout and gets back to the station with the keyboard."""

import os
import tempfile
from pathlib import Path

import pytest
from django.test import Client as DjangoClient
from playwright.sync_api import expect

from tests.browser.helpers import expect_outcome, open_station, packing_floor, scan
from tests.builders import build_client, build_list, build_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Screenshots to look at (PACKER_SHOTS_DIR, else a folder in the system's temporary directory).
SHOTS = Path(os.environ.get("PACKER_SHOTS_DIR") or Path(tempfile.gettempdir()) / "packer-shots")
SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def contexts(browser, server):
    """Browser contexts (one per terminal) signed in as a user, in a language, at a size;
    closed after the test."""
    made = []

    def make(user, lang="en", size=(1440, 900), station=None):
        made.append(context_for(browser, server, user, lang, size, station))
        return made[-1]

    yield make
    for context in made:
        context.close()


def context_for(browser, server, user, lang="en", size=(1440, 900), station=None):
    client = DjangoClient()
    client.force_login(user)
    context = browser.new_context(base_url=server.url, locale="en-US",
                                  viewport={"width": size[0], "height": size[1]})
    cookies = [{"name": "sessionid", "value": client.cookies["sessionid"].value,
                "url": server.url},
               {"name": "django_language", "value": lang, "url": server.url}]
    if station:
        cookies.append({"name": "packer_station", "value": station.name, "url": server.url})
    context.add_cookies(cookies)
    context.set_default_timeout(8000)
    return context


def test_the_sound_button_mutes_and_the_choice_is_kept_per_terminal(contexts):
    packing_list, station, worker = packing_floor({"S-1": [("SKU-A", 2)]})
    context = contexts(worker.user, station=station)
    page = open_station(context, packing_list)
    button = page.locator("#btn-sound")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_text("Sound on")
    scan(page, "S-1")  # a key press unlocks the audio, as on a terminal
    expect_outcome(page, "order_loaded")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_have_text("Sound off")
    assert page.evaluate("localStorage.getItem('packer:sound')") == "off"
    page.evaluate("delete document.body.dataset.played")
    scan(page, "SKU-A")
    expect_outcome(page, "item_ok")
    assert page.evaluate("document.body.dataset.sound") == "item_ok"
    assert page.evaluate("document.body.dataset.played") is None  # muted: nothing played
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect(page.locator("#btn-sound")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#btn-sound")).to_have_text("Sound off")
    page.screenshot(path=str(SHOTS / "station-sound-off.png"))
    page.locator("#btn-sound").click()
    expect(page.locator("#btn-sound")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("localStorage.getItem('packer:sound')") == "on"
    # Another terminal (another browser profile) keeps its own choice.
    other = open_station(contexts(worker.user, station=station), packing_list)
    expect(other.locator("#btn-sound")).to_have_attribute("aria-pressed", "true")


PLACEHOLDER_FITS = """() => {
  const input = document.querySelector("input[name=q]");
  const style = getComputedStyle(input);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = style.font;
  const text = ctx.measureText(input.placeholder).width;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const box = input.getBoundingClientRect();
  return {text, room, right: box.right, viewport: window.innerWidth};
}"""


@pytest.mark.parametrize("lang", ["en", "bg", "uk"])
@pytest.mark.parametrize("size", [(800, 600), (1920, 1080)])
def test_the_search_placeholder_is_never_cut(contexts, lang, size):
    build_list({"O-1": [("A", 1)]})
    user = build_worker(role="packer").user
    page = contexts(user, lang, size).new_page()
    page.goto("/sessions/")
    fit = page.evaluate(PLACEHOLDER_FITS)
    assert fit["text"] <= fit["room"], fit
    assert fit["right"] <= fit["viewport"], fit
    page.screenshot(path=str(SHOTS / f"browser-search-{lang}-{size[0]}.png"))


@pytest.mark.parametrize("lang", ["en", "bg", "uk"])
def test_a_refused_packer_gets_back_to_the_station(contexts, lang):
    user = build_worker(role="packer").user
    page = contexts(user, lang, (800, 600)).new_page()
    response = page.goto("/floor/")
    assert response.status == 403
    expect(page.locator(".topbar .mainnav")).to_be_visible()
    expect(page.locator("#role-allows")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"refused-{lang}.png"))
    page.locator("#back-to-station").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/station/**")


@pytest.mark.parametrize("lang", ["en", "bg", "uk"])
def test_the_import_page_preselects_the_only_client_and_offers_the_session_choice(contexts,
                                                                                   lang):
    build_client("M", "Client M")
    user = build_worker(role="supervisor").user
    page = contexts(user, lang, (800, 600)).new_page()
    page.goto("/imports/")
    assert page.locator("select[name=client]").input_value() == "M"
    expect(page.locator("input[name=session][value=open]")).to_be_checked()
    expect(page.locator("input[name=session][value=new]")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800, width  # nothing wider than the terminal
    page.screenshot(path=str(SHOTS / f"import-page-{lang}.png"), full_page=True)
