from django.core.management.base import BaseCommand

from presscentre.distribution.demo import DEMO_LIST, load_demo_contacts


class Command(BaseCommand):
    help = f"Add the demo media list '{DEMO_LIST}' with eight fictional journalists. Safe to run again."

    def handle(self, *args, **options):
        created = load_demo_contacts()
        self.stdout.write(f"Demo media contacts: {created} created in '{DEMO_LIST}'")
