"""Order labels: PNG per order, a PDF of a whole list, ZPL for thermal printers.

Geometry and content follow the client's ClientSettings (default 68 × 38 mm at 203 dpi).
The Code-128 encodes the order number as given (trimmed), so a scan of it finds the order
through the usual normalisation. Bars are drawn by hand at a whole number of printer dots per
module: python-barcode's ImageWriter at 203 dpi rounds modules to 1–3 dots at random and the
result did not decode (../shared/stack-notes.md, pitfall 11). Images are 1-bit, like the
thermal printers that print them, which also keeps a 1,000-label PDF small (CCITT G4 pages).

Sequence numbers `#N` count the list's orders in the list's own order (`Order.sequence`, the
order of the imported file and of every screen): "#1" is the first order the list shows. Labels
of a list come out in that order. Empty fields are left out (no "TAG: N/A").

Cyrillic on a stock Zebra printer: the printer's built-in font 0 (`^A0`) has no Cyrillic, so a
text field with any character outside printable ASCII (an order number, a courier, a tag) is
drawn with the same TrueType font as the PNG and sent as a graphic field (`^GF`, ASCII hex with
ZPL run-length compression, which every ZPL II printer reads) by zebrafy; ASCII fields stay
`^A0` text (sharp and small).
"""

import io
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import barcode
import qrcode
from django.db.models import Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont
from zebrafy import ZebrafyImage

from sessions.errors import LabelError
from sessions.labels.pdf import images_to_pdf

logger = logging.getLogger(__name__)
# DejaVu (Debian's fonts-dejavu-core, installed by deploy/Dockerfile) and Liberation both cover
# Cyrillic. Pillow's built-in fallback is Latin-only: Cyrillic would print as boxes.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
FONT_FILES = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")
QUIET_MODULES = 10  # Code 128 needs ten modules of white on each side
MAX_MODULE_DOTS = 4


@dataclass(frozen=True)
class LabelConfig:
    width_mm: Decimal = Decimal(68)
    height_mm: Decimal = Decimal(38)
    dpi: int = 203
    show_qr: bool = False
    show_courier: bool = True
    show_date: bool = True
    show_units: bool = True
    show_country: bool = True
    show_tags: bool = True
    show_sequence: bool = True

    @classmethod
    def for_client(cls, client):
        s = client.settings_or_default()
        return cls(
            width_mm=Decimal(s.label_width_mm), height_mm=Decimal(s.label_height_mm),
            dpi=s.label_dpi, show_qr=s.label_show_qr, show_courier=s.label_show_courier,
            show_date=s.label_show_date, show_units=s.label_show_units,
            show_country=s.label_show_country, show_tags=s.label_show_tags,
            show_sequence=s.label_show_sequence,
        )

    @property
    def dots_per_mm(self):
        """Printers are built in whole dots per mm: 203 dpi = 8, 300 dpi = 12."""
        return max(1, round(self.dpi / 25.4))

    @property
    def size(self):
        """Label size in printer dots (68 × 38 mm at 203 dpi → 544 × 304)."""
        return self.mm(self.width_mm), self.mm(self.height_mm)

    def mm(self, value):
        return max(1, int((Decimal(str(value)) * self.dots_per_mm).to_integral_value()))


@dataclass(frozen=True)
class LabelData:
    """What one label shows; built from an Order by `label_data`."""

    number: str
    sequence: int = 0
    courier: str = ""
    date: str = ""
    units: int = 0
    country: str = ""
    tags: tuple = ()
    lines: tuple = ()  # a list's cover: its own text lines instead of the order's figures

    @property
    def payload(self):
        return self.number.strip()


