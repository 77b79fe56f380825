"""Decompression bombs for the tests and bench/bench_bombs.py, built without compressing gigabytes.

A deflate segment of a repeated unit, ended with a full flush, is independent of what came
before it, so the same bytes can be repeated: a few hundred KB stand for gigabytes of real
content. The zip is written by hand so a member may also lie about its size (`declared=`).

    xlsx_bomb(900_000_000)          # a workbook whose sheet unpacks to ~900 MB of rows
    session_zip_bomb(500_000_000)   # a Shopify Tool session whose list unpacks to ~500 MB
"""

import struct
import zlib

SEGMENT = 1 << 20  # real bytes per repeated deflate segment


def _segment(data, *, final=False):
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def repeated(head, unit, tail, size, *, crc=True):
    """(raw deflate, crc32, real size) of head + unit × n + tail, about `size` bytes.

    crc=False writes 0 instead of computing the CRC over every byte (seconds per gigabyte):
    enough for a bomb that must be refused before anything reads it to the end."""
    block = unit * max(1, SEGMENT // len(unit))
    count = max(1, (size - len(head) - len(tail)) // len(block))
    body = _segment(block)
    check = 0
    if crc:
        check = zlib.crc32(head)
        for _ in range(count):
            check = zlib.crc32(block, check)
        check = zlib.crc32(tail, check)
    crc = check
    stream = _segment(head) + body * count + _segment(tail, final=True)
    return stream, crc, len(head) + len(block) * count + len(tail)


def plain(data):
    """(raw deflate, crc32, size) of an ordinary member."""
    return _segment(data, final=True), zlib.crc32(data), len(data)


def write_zip(members):
    """Bytes of a zip of [(name, (deflate, crc, size), declared size or None)]."""
    out, central = bytearray(), bytearray()
    for name, (stream, crc, size), declared in members:
        encoded = name.encode()
        size = declared if declared is not None else size
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream),
                           size, len(encoded), 0) + encoded
        out += stream
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(stream), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(out), 0)
    return bytes(out + central + end)


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    b'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
    b'workbook.xml"/></Relationships>')
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships"><sheets><sheet name="DHL" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    b'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
    b'sheet1.xml"/></Relationships>')
HEADERS = ("Order_Number", "SKU", "Product_Name", "Quantity", "Courier")


def _cell(text):
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def sheet_parts():
    """(head, unit, tail) of a sheet: the header row, one repeated data row, the end."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>'
            + b"".join(_cell(h) for h in HEADERS) + b"</row>")
    unit = b"<row>" + b"".join(_cell(v) for v in ("#1001", "SKU-A", "Cream", "1", "DHL")) \
        + b"</row>"
    return head, unit, b"</sheetData></worksheet>"


def xlsx(sheet_member, *, declared=None):
    """An .xlsx package around one sheet member (deflate, crc, size)."""
    return write_zip([
        ("[Content_Types].xml", plain(CONTENT_TYPES), None),
        ("_rels/.rels", plain(ROOT_RELS), None),
        ("xl/workbook.xml", plain(WORKBOOK), None),
        ("xl/_rels/workbook.xml.rels", plain(WORKBOOK_RELS), None),
        ("xl/worksheets/sheet1.xml", sheet_member, declared),
    ])


def xlsx_bomb(size, *, declared=None, crc=True):
    """A valid workbook whose first sheet is `size` bytes of identical rows."""
    return xlsx(repeated(*sheet_parts(), size, crc=crc), declared=declared)


def xlsx_rows(count):
    """A small, honest workbook with `count` data rows (each row the same line)."""
    head, unit, tail = sheet_parts()
    return xlsx(plain(head + unit * count + tail))


SESSION_INFO = b'{"created_by_tool": "shopify", "client_id": "M", "session_name": "2026-03-02_9"}'
ORDER = (b'{"order_number": "#1001", "courier": "DHL", "items": [{"sku": "SKU-A", '
         b'"product_name": "Cream", "quantity": 1}]}, ')


def session_zip_bomb(size, *, declared=None, crc=True):
    """A Shopify Tool session zip whose one packing list is `size` bytes of orders."""
    head, tail = b'{"list_name": "DHL", "orders": [', ORDER[:-2] + b"]}"
    return write_zip([
        ("session_info.json", plain(SESSION_INFO), None),
        ("packing_lists/DHL.json", repeated(head, ORDER, tail, size, crc=crc), declared),
    ])
