"""CSV import (preview, per-row errors, de-duplication, nothing saved from a malformed file) and export."""

import csv
import io

import pytest

from presscentre.distribution.contacts_csv import (
    MalformedFile,
    decode_upload,
    export_csv_lines,
    import_contacts,
    read_contacts_csv,
)
from presscentre.distribution.models import MediaContact, MediaList
from presscentre.distribution.tests.factories import MediaContactFactory
from presscentre.newsroom.tests.factories import CategoryFactory

HEADER = "name,email,outlet,role,phone,topics,lists,consent_basis,consent_date,notes\n"


def test_good_rows_preview_then_import_with_lists_and_topics(db):
    economy = CategoryFactory(name="Economy")
    text = HEADER + (
        "Ada Lovell,ada@ledger.example.com,The Ledger,Economics editor,,Economy,Economics correspondents,consent,"
        "2026-01-15,\nBen Okoro,ben@wire.example.org,Example Wire,,,,Economics correspondents;Radio,,,\n"
    )

    preview = read_contacts_csv(text)

    assert [row.action for row in preview.rows] == ["new", "new"]
    assert preview.new_lists == ["Economics correspondents", "Radio"]
    assert not MediaContact.objects.exists()  # the preview saves nothing

    summary = import_contacts(text)

    assert (summary.created, summary.updated, summary.not_imported) == (2, 0, 0)
    ada = MediaContact.objects.get(email="ada@ledger.example.com")
    assert list(ada.topics.all()) == [economy]
    assert ada.consent_basis == "consent" and ada.consent_date.isoformat() == "2026-01-15"
    assert set(MediaList.objects.get(name="Radio").contacts.values_list("name", flat=True)) == {"Ben Okoro"}
    assert import_contacts(text).created == 0  # the same file twice creates nothing more


def test_each_bad_row_is_reported_with_what_was_uploaded_and_is_not_imported(db):
    text = HEADER + (
        "Ada Lovell,ada@ledger.example.com,,,,,,,,\n"
        ",no-name@ledger.example.com,,,,,,,,\n"
        "Bad Email,not-an-address,,,,,,,,\n"
        "Bad Topic,topic@ledger.example.com,,,,Astrology,,,,\n"
        "Bad Date,date@ledger.example.com,,,,,,,24/05/2026,\n"
        "Short Row,short@ledger.example.com\n"
    )

    preview = read_contacts_csv(text)

    rows = {row.number: row for row in preview.rows}
    assert rows[2].action == "new"
    assert rows[3].errors == ["The name is empty."]
    assert rows[4].errors == ["'not-an-address' is not an email address."]
    assert rows[4].values["email"] == "not-an-address"
    assert rows[5].errors == ["No topic called 'Astrology'."]
    assert rows[6].errors == ["'24/05/2026' is not a date like 2026-05-24."]
    assert rows[7].errors == ["This row has 2 fields; the header has 10."]
    summary = import_contacts(text)
    assert (summary.created, summary.not_imported) == (1, 5)
    assert list(MediaContact.objects.values_list("email", flat=True)) == ["ada@ledger.example.com"]


def test_duplicates_within_the_file_and_existing_contacts_match_whatever_the_case(db):
    existing = MediaContactFactory(email="ada@ledger.example.com", outlet="", opted_out=True)
    text = HEADER + (
        "Ada Lovell,ADA@Ledger.Example.com,The Ledger,,,,,,,\n"
        "Ben Okoro,ben@wire.example.org,,,,,,,,\n"
        "Ben Again,BEN@wire.example.org,,,,,,,,\n"
    )

    preview = read_contacts_csv(text)

    assert [row.action for row in preview.rows] == ["update", "new", "duplicate"]
    assert preview.rows[2].errors == ["Same email address as row 3; only that row is imported."]
    summary = import_contacts(text)
    assert (summary.created, summary.updated, summary.not_imported) == (1, 1, 1)
    existing.refresh_from_db()
    assert existing.outlet == "The Ledger"  # an empty field is completed
    assert existing.opted_out  # an opt-out is never undone by an import
    assert MediaContact.objects.count() == 2


def test_email_uniqueness_ignores_letter_case(db):
    from django.core.exceptions import ValidationError

    MediaContactFactory(email="ada@ledger.example.com")

    with pytest.raises(ValidationError, match="already exists"):
        MediaContact(name="Ada", email="Ada@LEDGER.example.com").full_clean()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\xff\xfename,email\n", "not UTF-8"),
        (b"name,outlet\nAda,The Ledger\n", "no 'email' column"),
        (b"name,email\n", "no contacts"),
        (b'name,email\n"Ada,ada@ledger.example.com\n', "not valid CSV"),
        (b"name,email\nAda\x00,ada@ledger.example.com\n", "not valid CSV"),
    ],
)
def test_a_malformed_file_is_refused_whole_and_saves_nothing(db, data, message):
    with pytest.raises(MalformedFile, match=message):
        import_contacts(decode_upload(data))
    assert not MediaContact.objects.exists()


def test_export_round_trips_and_defuses_spreadsheet_formulas(db):
    media_list = MediaList.objects.create(name="Economics correspondents")
    MediaContactFactory(name="=HYPERLINK(1)", email="ada@ledger.example.com", lists=[media_list])

    text = "".join(export_csv_lines(MediaContact.objects.all()))

    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["name"] == "'=HYPERLINK(1)"
    assert rows[0]["lists"] == "Economics correspondents"
    assert read_contacts_csv(text).rows[0].action == "update"
