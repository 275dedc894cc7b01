"""Make the bare site's content: a listing page as the site's root with its children, each with a few paragraphs."""

import random
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Page, Site

from bare_pages.models import BareIndexPage, BarePage

WORDS = (
    "economy budget housing climate energy health schools transport trade growth report minister council data "
    "survey policy reform prices wages pensions water rivers coast cities rural science research evidence tax"
).split()


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


class Command(BaseCommand):
    help = "Create the listing and its children as Wagtail's add_child would; does nothing when they exist."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=2000, help="pages under the listing (default 2,000)")

    def handle(self, *args, children: int, **options):
        index = BareIndexPage.objects.first()
        if index is not None and BarePage.objects.child_of(index).live().count() == children:
            self.stdout.write(f"the listing already has {children} children: nothing to do")
            return
        rng = random.Random(21)  # noqa: S311 - fixed test content
        with transaction.atomic():
            Page.objects.filter(depth__gt=1).delete()  # Wagtail's welcome page, or a listing of another size
            root = Page.get_first_root_node()
            index = root.add_child(
                instance=BareIndexPage(
                    title="Bare listing", slug="bare-listing", intro="<p>Every page, newest first.</p>"
                )
            )
            Site.objects.update_or_create(
                is_default_site=True,
                defaults={"hostname": "localhost", "port": 80, "root_page": index, "site_name": "Bare Wagtail"},
            )
            first_day = date(2026, 1, 1)
            for number in range(1, children + 1):
                index.add_child(
                    instance=BarePage(
                        title=f"{_words(rng, 6).capitalize()} ({number})",
                        slug=f"page-{number:04d}",
                        date=first_day - timedelta(days=number),
                        intro=_words(rng, 30).capitalize() + ".",
                        body="".join(f"<p>{_words(rng, 60).capitalize()}.</p>" for _ in range(3)),
                    )
                )
        self.stdout.write(f"created the listing with {children} children")
