"""The limits every import meets, checked before anything is parsed or saved.

- Zip archives (an .xlsx is one, and so is a zipped session) are judged by their directory
  before a byte is inflated: too many members, more than PACKER_IMPORT_MAX_UNPACKED_BYTES
  unpacked, or a member over 1 MB compressed more than PACKER_IMPORT_MAX_RATIO times (a
  decompression bomb: 0.9 MB of xlsx that unpacked to a gigabyte took a worker to 1.1 GB, and
  the spreadsheet reader aborted the process when memory ran out).
- An xlsx is then inflated once here, in 64 KB pieces that are counted and thrown away: a
  member whose stream unpacks to more than its header declares is refused (the spreadsheet
  reader believes the stream, not the header), and the first sheet's rows are counted, so a
  sheet with more rows than an import may have lines is refused before it is read.
- Orders and lines per import (PACKER_IMPORT_MAX_ORDERS, PACKER_IMPORT_MAX_LINES) are counted
  by `ImportCaps` as each list is validated; over a cap the whole import is refused.

Every refusal is an ImportRejected (400) with a message that names the limit: nothing is saved.
"""

import io
import posixpath
import re
import zipfile
import zlib
from xml.etree.ElementTree import ParseError, fromstring

from django.conf import settings
from django.utils.translation import gettext as _

from sessions.errors import ImportRejected

ZIP_MAGIC = b"PK\x03\x04"  # what an .xlsx (and any zip) starts with
MAX_MEMBERS = 10_000
RATIO_FLOOR = 1_000_000  # members smaller than this unpacked may compress as well as they like
CHUNK = 1 << 16
MB = 1 << 20
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# A row element, with or without a namespace prefix (<row …>, <x:row>); not <rowBreaks>.
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?row[\s>/]")
ROW_TAG_TAIL = 32  # bytes kept between chunks so a tag split across two is still seen


def refuse(message, **extra):
    raise ImportRejected([{"row": None, "column": None, "message": str(message), **extra}],
                         message=str(message))


def max_unpacked():
    return settings.PACKER_IMPORT_MAX_UNPACKED_BYTES


def open_zip(data, name, *, damaged=None):
    """A ZipFile over `data` whose directory passed `check_directory` (else ImportRejected;
    `damaged` is the message when `data` is no zip at all)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        refuse(damaged or _("'%(name)s' is not a valid zip archive.") % {"name": name})
    check_directory(archive.infolist(), name)
    return archive


def check_directory(members, name):
    """Member count, total unpacked size and compression ratio, from the declared sizes."""
    if len(members) > MAX_MEMBERS:
        refuse(_("The archive has too many files (%(n)d).") % {"n": len(members)},
               limit="members", max=MAX_MEMBERS, found=len(members))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > settings.PACKER_IMPORT_MAX_RATIO:
            refuse(_("%(member)s in '%(name)s' is compressed %(ratio)d times (at most %(max)d "
                     "is accepted): refused as a likely zip bomb.")
                   % {"member": member.filename, "name": name, "ratio": ratio,
                      "max": settings.PACKER_IMPORT_MAX_RATIO},
                   limit="compression_ratio", max=settings.PACKER_IMPORT_MAX_RATIO,
                   found=int(ratio))
    total = sum(m.file_size for m in members)
    if total > max_unpacked():
        refuse(_("'%(name)s' unpacks to more than %(mb)d MB (%(size)d MB); refused before "
                 "unpacking.") % {"name": name, "mb": max_unpacked() // MB,
                                  "size": total // MB},
               limit="unpacked_bytes", max=max_unpacked(), found=total)


def check_xlsx(data, name):
    """Refuse an .xlsx that is a bomb, lies about its sizes or has too many rows."""
    damaged = _("'%(name)s' could not be read as XLSX: the file is damaged.") % {"name": name}
    with open_zip(data, name, damaged=damaged) as archive:
        sheet = first_sheet(archive)
        for member in archive.infolist():
            counted = (member.filename == sheet if sheet
                       else member.filename.startswith("xl/worksheets/"))
            rows = inflate(data, member, name, count_rows=counted)
            if counted and rows - 1 > settings.PACKER_IMPORT_MAX_LINES:
                refuse(_("The sheet has %(rows)d rows; an import may have at most %(max)d "
                         "lines. Split the list into smaller files.")
                       % {"rows": rows, "max": settings.PACKER_IMPORT_MAX_LINES},
                       limit="lines", max=settings.PACKER_IMPORT_MAX_LINES, found=rows - 1)


def first_sheet(archive):
    """The member name of the workbook's first sheet (the one imports read), or None."""
    names = {m.filename: m for m in archive.infolist()}
    parts = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    if any(part not in names or names[part].file_size > RATIO_FLOOR for part in parts):
        return None  # not an ordinary workbook: every sheet's rows are counted instead
    try:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ParseError, zipfile.BadZipFile, zlib.error):
        return None  # not an ordinary workbook: the reader will say what is wrong with it
    sheet = workbook.find(f"{MAIN_NS}sheets/{MAIN_NS}sheet")
    rid = sheet.get(f"{REL_NS}id") if sheet is not None else None
    for rel in rels:
        if rel.get("Id") == rid and rel.get("Target"):
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
    return None


