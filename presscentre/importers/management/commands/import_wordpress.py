"""Import WordPress WXR export files into the press centre."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from presscentre.importers.services import import_wxr_file, item_type, parse_type_map
from presscentre.importers.wxr import WXRError
from presscentre.newsroom.models import PressCentrePage


class Command(BaseCommand):
    help = "Import WordPress export (WXR) files: people, categories, posts as items, comments and redirects."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be imported; write nothing.")
        parser.add_argument("--parent", help="Id or slug of the press centre page to import into.")
        parser.add_argument("--type-map", nargs="*", default=[], metavar="SLUG=TYPE")
        parser.add_argument("--default-type", default="article", metavar="TYPE")

    def handle(self, *args, files, dry_run, parent, type_map, default_type, **options):
        try:
            default_model = item_type(default_type)
            mapping = parse_type_map(type_map)
        except ValueError as error:
            raise CommandError(str(error)) from error
        parent_page = _parent(parent)
        paths = [Path(name) for name in files]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
        at = timezone.now()
        try:
            with transaction.atomic():  # several files: all or nothing
                summaries = [
                    import_wxr_file(
                        path, parent=parent_page, default_type=default_model, type_map=mapping, dry_run=dry_run, at=at
                    )
                    for path in paths
                ]
        except WXRError as error:
            raise CommandError(f"Refused, nothing imported: {error}") from error
        for summary in summaries:
            heading = f"{summary.path}{' (dry run: nothing written)' if dry_run else ''}"
            self.stdout.write(heading)
            self.stdout.write(summary.table())


def _parent(value: str | None) -> PressCentrePage:
    if value is None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        page = site.root_page.specific if site else None
        if not isinstance(page, PressCentrePage):
            raise CommandError("The default site's root is not a press centre page; pass --parent PAGE_ID_OR_SLUG.")
        return page
    pages = Page.objects.filter(pk=int(value)) if value.isdigit() else Page.objects.filter(slug=value)
    page = pages.first()
    if page is None:
        raise CommandError(f"--parent {value!r}: no such page.")
    if not isinstance(page.specific, PressCentrePage):
        raise CommandError(f"--parent {value!r}: {page.title!r} is not a press centre page.")
    return page.specific
