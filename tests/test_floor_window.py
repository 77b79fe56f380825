"""The floor's station cards and summary go out at most once per PACKER_FLOOR_UPDATE_MS per
server process, for every change of that window together (issue 9: a scan never pays for reads
across lists); a list's own row still goes out at once."""

import time

import pytest
from django.db import transaction

from sessions.live import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    publish._pending.floor = None  # what an earlier test's rolled-back transaction left here
    publish._window.clear()
    built = []
    monkeypatch.setattr(publish, "floor_message",
                        lambda stations, summary: {"stations": stations, "summary": summary})
    monkeypatch.setattr(publish, "_send_floor", built.append)
    return built


def change(django_capture_on_commit_callbacks, stations, summary):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish.publish_floor(stations, summary=summary)


def wait_for(sent, count):
    deadline = time.monotonic() + 3
    while len(sent) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def test_changes_within_one_window_make_one_floor_update(
        settings, sent, django_capture_on_commit_callbacks):
    settings.PACKER_FLOOR_UPDATE_MS = 200
    change(django_capture_on_commit_callbacks, {1}, False)
    change(django_capture_on_commit_callbacks, {2}, False)
    change(django_capture_on_commit_callbacks, {3}, True)
    assert sent == []  # nothing is read or sent in the request that made the change
    wait_for(sent, 1)
    time.sleep(0.3)
    assert sent == [{"stations": {1, 2, 3}, "summary": True}]
    change(django_capture_on_commit_callbacks, {2}, False)  # the next window is a new update
    wait_for(sent, 2)
    assert sent[1] == {"stations": {2}, "summary": False}


def test_zero_sends_after_every_change(settings, sent, django_capture_on_commit_callbacks):
    settings.PACKER_FLOOR_UPDATE_MS = 0
    change(django_capture_on_commit_callbacks, {1}, False)
    change(django_capture_on_commit_callbacks, {2}, True)
    assert sent == [{"stations": {1}, "summary": False}, {"stations": {2}, "summary": True}]
