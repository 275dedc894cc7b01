import logging
import os
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from presscentre.newsroom.demo import (
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_ADMIN_USERNAME,
    ORGANISATION_NAME,
    load_demo_data,
    move_demo_embargo,
)


class Command(BaseCommand):
    help = (
        "Load a fictional think tank's press centre (items, people, documents) and create a local superuser. "
        "Safe to run again: anything already present is kept and nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-username", default=DEFAULT_ADMIN_USERNAME, help="Superuser to create if missing (default: admin)."
        )
        parser.add_argument(
            "--admin-password",
            default=None,
            help="Password for a newly created superuser "
            f"(default: $DEMO_ADMIN_PASSWORD, else {DEFAULT_ADMIN_PASSWORD}).",
        )
        parser.add_argument(
            "--embargo-in",
            type=int,
            default=None,
            metavar="SECONDS",
            help="Also move the demo's embargoed release to lift this many seconds from now (10 to 86400), "
            "to watch a lift happen; embargoes it again if it has lifted already.",
        )

    def handle(self, *args, admin_username, admin_password, embargo_in, **options):
        if embargo_in is not None and not 10 <= embargo_in <= 86400:
            raise CommandError("--embargo-in must be between 10 and 86400 seconds.")
        password = admin_password or os.environ.get("DEMO_ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
        # Wagtail logs every page it creates and publishes; below verbosity 2 the summary says enough.
        with _quiet_logger("wagtail") if options["verbosity"] < 2 else nullcontext():
            summary = load_demo_data(at=timezone.now(), admin_username=admin_username, admin_password=password)
            moved = move_demo_embargo(at=timezone.now(), seconds=embargo_in) if embargo_in is not None else None

        self.stdout.write(f"Demo content for {ORGANISATION_NAME}:")
        for kind, created in summary.created.items():
            self.stdout.write(f"  {kind}: {created} created, {summary.present[kind]} already present")
        self.stdout.write(f"Press centre: {summary.site_url}/")
        base_url = settings.WAGTAILADMIN_BASE_URL
        shown = summary.admin_password
        if shown is None:
            shown = "(changed since the demo created this user)"
        self.stdout.write(
            self.style.SUCCESS(f"Admin: {base_url}/admin/  username: {summary.admin_username}  password: {shown}")
        )
        if embargo_in is not None and moved is None:
            raise CommandError("The demo's embargoed release is missing: run load_demo_data without --embargo-in.")
        elif moved is not None:
            self.stdout.write(
                f"Embargoed until {moved.embargo_until.isoformat()}: {summary.site_url}{moved.url} "
                "is a 404 until then, and public from that second on."
            )


@contextmanager
def _quiet_logger(name: str):
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(max(logging.WARNING, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        logger.setLevel(previous)
