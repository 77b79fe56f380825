"""Bar charts as plain geometry for inline SVG (no chart library, no JavaScript).

The dashboard template only draws what this computes, so charts work on the thinnest terminal
and in screenshots, and carry no logic in templates. The geometry is written unlocalised (the
template turns localisation off: "64,5" is no SVG coordinate); the texts are localised here.
A chart reads without hovering: a value axis with round ticks and grid lines, the axis titles,
the category labels, and each bar's value written above it (when the bars are wide enough for
a number; else the ticks give the scale).
"""

import math

from django.utils.formats import number_format

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 44  # room for the value axis' tick labels
PAD_RIGHT = 8
PAD_BOTTOM = 40  # category labels and the category axis' title
PAD_TOP = 30
MAX_VALUE_LABELS = 31  # more bars than this: their values are left to the axis
MAX_CATEGORY_LABELS = 12
MAX_BAR = 56  # a lone bar stays a bar, not a wall
CHAR_WIDTH = 6.5  # average width of an 11 px character, in chart units


def _short(label, chars):
    return label if len(label) <= chars else label[:chars - 1] + "…"


def nice_ticks(top, count=4, *, whole=False):
    """Round tick values from 0 to at least `top` (1, 2, 2.5 or 5 × a power of ten apart;
    whole numbers only when `whole`, e.g. for counts)."""
    if not top or top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1, math.ceil(step))
    ticks, value = [], 0.0
    while value < top + step * 1e-9:
        ticks.append(round(value, 6))
        value += step
    if ticks[-1] < top:
        ticks.append(round(value, 6))
    return ticks


def _fmt(value, digits):
    """A bar's value in the user's language (24,6 in uk/bg); nothing for unknown or zero (a
    row of zeros under empty bars only hides the bars that matter)."""
    if not value:
        return ""
    return number_format(value, decimal_pos=digits) if digits else str(round(value))


def _tick_text(value):
    return number_format(value) if value != int(value) else str(int(value))


def bar_chart(rows, value_key, label_key="label", *, width=WIDTH, height=HEIGHT, digits=0,
              x_title="", y_title=""):
    """{"width", "height", "bars": [...], "ticks": [...], "axis": {...}}.

    None values draw as empty bars (unknown is not zero); labels are shortened to fit.
    """
    values = [row.get(value_key) for row in rows]
    ticks = nice_ticks(max([v for v in values if v is not None] or [0]), whole=not digits)
    top = ticks[-1] or 1
    plot_h = height - PAD_BOTTOM - PAD_TOP
    plot_w = width - PAD_LEFT - PAD_RIGHT
    baseline = PAD_TOP + plot_h
    n = max(len(rows), 1)
    slot = plot_w / n
    bar_w = min(max(2.0, slot * 0.7), MAX_BAR)
    every = max(1, -(-n // MAX_CATEGORY_LABELS))
    chars = max(5, int(slot * every / CHAR_WIDTH))  # what fits under a bar (or its group)
    show_values = n <= MAX_VALUE_LABELS
    bars = []
    for i, (row, value) in enumerate(zip(rows, values)):
        h = 0 if value is None else plot_h * value / top
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        label = str(row.get(label_key, ""))
        top_y = baseline - h
        bars.append({
            "x": round(x, 1), "y": round(top_y, 1), "w": round(bar_w, 1),
            "h": round(h, 1), "cx": round(x + bar_w / 2, 1),
            "label": label[5:] if len(label) == 10 and label[4] == "-" else _short(label, chars),
            "full_label": label,
            "text": _fmt(value, digits),
            "ty": round(top_y - 4, 1),
            "show_text": show_values,
            "show_label": i % every == 0 or i == n - 1,
        })
    return {
        "width": width, "height": height, "bars": bars,
        "baseline": baseline, "label_y": baseline + 14,
        "small_values": n > 16,
        "ticks": [{"y": round(baseline - plot_h * t / top, 1), "text": _tick_text(t)}
                  for t in ticks],
        "axis": {"left": PAD_LEFT, "right": width - PAD_RIGHT, "tick_x": PAD_LEFT - 5,
                 "x_title": x_title, "x_title_x": PAD_LEFT + plot_w / 2,
                 "x_title_y": height - 4, "y_title": y_title, "y_title_y": PAD_TOP - 16},
    }
