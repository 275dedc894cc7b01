import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from presscentre.embargo.services import due_for_lift, lift_due_embargoes


class Command(BaseCommand):
    help = "Lift every embargo whose instant has passed. With --every, keep sweeping at that interval."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=None, help="Sweep again every N seconds (0.1 to 60).")
        parser.add_argument("--dry-run", action="store_true", help="List what is due without lifting it.")

    def handle(self, *args, **kwargs):
        try:
            self.run(**kwargs)
        except KeyboardInterrupt:
            # Ctrl-C on `make demo` reaches every process at once: stop quietly, the sweep holds no state.
            return

    def run(self, every, dry_run, **options):
        if every is not None and not 0.1 <= every <= 60:
            raise CommandError("--every must be between 0.1 and 60 seconds.")
        if dry_run:
            for item in due_for_lift(timezone.now()):
                self.stdout.write(f"due: {item.title} (embargoed until {item.embargo_until.isoformat()})")
            return
        while True:
            lifted = lift_due_embargoes(at=timezone.now())
            if lifted or every is None:
                self.stdout.write(f"lifted {lifted} embargo(es)")
            if every is None:
                return
            close_old_connections()
            time.sleep(every)
