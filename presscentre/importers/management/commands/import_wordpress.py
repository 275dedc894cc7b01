"""Import WordPress WXR export files into the press centre."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from presscentre.importers.services.run import import_wxr_file, item_type, parse_type_map
from presscentre.importers.wxr import WXRError
from presscentre.newsroom.models import PressCentrePage


class ProgressBar:
    """A one-line bar on stderr ('importing export.xml [#####.....] 48%'), redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream, label: str):
        self.stream = stream
        self.label = label
        self.last_drawn = 0.0
        self.last_line = ""
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        share = min(done / total, 1.0) if total else 1.0
        line = f"{stage} {self.label} [{'#' * int(share * self.WIDTH):.<{self.WIDTH}}] {share:4.0%}"
        now = time.monotonic()
        if line == self.last_line or (now - self.last_drawn < 0.1 and share < 1.0):
            return
        self.last_drawn, self.last_line = now, line
        self.stream.write(f"\r{line}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import WordPress export (WXR) files: people, categories, tags, attachments, posts as items, pages as "
        "content pages, comments and redirects."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be imported; write nothing.")
        parser.add_argument("--parent", help="Id or slug of the press centre page to import into.")
        parser.add_argument("--type-map", nargs="*", default=[], metavar="SLUG=TYPE")
        parser.add_argument("--default-type", default="article", metavar="TYPE")
        parser.add_argument(
            "--media-dir", metavar="DIR", help="The WordPress uploads folder (wp-content/uploads) to copy files from."
        )
        parser.add_argument(
            "--progress", action="store_true", help="Show a progress bar even when stderr is not a terminal."
        )

    def handle(self, *args, files, dry_run, parent, type_map, default_type, media_dir, progress, **options):
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
        if media_dir is not None and not Path(media_dir).is_dir():
            raise CommandError(f"--media-dir {media_dir}: no such folder.")
        show_progress = progress or _is_terminal(sys.stderr)
        at = timezone.now()
        summaries = []
        try:
            with transaction.atomic():  # several files: all or nothing
                for path in paths:
                    bar = ProgressBar(self.stderr, path.name) if show_progress else None
                    try:
                        summaries.append(
                            import_wxr_file(
                                path,
                                parent=parent_page,
                                default_type=default_model,
                                type_map=mapping,
                                media_dir=media_dir,
                                dry_run=dry_run,
                                at=at,
                                progress=bar,
                            )
                        )
                    finally:
                        if bar is not None:
                            bar.finish()
        except WXRError as error:
            for summary in summaries:
                summary.remove_stored_files()
            raise CommandError(f"Refused, nothing imported: {error}") from error
        for summary in summaries:
            heading = f"{summary.path}{' (dry run: nothing written)' if dry_run else ''}"
            self.stdout.write(heading)
            self.stdout.write(summary.table())


def _is_terminal(stream) -> bool:
    stream = getattr(stream, "_out", stream)  # Django's OutputWrapper
    return hasattr(stream, "isatty") and stream.isatty()


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
