from django.core.management.base import BaseCommand
from django.utils import timezone

from presscentre.comments.demo import load_demo_comments


class Command(BaseCommand):
    help = (
        "Add a few readers' comments to the demo's newest open article: an approved thread with replies and "
        "one held for moderation. Run after load_demo_data; safe to run again."
    )

    def handle(self, *args, **options):
        created = load_demo_comments(at=timezone.now())
        if created:
            self.stdout.write(f"Demo comments: {created} created")
        else:
            self.stdout.write("Demo comments: none created (already present, or no open article)")
