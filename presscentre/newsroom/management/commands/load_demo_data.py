import logging
import os
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from presscentre.newsroom.demo import DEFAULT_ADMIN_PASSWORD, DEFAULT_ADMIN_USERNAME, ORGANISATION_NAME, load_demo_data


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

    def handle(self, *args, admin_username, admin_password, **options):
        password = admin_password or os.environ.get("DEMO_ADMIN_PASSWORD") or DEFAULT_ADMIN_PASSWORD
        # Wagtail logs every page it creates and publishes; below verbosity 2 the summary says enough.
        with _quiet_logger("wagtail") if options["verbosity"] < 2 else nullcontext():
            summary = load_demo_data(at=timezone.now(), admin_username=admin_username, admin_password=password)

        self.stdout.write(f"Demo content for {ORGANISATION_NAME}:")
        for kind, created in summary.created.items():
            self.stdout.write(f"  {kind}: {created} created, {summary.present[kind]} already present")
        self.stdout.write(f"Press centre: {summary.site_url}/")
        base_url = settings.WAGTAILADMIN_BASE_URL
        shown = summary.admin_password
        if shown is None:
            shown = "(unchanged from when the user was created)"
        self.stdout.write(
            self.style.SUCCESS(f"Admin: {base_url}/admin/  username: {summary.admin_username}  password: {shown}")
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
