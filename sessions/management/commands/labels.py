"""manage.py labels LIST_ID --format png|pdf|zpl --out DIR [--printer HOST:PORT]

Writes the order labels of a packing list: one PNG per order, one PDF of the whole list, or one
ZPL file; with --printer the ZPL is also sent to that printer (raw TCP, usually port 9100).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sessions.downloads import file_name, safe_name
from sessions.errors import PackingError
from sessions.labels.printing import send_zpl
from sessions.labels.render import (
    list_label_images,
    list_labels_pdf,
    list_labels_zpl,
)
from sessions.models import PackingList


class Command(BaseCommand):
    help = "Write the order labels of a packing list as PNG files, one PDF or ZPL."

    def add_arguments(self, parser):
        parser.add_argument("list_id", type=int)
        parser.add_argument("--format", choices=["png", "pdf", "zpl"], default="pdf")
        parser.add_argument("--out", required=True, help="Directory to write into")
        parser.add_argument("--printer", default="",
                            help="Also send the ZPL to this printer (host:port)")

    def handle(self, *args, **options):
        packing_list = PackingList.objects.select_related("session__client").filter(
            pk=options["list_id"]).first()
        if packing_list is None:
            raise CommandError(f"No packing list with id {options['list_id']}.")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        try:
            written = self.write(packing_list, options["format"], out)
            if options["printer"]:
                zpl = list_labels_zpl(packing_list)
                send_zpl(options["printer"], zpl)
                self.stdout.write(f"Sent {zpl.count('^XZ')} labels to {options['printer']}")
        except PackingError as exc:
            raise CommandError(exc.message) from exc
        for path in written:
            self.stdout.write(str(path))

    def write(self, packing_list, fmt, out):
        if fmt == "pdf":
            path = out / file_name("labels", "pdf", packing_list=packing_list)
            path.write_bytes(list_labels_pdf(packing_list))
            return [path]
        if fmt == "zpl":
            path = out / file_name("labels", "zpl", packing_list=packing_list)
            path.write_text(list_labels_zpl(packing_list), encoding="utf-8")
            return [path]
        paths = []
        for data, png in list_label_images(packing_list):
            path = out / f"{data.sequence:04d}_{safe_name(data.number, 'order')}.png"
            path.write_bytes(png)
            paths.append(path)
        return paths
