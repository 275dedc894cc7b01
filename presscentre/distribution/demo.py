"""The demo's media list, "Economics correspondents", with fictional journalists at example addresses."""

from pathlib import Path

from django.db import transaction

from presscentre.distribution.models import MediaContact, MediaList

SAMPLE_CSV = Path(__file__).resolve().parent / "samples" / "media_contacts.csv"
DEMO_LIST = "Economics correspondents"

DEMO_CONTACTS = [
    ("Amara Lindqvist", "amara.lindqvist@ledger.example.com", "The Daily Ledger", "Economics editor"),
    ("Tomasz Greaves", "t.greaves@northernpost.example.org", "The Northern Post", "Economics correspondent"),
    ("Priya Ashworth", "priya.ashworth@radio.example.org", "Radio Example", "Business and economy reporter"),
    ("Callum Reyes", "callum.reyes@wire.example.com", "Example Wire", "Markets correspondent"),
    ("Helen Osei", "helen.osei@weekly.example.org", "The Example Weekly", "Public policy editor"),
    ("Jonah Whitfield", "jonah.whitfield@example.com", "", "Freelance economics writer"),
    ("Saoirse Munroe", "s.munroe@citytimes.example.com", "City Times", "Personal finance editor"),
    ("Dev Kapoor", "dev.kapoor@broadcast.example.org", "Example Broadcasting", "Economics producer"),
]


@transaction.atomic
def load_demo_contacts() -> int:
    """Create the demo list and its contacts; returns how many contacts were created (0 on a second run)."""
    media_list, _ = MediaList.objects.get_or_create(
        name=DEMO_LIST, defaults={"description": "Journalists covering the economy, for releases on living standards."}
    )
    created = 0
    for name, email, outlet, role in DEMO_CONTACTS:
        contact, was_created = MediaContact.objects.get_or_create(
            email=email, defaults={"name": name, "outlet": outlet, "role": role}
        )
        contact.lists.add(media_list)
        created += was_created
    return created
