"""No English words left on the uk/bg station, floor, pick and session pages (issue 11).

Each page is rendered in Ukrainian and Bulgarian over data that shows every kind of figure:
durations, order types, plurals, import error texts. The text a user sees is the page's text
outside scripts plus the texts the page's script will show (the `strings` of its config and
the labels of its payloads). None of the known English words may be in it.
"""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles.models import Client
from sessions.imports.jsonlists import import_packing_list_json
from sessions.models import Order
from sessions.scanning.codes import scan
from tests.builders import build_station, build_user, build_worker, claimed

pytestmark = pytest.mark.django_db

# Words (and figure shapes) that leaked before: durations, order types, plurals, error texts.
ENGLISH = [r"\d+\s?h\b", r"\d+\s?m\b", r"\d+\s?s\b", r"\bmulti\b", r"\bsingle\b",
           r"\bscans?\b", r"\borders?\b", r"\bunits?\b", r"\bcannot\b", r"\bdetect\b",
           r"\bformat\b", r"\bago\b", r"\bleft\b", r"\blate\b", r"\bmin\b", r"\bsec\b",
           r"\bof\b", r"\bskipped\b", r"\bcompleted\b", r"\bpending\b", r"\bnew\b",
           r"\bin_progress\b", r"\bfree\b", r"\bstale\b", r"\bsince\b", r"\bdone\b",
           r"\bwaiting\b", r"\breview\b", r"\bitems?\b"]


class VisibleText(HTMLParser):
    """Text outside <script>/<style>, plus title/placeholder/aria-label attributes; and the
    JSON of the page's script configs."""

    def __init__(self):
        super().__init__()
        self.parts, self.configs, self._in, self._script_id = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._in, self._script_id = tag, attrs.get("id")
        for name in ("title", "placeholder", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script" and self._script_id:
            self.configs.append(json.loads(data))
        elif self._in is None:
            self.parts.append(data)


def shown_strings(config):
    """The texts a page's script shows: every string under a `strings` key, and labels."""
    found = []

    def walk(value, shown):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key != "tone":  # a colour and a sound, not a text
                    walk(inner, shown or key in ("strings", "outcomes") or key.endswith("label"))
        elif isinstance(value, list):
            for inner in value:
                walk(inner, shown)
        elif isinstance(value, str) and shown:
            found.append(value)

    walk(config, False)
    return found


def english_words(html):
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts + [s for c in parser.configs for s in shown_strings(c)])
    text = re.sub(r"%\(\w+\)s", "", text)  # placeholders of script texts are not words
    return sorted({m.group(0) for p in ENGLISH for m in re.finditer(p, text, re.I)})


@pytest.fixture
def floor_data(db):
    client = Client.objects.create(code="M", name="Клієнт М")
    orders = [{"order_number": f"#{n}", "courier": "DHL", "order_type": kind,
               "destination_country": "BG", "items": items}
              for n, kind, items in [
                  (1, "single", [{"sku": "A", "quantity": 1}]),
                  (2, "multi", [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 2}]),
                  (3, "multi", [{"sku": "B", "quantity": 1}, {"sku": "A", "quantity": 1}])]]
    packing_list = import_packing_list_json(client, {"orders": orders},
                                            name="Списък_1").session.lists.get()
    worker = build_worker("Оля", role="packer")
    station = build_station("PC-1")
    claim = claimed(packing_list, worker=worker, station=station)
    for code in ("#1", "A", "#2", "A", "ZZZ", "B", "B", "#3"):
        scan(packing_list.pk, token=claim.token, code=code)
    # The first order took 2 h 58 min: a long duration must read in the page's language.
    first = Order.objects.get(packing_list=packing_list, number="#1")
    Order.objects.filter(pk=first.pk).update(
        started_at=first.completed_at - timedelta(hours=2, minutes=58))
    return {"list": packing_list, "worker": worker, "station": station, "client": client}


def pages(floor_data):
    pl = floor_data["list"]
    first = Order.objects.get(packing_list=pl, number="#1")
    return {
        "station": (floor_data["worker"].user, f"/station/lists/{pl.pk}/"),
        "pick": (floor_data["worker"].user, f"/station/?client={floor_data['client'].code}"),
        "floor": (None, "/floor/"),
        "sessions": (None, "/sessions/"),
        "list": (None, f"/sessions/lists/{pl.pk}/"),
        "timeline": (None, f"/sessions/orders/{first.pk}/timeline/"),
    }


@pytest.mark.parametrize("lang", ["uk", "bg"])
@pytest.mark.parametrize("screen", ["station", "pick", "floor", "sessions", "list", "timeline"])
def test_page_has_no_english_words(client, floor_data, lang, screen):
    user, url = pages(floor_data)[screen]
    client.force_login(user or build_user(role="supervisor"))
    client.cookies["packer_station"] = floor_data["station"].name
    client.cookies["django_language"] = lang
    response = client.get(url)
    assert response.status_code == 200
    assert english_words(response.content.decode()) == []


def test_the_word_list_catches_what_it_should(client, floor_data):
    """The check itself: the English page is full of those words."""
    user, url = pages(floor_data)["list"]
    client.force_login(build_user(role="supervisor"))
    client.cookies["django_language"] = "en"
    words = english_words(client.get(url).content.decode())
    assert {"orders", "units"} <= {w.lower() for w in words}


def test_import_error_texts_are_translated(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Client.objects.create(code="M", name="M")
    client.force_login(build_user(role="supervisor"))
    client.cookies["django_language"] = "uk"
    for name, data in (("x.xlsx", b"not a workbook"), ("x.pdf", b"%PDF-1.4"),
                       ("x.csv", b"")):
        response = client.post("/imports/", {"client": "M",
                                             "file": SimpleUploadedFile(name, data)})
        assert english_words(response.content.decode()) == [], name
