from django.core.management import call_command

from presscentre.distribution.contacts_csv import read_contacts_csv
from presscentre.distribution.demo import DEMO_LIST, SAMPLE_CSV
from presscentre.distribution.models import MediaContact, MediaList


def test_load_demo_contacts_is_idempotent(db):
    call_command("load_demo_contacts")
    call_command("load_demo_contacts")

    demo_list = MediaList.objects.get(name=DEMO_LIST)
    assert demo_list.contacts.count() == 8
    assert MediaContact.objects.count() == 8
    assert all(
        email.endswith((".example.org", ".example.com", "@example.com"))
        for email in MediaContact.objects.values_list("email", flat=True)
    )


def test_the_sample_csv_previews_with_a_new_an_existing_and_a_bad_row(db):
    call_command("load_demo_contacts")

    preview = read_contacts_csv(SAMPLE_CSV.read_text())

    assert [row.action for row in preview.rows] == ["new", "new", "new", "update", "error"]
