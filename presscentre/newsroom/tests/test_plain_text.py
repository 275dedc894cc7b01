"""Items as plain text: every type, in the page's order, with rich text flattened and addresses made absolute."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from wagtail.documents import get_document_model

from presscentre.newsroom.models import PressCentreSettings, ReleaseContact
from presscentre.newsroom.plain_text import item_as_plain_text
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    BoilerplateFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressContactFactory,
    PressReleaseFactory,
    ReportFactory,
)

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)
PUBLISHED = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.PRESSCENTRE_PUBLIC_URL = "https://press.example.org"


@pytest.fixture
def site_settings(newsroom):
    found = PressCentreSettings.for_site(newsroom.get_site())
    found.organisation_name = "The Institute"
    found.default_boilerplate = BoilerplateFactory(text="<p>The Institute is an <b>independent</b> charity.</p>")
    found.save()
    return found


def body(*blocks) -> list[dict]:
    return [{"type": kind, "value": value} for kind, value in blocks]


def test_a_press_release_reads_from_release_line_to_media_contacts(newsroom, site_settings):
    release = PressReleaseFactory(
        parent=newsroom,
        title="Rents rise fastest in the north",
        subheadline="Tenants pay a third more than in 2020",
        dateline_place="Leeds",
        lead="Rents rose fastest in the north last year.",
        embargo_until=LIFT,
        published_at=PUBLISHED,
        body=body(
            ("paragraph", "<p>First <i>paragraph</i> &amp; more.</p><ul><li>One</li><li>Two</li></ul>"),
            ("heading", {"text": "What it means", "level": "h2"}),
            ("quote", {"quote": "Rents are too high.", "speaker": "Dr Asha Menon", "speaker_role": "Director"}),
        ),
        notes_to_editors='<ol><li>The survey: <a href="https://data.example.org/rents">data</a>.</li><li>Two</li></ol>',
    )
    contact = PressContactFactory(
        name="Sam Press", role="Head of Media", phone="020 7946 0000", out_of_hours_phone="07700 900000"
    )
    ReleaseContact.objects.create(release=release, contact=contact)

    text = item_as_plain_text(release, site_settings=site_settings, at=timezone.now())

    assert text == (
        "EMBARGOED UNTIL 00:01 GMT, Saturday 2nd March 2030\n\n"
        "Rents rise fastest in the north\n\n"
        "Tenants pay a third more than in 2020\n\n"
        f"{release.dateline(site_settings.zone)} \u2014 Rents rose fastest in the north last year.\n\n"
        "First paragraph & more.\n\n"
        "- One\n- Two\n\n"
        "What it means\n\n"
        "\u201cRents are too high.\u201d\n\u2014 Dr Asha Menon, Director\n\n"
        "ENDS\n\n"
        "Notes to editors\n\n"
        "1. The survey: data (https://data.example.org/rents).\n2. Two\n\n"
        "About The Institute\n\n"
        "The Institute is an independent charity.\n\n"
        "Media enquiries\n\n"
        f"Sam Press, Head of Media\nTelephone: 020 7946 0000\nOut of hours: 07700 900000\nEmail: {contact.email}\n"
    )


def test_a_release_without_an_embargo_is_for_immediate_release_and_uses_the_default_contacts(newsroom, site_settings):
    from presscentre.newsroom.models import DefaultPressContact

    DefaultPressContact.objects.create(settings=site_settings, contact=PressContactFactory(name="Duty Officer"))
    release = PressReleaseFactory(parent=newsroom, embargo_until=None)

    text = item_as_plain_text(release, site_settings=site_settings, at=timezone.now())

    assert text.startswith("FOR IMMEDIATE RELEASE\n\n")
    assert "Media enquiries\n\nDuty Officer, Head of Media" in text


def test_links_to_pages_and_documents_become_absolute_addresses(newsroom, site_settings):
    target = ArticleFactory(parent=newsroom, slug="background")
    document = get_document_model().objects.create(title="Method", file="documents/method.pdf")
    release = PressReleaseFactory(
        parent=newsroom,
        notes_to_editors=(
            f'<p>See <a linktype="page" id="{target.pk}">the background</a> and '
            f'<a linktype="document" id="{document.pk}">the method</a>. '
            '<a href="mailto:press@example.org">press@example.org</a></p>'
        ),
    )

    text = item_as_plain_text(release, site_settings=site_settings, at=timezone.now())

    assert "See the background (https://press.example.org/background/) and the method " in text
    assert f"(https://press.example.org/documents/{document.pk}/method.pdf)." in text
    assert "press@example.org (press@example.org)" not in text and "mailto:" not in text


def test_a_report_lists_its_downloads_findings_and_summary(newsroom, site_settings):
    report = ReportFactory(
        parent=newsroom,
        title="The cost of renting",
        report_title="Priced Out",
        published_at=PUBLISHED,
        key_findings=[("finding", "Rents doubled."), ("finding", "Wages did not.")],
        report_summary="<h2>In brief</h2><p>Renting costs more.</p>",
        body=body(("paragraph", "<p>The body.</p>")),
    )
    report.person_links.create(person=PersonFactory(name="Ada Author", role="Fellow"))

    text = item_as_plain_text(report, site_settings=site_settings, at=timezone.now())

    assert text.startswith(
        "The cost of renting\n\nReport: \u201cPriced Out\u201d\n\n2nd March 2030\n\nAuthors: Ada Author, Fellow\n\n"
    )
    assert (
        "Key findings\n\n- Rents doubled.\n- Wages did not.\n\nIn brief\n\nRenting costs more.\n\nThe body.\n" in text
    )


def test_an_embargoed_report_starts_with_its_embargo_line_until_the_lift_then_reads_as_published(
    newsroom, site_settings
):
    report = ReportFactory(parent=newsroom, embargo_until=LIFT, published_at=LIFT)

    before = item_as_plain_text(report, site_settings=site_settings, at=LIFT - timedelta(seconds=1))
    after = item_as_plain_text(report, site_settings=site_settings, at=LIFT)

    assert before.startswith("EMBARGOED UNTIL 00:01 GMT, Saturday 2nd March 2030\n\n")
    assert after.startswith("Published 00:01 GMT, 2nd March 2030\n\n")
    assert "EMBARGOED" not in after


def test_an_article_shows_its_byline_and_an_excerpt_when_only_an_excerpt_may_be_republished(newsroom, site_settings):
    article = ArticleFactory(
        parent=newsroom,
        title="Why rents rise",
        rights="excerpt",
        summary="A short summary.",
        original_outlet="The Daily Ledger",
        original_url="https://ledger.example.com/rents",
        first_published_on=date(2030, 3, 1),
        body=body(("paragraph", "<p>The full text, not for republishing.</p>")),
    )
    article.person_links.create(person=PersonFactory(name="Ada Author", role="Fellow"))

    text = item_as_plain_text(article, site_settings=site_settings, at=timezone.now())

    assert "By Ada Author, Fellow, writes for The Daily Ledger" in text
    assert "First published in The Daily Ledger on 1st March 2030." in text
    assert "A short summary." in text and "not for republishing" not in text
    assert text.endswith("Read the full article in The Daily Ledger: https://ledger.example.com/rents\n")


def test_a_media_appearance_gives_where_and_when_and_the_transcript(newsroom, site_settings):
    appearance = MediaAppearanceFactory(
        parent=newsroom,
        title="On the radio",
        outlet="Radio Example",
        programme="Today",
        broadcast_at=datetime(2030, 3, 2, 7, 10, tzinfo=UTC),
        recording_url="https://radio.example.org/today",
        transcript="<h3>Interview</h3><p>Q: Why?<br>A: Because.</p>",
        body=body(("paragraph", "<p>Notes.</p>")),
    )

    text = item_as_plain_text(appearance, site_settings=site_settings, at=timezone.now())

    assert "Listen to Today, Radio Example, broadcast 2nd March 2030, 07:10" in text
    assert "Listen again on Radio Example's website: https://radio.example.org/today" in text
    assert text.endswith("Transcript\n\nInterview\n\nQ: Why?\nA: Because.\n")


def test_every_item_type_is_plain_text_without_markup(newsroom, site_settings):
    for factory in (PressReleaseFactory, ArticleFactory, ReportFactory, MediaAppearanceFactory):
        item = factory(parent=newsroom, body=body(("paragraph", "<p>Fish &amp; <b>chips</b> &lt;3</p>")))

        text = item_as_plain_text(item.page_ptr, site_settings=site_settings, at=timezone.now())

        assert "Fish & chips <3" in text, factory
        assert "<b>" not in text and "&amp;" not in text
        assert text.endswith("\n") and not text.endswith("\n\n")


def test_table_cells_definitions_and_rules_keep_their_words_apart(newsroom, site_settings):
    release = PressReleaseFactory(
        parent=newsroom,
        notes_to_editors=(
            "<table><tr><th>Region</th><td>North</td></tr><tr><td>Share</td><td>12%</td></tr></table>"
            "<dl><dt>Term</dt><dd>Meaning</dd></dl><p>Above<hr>Below</p>"
            "<figure><figcaption>Caption</figcaption></figure><details><summary>More</summary>Hidden</details>"
        ),
    )

    text = item_as_plain_text(release, site_settings=site_settings, at=timezone.now())

    for words in ["Region North\n\nShare 12%", "Term\n\nMeaning", "Above\n\nBelow", "Caption\n\nMore\n\nHidden"]:
        assert words in text, words
