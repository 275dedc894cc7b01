import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from presscentre.comments.privacy import comments_with_expired_ip_data, erase_old_ip_addresses, ip_retention_days


class Command(BaseCommand):
    help = (
        "Clear the IP address and user agent of comments older than PRESSCENTRE_COMMENT_IP_RETENTION_DAYS. "
        "With --every, keep doing so at that interval."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what is due without erasing it.")
        parser.add_argument("--every", type=float, default=None, help="Run again every N seconds (60 to 86400).")

    def handle(self, *args, **kwargs):
        try:
            self.run(**kwargs)
        except KeyboardInterrupt:
            # Ctrl-C on `make demo` reaches every process at once: stop quietly, the sweep holds no state.
            return

    def run(self, dry_run, every, **options):
        if every is not None and not 60 <= every <= 86400:
            raise CommandError("--every must be between 60 and 86400 seconds.")
        days = ip_retention_days()
        if dry_run:
            due = comments_with_expired_ip_data(at=timezone.now()).count()
            self.stdout.write(f"would erase the IP address and user agent of {due} comment(s) older than {days} days")
            return
        while True:
            erased = erase_old_ip_addresses(at=timezone.now())
            self.stdout.write(f"erased the IP address and user agent of {erased} comment(s) older than {days} days")
            if every is None:
                return
            close_old_connections()
            time.sleep(every)
