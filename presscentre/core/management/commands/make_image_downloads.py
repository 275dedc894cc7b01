from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from presscentre.core.image_downloads import make_image_downloads
from presscentre.core.models import ImageDownload, PressCentreImage


class Command(BaseCommand):
    help = (
        "Make the web, print and original downloads of images that lack any of them (with --all: of every image, "
        "making again those whose file or metadata changed). Safe to run again; runs here, not in the worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Check every image, not only those missing a size.")
        parser.add_argument("--dry-run", action="store_true", help="Say how many images would be checked.")

    def handle(self, *, all, dry_run, **options):
        images = PressCentreImage.objects.order_by("pk")
        if not all:
            images = images.annotate(made=Count("downloads")).filter(made__lt=len(ImageDownload.Size.values))
        image_ids = list(images.values_list("pk", flat=True))
        noun = "image" if len(image_ids) == 1 else "images"
        if dry_run:
            self.stdout.write(f"{len(image_ids)} {noun} would be checked.")
            return
        made = sum(1 for image_id in image_ids if make_image_downloads(image_id))
        self.stdout.write(f"{len(image_ids)} {noun} checked, {made} made.")
        missing = (
            PressCentreImage.objects.filter(pk__in=image_ids)
            .annotate(made=Count("downloads"))
            .filter(made__lt=len(ImageDownload.Size.values))
            .count()
        )
        if missing:
            raise CommandError(f"{missing} of them could not be read and have no downloads; the log says why.")
