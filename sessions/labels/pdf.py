"""A minimal PDF writer for label sheets: one page per 1-bit image, page size = label size.

Pillow's PDF writer needs every page image in memory at once (it walks the list twice) and
encodes each page through a TIFF; labels of a 5,000-order list would then hold 5,000 images.
This writer takes an iterator, so each label is rendered, compressed (Flate, lossless: bars
stay exactly as drawn) and dropped before the next one. The output is plain PDF 1.4 that every
viewer and print driver reads.
"""

import io
import zlib
from datetime import UTC, datetime


def _pdf_text(value):
    """A PDF literal string with (, ) and \\ escaped; non-Latin-1 characters become '?'."""
    text = value.encode("latin-1", "replace").decode("latin-1")
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


class PdfSheet:
    """Collects objects and their byte offsets; `add_page(image)` per label, then `finish()`."""

    def __init__(self, dpi, title="Order labels"):
        self.dpi = dpi
        self.out = io.BytesIO()
        self.offsets = {}
        self.pages = []
        self.next_id = 4  # 1 catalog, 2 page tree, 3 info
        self.out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        stamp = datetime.now(UTC).strftime("D:%Y%m%d%H%M%SZ")
        self._object(3, f"<< /Title {_pdf_text(title)} /Producer (packer-server) "
                        f"/CreationDate ({stamp}) >>".encode("latin-1"))

    def _object(self, number, body, stream=None):
        self.offsets[number] = self.out.tell()
        self.out.write(f"{number} 0 obj\n".encode())
        self.out.write(body)
        if stream is not None:
            self.out.write(b"\nstream\n")
            self.out.write(stream)
            self.out.write(b"\nendstream")
        self.out.write(b"\nendobj\n")

    def _new_id(self):
        self.next_id += 1
        return self.next_id - 1

    def add_page(self, image):
        """Append one page showing `image` (mode "1") at the sheet's dpi."""
        width, height = image.size
        pts_w, pts_h = width * 72 / self.dpi, height * 72 / self.dpi
        data = zlib.compress(image.tobytes(), 6)
        image_id, content_id, page_id = self._new_id(), self._new_id(), self._new_id()
        self._object(image_id, (
            f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
            f"/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode "
            f"/Length {len(data)} >>").encode(), data)
        content = f"q {pts_w:.4f} 0 0 {pts_h:.4f} 0 0 cm /Im0 Do Q".encode()
        self._object(content_id, f"<< /Length {len(content)} >>".encode(), content)
        self._object(page_id, (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pts_w:.4f} {pts_h:.4f}] "
            f"/Resources << /XObject << /Im0 {image_id} 0 R >> /ProcSet [/PDF /ImageB] >> "
            f"/Contents {content_id} 0 R >>").encode())
        self.pages.append(page_id)

    def finish(self):
        """Page tree, catalog, cross-reference table and trailer; returns the PDF bytes."""
        kids = " ".join(f"{p} 0 R" for p in self.pages)
        self._object(2, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} >>".encode())
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        size = self.next_id
        xref = self.out.tell()
        self.out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
        for number in range(1, size):
            self.out.write(f"{self.offsets[number]:010d} 00000 n \n".encode())
        self.out.write(f"trailer\n<< /Size {size} /Root 1 0 R /Info 3 0 R >>\n"
                       f"startxref\n{xref}\n%%EOF\n".encode())
        return self.out.getvalue()


def images_to_pdf(images, dpi, title="Order labels"):
    """PDF bytes of an iterable of 1-bit images, one page each."""
    sheet = PdfSheet(dpi, title)
    for image in images:
        sheet.add_page(image)
    return sheet.finish()
