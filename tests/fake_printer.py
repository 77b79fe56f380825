"""A fake ZPL printer for tests: a TCP listener on 127.0.0.1 that records every connection's
bytes, and helpers that read the recorded ZPL back (barcode data, ^GFA graphics as images)."""

import binascii
import re
import socket
import threading
import time

from PIL import Image


class FakePrinter:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.jobs = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            with conn:
                chunks = []
                conn.settimeout(5)
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
                self.jobs.append(b"".join(chunks).decode("utf-8"))

    def wait(self, count=1, timeout=20):
        """The first `count` jobs, waiting for them (the printing runs in the background)."""
        deadline = time.monotonic() + timeout
        while len(self.jobs) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.jobs) >= count, f"the printer got {len(self.jobs)} of {count} jobs"
        return self.jobs[:count]

    def close(self):
        self._stop = True
        self.sock.close()
        self.thread.join(2)


def closed_address():
    """host:port where nobody listens (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"127.0.0.1:{port}"


HEX_ESCAPE = re.compile(r"_([0-9A-Fa-f]{2})")


def barcode_data(zpl):
    """The data of every Code-128 (^BC … ^FH^FD…^FS) of a ZPL text, unescaped."""
    fields = re.findall(r"\^BC[^\^]*\^FH\^FD(.*?)\^FS", zpl)
    return [HEX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), f).replace("><", ">")
            for f in fields]


def graphics(zpl):
    """Every ^GFA graphic of a ZPL text as a Pillow image (ZPL 1 = black)."""
    images = []
    for total, _b, row_bytes, data in re.findall(r"\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)", zpl):
        raw = binascii.unhexlify(data)
        width = int(row_bytes) * 8
        height = int(total) // int(row_bytes)
        image = Image.frombytes("1", (width, height), raw)
        images.append(image.point(lambda v: 0 if v else 255).convert("1"))
    return images
