"""Printed pages (A4 / A6) drawn like the labels: 1-bit images at a fixed resolution, text in the
labels' TrueType font (DejaVu / Liberation: Cyrillic prints as letters), Code-128 drawn at a whole
number of dots per module, one PDF page per image (sessions/labels/pdf.py).

Used by the command sheet (sheets.py) and the packing slip (slips.py). The label drawing itself
(render.py) is reused, not changed: `font`, `fitted_text`, `code128_modules`, `draw_modules`.
"""

from dataclasses import dataclass

from PIL import Image, ImageDraw

from sessions.labels.render import code128_modules, draw_modules, fitted_text, font

MM_PER_INCH = 25.4
PAPER_MM = {"a4": (210, 297), "a6": (105, 148)}
QUIET = 10  # modules of white each side of a Code-128


@dataclass
class Page:
    """A blank page of `paper` at `dpi`, with a drawing cursor `y` and helpers."""

    paper: str = "a4"
    dpi: int = 200

    def __post_init__(self):
        w_mm, h_mm = PAPER_MM[self.paper]
        self.width, self.height = self.dots(w_mm), self.dots(h_mm)
        self.margin = self.dots(8 if self.paper == "a6" else 15)
        self.image = Image.new("1", (self.width, self.height), 1)
        self.draw = ImageDraw.Draw(self.image)
        self.draw.fontmode = "1"
        self.y = self.margin

    def dots(self, mm):
        return round(mm * self.dpi / MM_PER_INCH)

    @property
    def inner_width(self):
        return self.width - 2 * self.margin

    def room(self):
        return self.height - self.margin - self.y

    def text(self, value, size, *, x=None, width=None, anchor="la"):
        """One line of text (shrunk, then cut, to fit); the cursor moves below it."""
        x = self.margin if x is None else x
        width = width or self.inner_width
        text, f = fitted_text(self.draw, str(value), width, size)
        self.draw.text((x, self.y), text, font=f, fill=0, anchor=anchor)
        self.y += size + max(2, size // 4)

    def cell(self, value, size, x, width):
        """Text at `x` on the current line, without moving the cursor."""
        text, f = fitted_text(self.draw, str(value), width, size)
        self.draw.text((x, self.y), text, font=f, fill=0)

    def rule(self):
        self.draw.line([self.margin, self.y, self.width - self.margin, self.y], fill=0,
                       width=max(1, self.dpi // 100))
        self.y += max(4, self.dpi // 25)

    def barcode(self, payload, *, x=None, height=None, max_width=None):
        """A Code-128 of `payload` in the area from `x` (default: the margin) `max_width` wide,
        quiet zones included (module width: as wide as fits, at most 4 dots)."""
        modules = code128_modules(payload)
        x = self.margin if x is None else x
        max_width = max_width or self.inner_width
        module_dots = max(1, min(4, max_width // (len(modules) + 2 * QUIET)))
        height = height or self.dots(12)
        draw_modules(self.draw, modules, x + QUIET * module_dots, self.y, module_dots, height)
        self.y += height + max(4, self.dpi // 40)


__all__ = ["Page", "font"]
