"""Labels draw Cyrillic with a real font, not Pillow's Latin-only fallback (boxes).

The slim Docker image had no fonts at all, so "Нова Пошта" printed as a row of boxes;
deploy/Dockerfile now installs fonts-dejavu-core, the font render.py looks for first.
"""

from pathlib import Path

import pytest
from PIL import ImageFont

from sessions.labels import render
from sessions.labels.render import LabelConfig, LabelData, render_label

ROOT = Path(__file__).resolve().parent.parent
CYRILLIC = "НоваПоштаУкрпоштаБългарияЖЩЮЯЇЄҐ"
NOT_A_CHARACTER = "\uffff"  # drawn as the font's "missing glyph" box


def boxed_letters(font, text):
    """The letters of `text` that `font` draws as its missing-glyph box."""
    box = bytes(font.getmask(NOT_A_CHARACTER))
    return [ch for ch in text if bytes(font.getmask(ch)) == box]


def test_the_detector_sees_boxes_in_the_fallback_font():
    assert boxed_letters(ImageFont.load_default(24), CYRILLIC) == list(CYRILLIC)


@pytest.mark.parametrize("size", [12, 24, 40])
def test_the_label_font_draws_every_cyrillic_letter(size):
    render.font.cache_clear()
    font = render.font(size)
    assert isinstance(getattr(font, "path", None), str), "label font is Pillow's fallback"
    assert Path(font.path).parent.as_posix() in render.FONT_DIRS
    assert boxed_letters(font, CYRILLIC) == []


def test_a_cyrillic_label_differs_from_one_drawn_in_the_fallback(monkeypatch):
    data = LabelData(number="UA-1001", sequence=3, courier="Нова Пошта", date="01/12/26",
                     units=2, country="Україна", tags=("Крихке",))
    cfg = LabelConfig()
    render.font.cache_clear()
    real = render_label(data, cfg).tobytes()
    monkeypatch.setattr(render, "font", ImageFont.load_default)
    fallback = render_label(data, cfg).tobytes()
    assert real != fallback


def test_the_image_installs_the_font_render_uses():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "fonts-dejavu-core" in dockerfile
    # Debian's fonts-dejavu-core puts DejaVuSans-Bold.ttf here:
    assert render.FONT_DIRS[0] == "/usr/share/fonts/truetype/dejavu"
    assert render.FONT_FILES[0] == "DejaVuSans-Bold.ttf"
