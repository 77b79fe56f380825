"""Bar charts as plain geometry for inline SVG (no chart library, no JavaScript).

The dashboard template only draws what this computes, so charts work on the thinnest terminal
and in screenshots, and carry no logic in templates.
"""

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 8
PAD_BOTTOM = 34
PAD_TOP = 22


def bar_chart(rows, value_key, label_key="label", *, width=WIDTH, height=HEIGHT, digits=0):
    """{"width", "height", "bars": [{x, y, w, h, label, value, text}], "baseline"}.

    None values draw as empty bars (unknown is not zero); labels are shortened to fit.
    """
    values = [row.get(value_key) for row in rows]
    top = max([v for v in values if v is not None] or [0]) or 1
    plot_h = height - PAD_BOTTOM - PAD_TOP
    n = max(len(rows), 1)
    slot = (width - PAD_LEFT * 2) / n
    bar_w = max(2.0, slot * 0.7)
    bars = []
    every = max(1, -(-n // 10))  # at most about ten axis labels
    for i, (row, value) in enumerate(zip(rows, values)):
        h = 0 if value is None else plot_h * value / top
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        label = str(row.get(label_key, ""))
        top_y = PAD_TOP + plot_h - h
        bars.append({
            "x": round(x, 1), "y": round(top_y, 1), "w": round(bar_w, 1),
            "h": round(h, 1), "cx": round(x + bar_w / 2, 1),
            "label": label[5:] if len(label) == 10 and label[4] == "-" else label[:18],
            "text": "" if value is None else (f"{value:.{digits}f}" if digits else
                                              f"{round(value):d}"),
            "ty": round(top_y - 5, 1),
            "show_text": n <= 16,
            "show_label": i % every == 0 or i == n - 1,
        })
    return {"width": width, "height": height, "bars": bars,
            "baseline": height - PAD_BOTTOM, "label_y": height - PAD_BOTTOM + 16}