def natural_key(text):
    """'#9' sorts before '#10': digit runs compare as numbers."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p.casefold())
            for p in re.split(r"(\d+)", text) if p]


def list_label_data(packing_list, *, date=None):
    """LabelData of every order of a list, in the list's order (its `sequence`)."""
    day = (date or timezone.localdate()).strftime("%d/%m/%y")
    orders = packing_list.orders.annotate(units=Sum("items__required")).order_by("sequence", "id")
    return [
        LabelData(number=o.number, sequence=i, courier=o.courier, date=day,
                  units=o.units or 0, country=o.country,
                  tags=tuple(t for t in (o.internal_tags or o.tags or ()) if str(t).strip()))
        for i, o in enumerate(orders, start=1)
    ]


def order_label_data(order, *, date=None):
    """LabelData of one order (its sequence counted within its list)."""
    for data in list_label_data(order.packing_list, date=date):
        if data.number == order.number:
            return data
    raise LabelError(_("Order %(number)s is not in its list.") % {"number": order.number})


# --- drawing -------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def font(size):
    for folder in FONT_DIRS:
        for name in FONT_FILES:
            path = Path(folder) / name
            if path.is_file():
                return ImageFont.truetype(str(path), size)
    logger.warning("no label font in %s: Cyrillic prints as boxes (install fonts-dejavu-core)",
                   ", ".join(FONT_DIRS))
    return ImageFont.load_default(size)


def code128_modules(payload):
    """The bar/space modules ('1'/'0') of a Code-128 symbol, or a LabelError."""
    try:
        return barcode.get("code128", payload).build()[0]
    except Exception as exc:
        raise LabelError(_("Order number '%(number)s' cannot be printed as Code 128: %(error)s")
                         % {"number": payload, "error": exc}) from exc


def barcode_svg(payload, *, module=2, height=56):
    """An inline SVG of a Code-128 symbol (with its quiet zones), for a page to show or print."""
    modules = code128_modules(payload)
    quiet = QUIET_MODULES * module
    width = len(modules) * module + 2 * quiet
    bars = "".join(
        f'<rect x="{quiet + m.start() * module}" y="0" width="{(m.end() - m.start()) * module}" '
        f'height="{height}"/>' for m in re.finditer("1+", modules))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f'<title>{escape(payload)}</title><rect width="{width}" height="{height}" '
            f'fill="#fff"/><g fill="#000">{bars}</g></svg>')


def draw_modules(draw, modules, x, y, module_dots, height):
    """Draw each run of bars as one rectangle, every module exactly `module_dots` wide."""
    for match in re.finditer("1+", modules):
        left = x + match.start() * module_dots
        right = x + match.end() * module_dots - 1
        draw.rectangle([left, y, right, y + height - 1], fill=0)


