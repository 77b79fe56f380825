"""The packing slip of one order: a page (A6 or A4, the client's `slip_paper`) that goes in the
parcel — the client's name, the order number as a Code-128, the lines (SKU, name, quantity, and
the box when the order went into several boxes), the notes and the boxes.

Drawn like the labels (sessions/labels/pages.py: 1-bit, the labels' TrueType font, so Cyrillic
prints as letters) and delivered as a PDF (download) or, for a ZPL printer, as one ^GFA graphic
per page (`slip_zpl`): a raw-TCP label printer prints images, not PDF.
"""

import binascii

from django.utils import timezone
from django.utils.translation import gettext as _

from sessions.labels.pages import Page, font
from sessions.labels.pdf import images_to_pdf
from sessions.reads.boxes import order_boxes

PDF_DPI = {"a6": 300, "a4": 200}


def slip_paper(order):
    return order.packing_list.session.client.settings_or_default().slip_paper


def slip_pages(order, *, paper=None, dpi=None):
    """The slip's page images (more than one when the lines do not fit)."""
    paper = paper or slip_paper(order)
    dpi = dpi or PDF_DPI[paper]
    client = order.packing_list.session.client
    boxes = order_boxes(order)
    several = len(boxes) > 1
    items = list(order.items.order_by("line_number"))
    rows = [(i.sku, i.product_name, i.required, "") for i in items]
    if several:
        rows = [(i.sku, i.product_name, units, str(number))
                for number, box in boxes.items() for i, units in box["lines"]]
    pages, page = [], _first_page(order, client, paper, dpi)
    size = page.dots(3.2)
    columns = _columns(page, several)
    _header_row(page, columns, size, several)
    for row in rows:
        if page.room() < 3 * size:
            pages.append(page)
            page = Page(paper, dpi)
            page.text(_("Order %(number)s (continued)") % {"number": order.number}, size)
            _header_row(page, columns, size, several)
        _row(page, columns, size, row, several)
    page.rule()
    _footer(page, order, boxes, size)
    pages.append(page)
    return [p.image for p in pages]


def _first_page(order, client, paper, dpi):
    page = Page(paper, dpi)
    page.text(client.name or client.code, page.dots(5))
    page.text(_("Packing slip"), page.dots(3.5))
    page.barcode(order.number.strip(), height=page.dots(12),
                 max_width=min(page.inner_width, page.dots(80)))
    page.text(order.number, page.dots(5))
    facts = [order.packing_list.name, order.courier, order.country,
             timezone.localdate().strftime("%d.%m.%Y")]
    page.text(" · ".join(f for f in facts if f), page.dots(2.8))
    page.rule()
    return page


def _columns(page, several):
    """x positions: SKU, name, quantity (and box)."""
    w = page.inner_width
    x0 = page.margin
    if several:
        return [x0, x0 + int(w * 0.28), x0 + int(w * 0.78), x0 + int(w * 0.9)]
    return [x0, x0 + int(w * 0.3), x0 + int(w * 0.86)]


def _header_row(page, columns, size, several):
    names = [_("SKU"), _("Product"), _("Qty")] + ([_("Box")] if several else [])
    _cells(page, columns, size, names)
    page.rule()


def _row(page, columns, size, row, several):
    sku, name, qty, box = row
    _cells(page, columns, size, [sku, name, str(qty)] + ([box] if several else []))


def _cells(page, columns, size, values):
    edges = [*columns[1:], page.width - page.margin]
    for x, right, value in zip(columns, edges, values):
        page.cell(value, size, x, right - x - page.dots(1.5))
    page.y += size + max(2, size // 3)


def _footer(page, order, boxes, size):
    units = sum(i.required for i in order.items.all())
    page.text(_("Units: %(units)d") % {"units": units}, size)
    parts = ["1"] if len(boxes) == 1 else []  # one box: just that, as before boxes existed
    for number, box in boxes.items() if len(boxes) > 1 else ():
        text = _("box %(n)d/%(total)d: %(units)d units") % {
            "n": number, "total": len(boxes), "units": box["units"]}
        if box["weight_kg"]:
            text += f" ({box['weight_kg']} kg)"
        parts.append(text)
    page.text(_("Boxes: %(boxes)s") % {"boxes": "; ".join(parts)}, size)
    notes = " · ".join(n for n in (order.notes, order.system_note) if n)
    if notes:
        page.text(_("Notes:"), size)
        for line in _wrap(page, notes, size):
            if page.room() < size:
                break
            page.text(line, size)


def _wrap(page, text, size):
    words, line, lines = text.split(), "", []
    for word in words:
        candidate = f"{line} {word}".strip()
        if page.draw.textlength(candidate, font=font(size)) > page.inner_width and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def packing_slip_pdf(order):
    """PDF bytes of the order's packing slip."""
    paper = slip_paper(order)
    return images_to_pdf(slip_pages(order, paper=paper), PDF_DPI[paper],
                         title=str(_("Packing slip %(number)s") % {"number": order.number}))


def image_zpl(image):
    """One ZPL label printing a 1-bit image as a ^GFA graphic (1 = black in ZPL)."""
    width, height = image.size
    row_bytes = (width + 7) // 8
    inverted = image.point(lambda v: 0 if v else 255).convert("1")
    data = inverted.tobytes()
    total = row_bytes * height
    hexdata = binascii.hexlify(data).decode().upper()
    return (f"^XA^PW{width}^LL{height}^LH0,0^FO0,0^GFA,{total},{total},{row_bytes},"
            f"{hexdata}^FS^XZ\n")


def slip_zpl(order, dpi):
    """ZPL for the order's packing slip at the printer's resolution."""
    return "".join(image_zpl(p) for p in slip_pages(order, dpi=dpi))
