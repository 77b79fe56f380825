"""Check that every list's counters equal a replay of its scan log (design.md: counters are a
cache of the log): its orders', lines' and extras', and the list's own (orders by status, units,
wrong scans). Read-only: it reports differences and exits non-zero, it never "repairs"."""

from django.core.management.base import BaseCommand, CommandError

from sessions.models import PackingList
from sessions.replay import replay_counters, stored_counters


def differences(packing_list):
    """[(part, key, replayed, stored)] where the cache and the log disagree."""
    replayed, stored = replay_counters(packing_list), stored_counters(packing_list)
    found = []
    for part in ("orders", "items", "extras", "list"):
        for key in sorted(set(replayed[part]) | set(stored[part]), key=str):
            if replayed[part].get(key) != stored[part].get(key):
                found.append((part, key, replayed[part].get(key), stored[part].get(key)))
    return found


class Command(BaseCommand):
    help = "Compare list/order/line/extra counters with a replay of the scan log (read-only)."

    def add_arguments(self, parser):
        parser.add_argument("--list", type=int, action="append", dest="lists",
                            help="Packing list id (repeatable); default: every list.")

    def handle(self, *args, lists=None, **options):
        queryset = PackingList.objects.select_related("session__client").order_by("pk")
        if lists:
            queryset = queryset.filter(pk__in=lists)
        bad = 0
        for packing_list in queryset.iterator():
            for part, key, replayed, stored in differences(packing_list):
                bad += 1
                self.stdout.write(f"list {packing_list.pk} ({packing_list}) {part} {key}: "
                                  f"log says {replayed}, counters say {stored}")
        if bad:
            raise CommandError(f"{bad} counter(s) differ from the scan log.")
        self.stdout.write(self.style.SUCCESS("Every counter matches the scan log."))
