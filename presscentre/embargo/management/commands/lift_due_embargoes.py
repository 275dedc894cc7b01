import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from presscentre.core.worker import drop_connections
from presscentre.embargo.services import due_for_lift, lift_due_embargoes

logger = logging.getLogger(__name__)

# The longest wait between two sweeps while they keep failing (the database away, say).
LONGEST_BACKOFF = 30.0


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
        if every is None:
            self.stdout.write(f"lifted {lift_due_embargoes(at=timezone.now())} embargo(es)")
            return
        self.sweep_forever(every)

    def sweep_forever(self, every: float) -> None:
        """Sweep every `every` seconds until stopped (Ctrl-C, SIGTERM). A failed sweep (the database or the cache
        away) is logged and tried again, after a growing wait while failures continue: the safety net never quits."""
        failures = 0
        while True:
            try:
                lifted = lift_due_embargoes(at=timezone.now())
                if lifted:
                    self.stdout.write(f"lifted {lifted} embargo(es)")
                close_old_connections()
            except Exception:
                failures += 1
                wait = min(LONGEST_BACKOFF, every * 2 ** (failures - 1))
                logger.exception("The embargo sweep failed (%d in a row); sweeping again in %.1f s", failures, wait)
                drop_connections()
                time.sleep(wait)
                continue
            failures = 0
            time.sleep(every)
