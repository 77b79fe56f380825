"""`manage.py deliver_webhooks`: send the webhook outbox (sessions.delivery).

Without options it keeps running (the `webhooks` service of docker-compose.yml), looking for
due deliveries every PACKER_WEBHOOK_POLL_SECONDS, and stops cleanly on SIGTERM / SIGINT after
the delivery in hand. `--once` sends what is due now and exits (cron, tests).
"""

import signal

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sessions.delivery import run_forever, run_pass


class Command(BaseCommand):
    help = ("Send the outbound webhooks that are due (signed JSON POSTs, retried with back-off). "
            "Keeps running unless --once.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="One pass over the deliveries due now, then exit.")
        parser.add_argument("--poll", type=float, default=None,
                            help="Seconds between looks for due deliveries "
                                 "(default PACKER_WEBHOOK_POLL_SECONDS).")

    def handle(self, *args, once=False, poll=None, **options):
        if once:
            sent = run_pass()
            self.stdout.write(f"{sent} delivery attempt(s).")
            return
        stopping = []

        def stop_soon(signum, _frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop_soon)
        signal.signal(signal.SIGINT, stop_soon)
        self.stdout.write("Delivering webhooks (SIGTERM to stop).")
        self.stdout.flush()

        def stop():
            close_old_connections()  # a long-running loop: never keep a broken connection
            return bool(stopping)

        run_forever(stop, poll=poll)
        self.stdout.write("Stopped.")