def draw_qr(draw, payload, x, y, size):
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    box = max(1, size // (len(matrix) + 2))
    x += box
    y += box
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle([x + c * box, y + r * box, x + (c + 1) * box - 1,
                                y + (r + 1) * box - 1], fill=0)


def fitted_text(draw, text, max_width, size, min_size=10):
    """(text, font) fitting `max_width`: shrink the font, then cut the text with an ellipsis."""
    while size > min_size and draw.textlength(text, font=font(size)) > max_width:
        size = max(min_size, int(size * 0.9))
    f = font(size)
    if draw.textlength(text, font=f) <= max_width:
        return text, f
    while text and draw.textlength(text + "…", font=f) > max_width:
        text = text[:-1]
    return text + "…", f


def info_lines(data, cfg):
    """The small text lines under the order number, per the client's choices."""
    if data.lines:
        return list(data.lines)
    first = []
    if cfg.show_sequence and data.sequence:
        first.append(f"#{data.sequence}")
    if cfg.show_courier and data.courier:
        first.append(data.courier)
    if cfg.show_date and data.date:
        first.append(data.date)
    second = []
    if cfg.show_units and data.units:
        second.append(_("SUM: %(n)d") % {"n": data.units})
    if cfg.show_country and data.country.strip():
        second.append(_("COU: %(c)s") % {"c": data.country.strip()})
    if cfg.show_tags and data.tags:
        second.append(_("TAG: %(t)s") % {"t": "|".join(data.tags)})
    return [line for line in ("  ".join(first), "  ".join(second)) if line]


@dataclass
class Layout:
    """Positions in dots, shared by the image and the ZPL so both look alike."""

    width: int
    height: int
    margin: int
    bar_x: int
    bar_y: int
    bar_height: int
    module_dots: int
    modules: str
    number_y: int
    number_size: int
    info_y: int
    info_size: int
    text_width: int
    qr_x: int = 0
    qr_size: int = 0


def layout(data, cfg):
    width, height = cfg.size
    margin = cfg.mm(1.5)
    bar_height = int(height * 0.42)
    try:
        modules = code128_modules(data.payload)
    except LabelError:
        if not data.payload:
            raise
        modules = ""  # e.g. a Cyrillic order number: Code 128 cannot carry it, a QR can
    module_dots = min(MAX_MODULE_DOTS, (width - 2 * margin) // (len(modules) + 2 * QUIET_MODULES))
    if modules and module_dots < 1:
        raise LabelError(_("Order number '%(number)s' is too long for a %(w)s mm wide label.")
                         % {"number": data.payload, "w": cfg.width_mm})
    number_size = max(12, int(height * 0.14))
    info_size = max(10, int(height * 0.10))
    number_y = margin + bar_height + cfg.mm(0.8)
    info_y = number_y + number_size + cfg.mm(0.8)
    box = Layout(
        width=width, height=height, margin=margin,
        bar_x=(width - len(modules) * module_dots) // 2, bar_y=margin, bar_height=bar_height,
        module_dots=module_dots, modules=modules, number_y=number_y, number_size=number_size,
        info_y=info_y, info_size=info_size, text_width=width - 2 * margin,
    )
    if cfg.show_qr:
        box.qr_size = height - info_y - margin
        box.qr_x = width - margin - box.qr_size
        box.text_width = box.qr_x - 2 * margin
    return box


def render_label(data, cfg):
    """The label as a 1-bit Pillow image of exactly the label's size in dots."""
    box = layout(data, cfg)
    image = Image.new("1", (box.width, box.height), 1)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    if box.modules:
        draw_modules(draw, box.modules, box.bar_x, box.bar_y, box.module_dots, box.bar_height)
    else:
        draw_qr(draw, data.payload, (box.width - box.bar_height) // 2, box.bar_y, box.bar_height)
    text, f = fitted_text(draw, data.number, box.width - 2 * box.margin, box.number_size)
    draw.text((box.width // 2, box.number_y), text, font=f, fill=0, anchor="mt")
    y = box.info_y
    for line in info_lines(data, cfg):
        text, f = fitted_text(draw, line, box.text_width, box.info_size)
        draw.text((box.margin, y), text, font=f, fill=0)
        y += box.info_size + 2
    if cfg.show_qr:
        draw_qr(draw, data.payload, box.qr_x, box.info_y, box.qr_size)
    return image


# --- outputs -------------------------------------------------------------------------------

def png_bytes(image, cfg):
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(cfg.dpi, cfg.dpi), optimize=False)
    return buffer.getvalue()


def order_label_png(order, *, date=None):
    """PNG bytes of one order's label."""
    cfg = LabelConfig.for_client(order.packing_list.session.client)
    return png_bytes(render_label(order_label_data(order, date=date), cfg), cfg)


def pdf_bytes(images, cfg):
    """One page per label at label size (the page's resolution is the printer's dpi).

    `images` may be a generator: pages are compressed one at a time (sessions/labels/pdf.py).
    """
    return images_to_pdf(images, cfg.dpi)


def list_cover_data(packing_list, orders):
    """The first page of a list's labels: the list barcode (`LIST-<id>`), its name and size.

    Scanned at a station's pick page it claims the list and opens the station.
    """
    return LabelData(number=packing_list.barcode, lines=(
        packing_list.name,
        _("%(session)s · %(orders)d orders") % {
            "session": packing_list.session.external_id, "orders": orders},
    ))


def list_labels_pdf(packing_list, *, date=None):
    """PDF bytes: the list's cover (its barcode), then every order's label, in the list's
    order."""
    cfg = LabelConfig.for_client(packing_list.session.client)
    data = list_label_data(packing_list, date=date)
    if not data:
        raise LabelError(_("The list has no orders to label."))
    pages = [list_cover_data(packing_list, len(data)), *data]
    return pdf_bytes((render_label(d, cfg) for d in pages), cfg)


def list_label_images(packing_list, *, date=None):
    """(LabelData, PNG bytes) per order, for writing one file per order."""
    cfg = LabelConfig.for_client(packing_list.session.client)
    return [(d, png_bytes(render_label(d, cfg), cfg))
            for d in list_label_data(packing_list, date=date)]


def zpl_text(value):
    """Field data for ^FH: '_', '^' and '~' written as hex escapes so they print literally."""
    return "".join({"_": "_5F", "^": "_5E", "~": "_7E"}.get(ch, ch) for ch in value)


def font0_can_print(text):
    """Font 0 of a stock Zebra prints printable ASCII; anything else goes as a graphic."""
    return all(" " <= ch <= "~" for ch in text)


def text_field_zpl(text, x, y, width, size, align):
    """One line of text at (x, y) in a box `width` dots wide: `^A0` text when font 0 can print
    it, else the line drawn like the PNG's (`fitted_text`) and sent as a `^GF` graphic."""
    if font0_can_print(text):
        return (f"^FO{x},{y}^A0N,{size},{size}^FB{width},1,0,{align}"
                f"^FH^FD{zpl_text(text)}^FS")
    probe = ImageDraw.Draw(Image.new("1", (1, 1), 1))
    fitted, f = fitted_text(probe, text, width, size)
    image = Image.new("1", (width, size + size // 4 + 2), 1)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"
    if align == "C":
        draw.text((width // 2, 0), fitted, font=f, fill=0, anchor="mt")
    elif align == "R":
        draw.text((width, 0), fitted, font=f, fill=0, anchor="rt")
    else:
        draw.text((0, 0), fitted, font=f, fill=0)
    return ZebrafyImage(image, format="ASCII_COMPRESSED", dither=False, complete_zpl=False,
                        pos_x=x, pos_y=y).to_zpl()


def label_zpl(data, cfg):
    """One ^XA … ^XZ label with the same layout as the image."""
    box = layout(data, cfg)
    bar_data = zpl_text(data.payload).replace(">", "><")
    lines = [
        "^XA", "^CI28", f"^PW{box.width}", f"^LL{box.height}", "^LH0,0",
        (f"^FO{box.bar_x},{box.bar_y}^BY{box.module_dots},3,{box.bar_height}"
         f"^BCN,{box.bar_height},N,N,N^FH^FD{bar_data}^FS") if box.modules else
        (f"^FO{(box.width - box.bar_height) // 2},{box.bar_y}"
         f"^BQN,2,{max(1, box.bar_height // 30)}^FH^FDQA,{zpl_text(data.payload)}^FS"),
        text_field_zpl(data.number, box.margin, box.number_y, box.width - 2 * box.margin,
                       box.number_size, "C"),
    ]
    y = box.info_y
    for line in info_lines(data, cfg):
        lines.append(text_field_zpl(line, box.margin, y, box.text_width, box.info_size, "L"))
        y += box.info_size + 2
    if cfg.show_qr:
        magnification = max(1, min(10, box.qr_size // 30))
        lines.append(f"^FO{box.qr_x},{box.info_y}^BQN,2,{magnification}"
                     f"^FH^FDQA,{zpl_text(data.payload)}^FS")
    lines.append("^XZ")
    return "\n".join(lines) + "\n"


def list_labels_zpl(packing_list, *, date=None):
    """ZPL text of every order's label of the list, in the list's order."""
    cfg = LabelConfig.for_client(packing_list.session.client)
    labels = [label_zpl(d, cfg) for d in list_label_data(packing_list, date=date)]
    if not labels:
        raise LabelError(_("The list has no orders to label."))
    return "".join(labels)