def inflate(data, member, name, *, count_rows=False):
    """Inflate one member in small pieces, counting bytes (and rows); nothing is kept.

    Returns the number of rows seen (0 unless `count_rows`). Refuses a member that unpacks to
    more than it declares, and compression methods Excel never writes.
    """
    if member.flag_bits & 0x1:
        refuse(_("'%(name)s' is password-protected.") % {"name": name})
    raw = member_bytes(data, member, name)
    if member.compress_type == zipfile.ZIP_STORED:
        if len(raw) > member.file_size:
            _lied(member, name)
        return _count_rows(raw, b"") if count_rows else 0
    if member.compress_type != zipfile.ZIP_DEFLATED:
        refuse(_("'%(name)s' is not a valid Excel file (unusual compression).") % {"name": name})
    stream = zlib.decompressobj(-zlib.MAX_WBITS)
    total, rows, tail, pos, pending = 0, 0, b"", 0, b""
    while not stream.eof:
        if not pending:
            if pos >= len(raw):
                break  # a truncated stream: the reader reports the damage
            pending, pos = raw[pos:pos + CHUNK], pos + CHUNK
        try:
            out = stream.decompress(pending, CHUNK)
        except zlib.error:
            refuse(_("'%(name)s' is damaged (%(member)s cannot be unpacked).")
                   % {"name": name, "member": member.filename})
        pending = stream.unconsumed_tail
        total += len(out)
        if total > member.file_size:
            _lied(member, name)
        if count_rows:
            rows += _count_rows(out, tail)
            tail = (tail + out)[-ROW_TAG_TAIL:]
    return rows


def _lied(member, name):
    refuse(_("%(member)s in '%(name)s' unpacks to more than the %(size)d bytes it declares: "
             "the file is damaged or crafted.")
           % {"member": member.filename, "name": name, "size": member.file_size},
           limit="declared_size")


def _count_rows(chunk, tail):
    """Row tags in `chunk`, including one that began in `tail` (the previous chunk's end)."""
    text = tail + chunk
    return sum(1 for m in ROW_TAG.finditer(text) if m.end() > len(tail))


def member_bytes(data, member, name):
    """The stored (compressed) bytes of a member, read from its local header in `data`."""
    start = member.header_offset
    header = data[start:start + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        refuse(_("'%(name)s' is damaged (%(member)s has no local header).")
               % {"name": name, "member": member.filename})
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    begin = start + 30 + name_len + extra_len
    return memoryview(data)[begin:begin + member.compress_size]


class ImportCaps:
    """Orders and lines of one import, counted list by list; refused as soon as a cap is
    passed. `expect` looks at a list's raw JSON before it is validated (validating 185,000
    orders only to refuse them cost seconds and hundreds of MB); `count` adds a validated
    list."""

    def __init__(self):
        self.orders = 0
        self.lines = 0

    def expect(self, data):
        """Refuse now if the raw orders (and their items) of a packing-list JSON would pass
        a cap on top of what is counted so far."""
        orders = data.get("orders") if isinstance(data, dict) else data
        if isinstance(orders, list):
            lines = sum(len(o["items"]) for o in orders
                        if isinstance(o, dict) and isinstance(o.get("items"), list))
            self._check(self.orders + len(orders), self.lines + lines)
        return data

    def count(self, spec):
        self.orders += len(spec.orders)
        self.lines += sum(len(order.lines) for order in spec.orders)
        self._check(self.orders, self.lines)
        return spec

    @staticmethod
    def _check(orders, lines):
        max_orders = settings.PACKER_IMPORT_MAX_ORDERS
        max_lines = settings.PACKER_IMPORT_MAX_LINES
        if orders > max_orders:
            refuse(_("The import has more than %(max)d orders (%(n)d so far); that is the "
                     "limit per import. Split it into smaller lists. Nothing was saved.")
                   % {"max": max_orders, "n": orders},
                   limit="orders", max=max_orders, found=orders)
        if lines > max_lines:
            refuse(_("The import has more than %(max)d lines (%(n)d so far); that is the "
                     "limit per import. Split it into smaller lists. Nothing was saved.")
                   % {"max": max_lines, "n": lines},
                   limit="lines", max=max_lines, found=lines)
