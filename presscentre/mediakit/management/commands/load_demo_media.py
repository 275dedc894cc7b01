from django.core.management.base import BaseCommand

from presscentre.mediakit.demo import load_demo_media


class Command(BaseCommand):
    help = (
        "Draw the demo's pictures, give three releases, a report and a media appearance their galleries, the "
        "spokespeople headshots and the media kit its collections. Run after load_demo_data; safe to run again."
    )

    def handle(self, *args, **options):
        made = load_demo_media()
        self.stdout.write(
            "Demo media: {images} pictures and {documents} files made, {headshots} headshots given, "
            "{galleries} galleries and {collections} media kit collections set".format(**made)
        )
