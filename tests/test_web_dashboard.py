"""Dashboard: a packer sees only their own figures; a supervisor sees everyone's."""

import pytest

from sessions.scanning.codes import scan
from stats.charts import bar_chart
from tests.builders import build_list, build_station, build_worker, claimed

pytestmark = pytest.mark.django_db


def pack(worker, orders):
    packing_list = build_list({n: [("SKU-1", 1)] for n in orders})
    claim = claimed(packing_list, worker=worker, station=build_station())
    for number in orders:
        scan(packing_list.pk, token=claim.token, code=number)
        scan(packing_list.pk, token=claim.token, code="SKU-1")


@pytest.fixture
def two_packers():
    ann, bob = build_worker("Ann", role="packer"), build_worker("Bob", role="packer")
    pack(ann, ["A1", "A2"])
    pack(bob, ["B1", "B2", "B3"])
    return ann, bob


def figure(html, name):
    start = html.index(f'data-figure="{name}">') + len(f'data-figure="{name}">')
    return html[start:html.index("<", start)].strip()


def test_packer_sees_only_their_own_figures(client, two_packers):
    ann, bob = two_packers
    client.force_login(ann.user)
    html = client.get("/dashboard/", {"worker": bob.pk}).content.decode()
    assert figure(html, "orders_packed") == "2"
    assert 'name="worker"' not in html
    assert "Bob" not in html


def test_supervisor_sees_everyone_and_may_filter_by_worker(client, two_packers):
    ann, bob = two_packers
    client.force_login(build_worker("Sue", role="supervisor").user)
    html = client.get("/dashboard/").content.decode()
    assert figure(html, "orders_packed") == "5"
    assert "Ann" in html and "Bob" in html
    html = client.get("/dashboard/", {"worker": bob.pk}).content.decode()
    assert figure(html, "orders_packed") == "3"


def test_bar_chart_scales_to_the_largest_value_and_keeps_unknowns_empty():
    chart = bar_chart([{"label": "a", "v": 2}, {"label": "b", "v": 4}, {"label": "c", "v": None}],
                      "v")
    a, b, c = chart["bars"]
    assert b["h"] == 2 * a["h"] > 0
    assert c["h"] == 0 and c["text"] == ""
    assert b["y"] + b["h"] == chart["baseline"]
