from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import PageLogEntry

from presscentre.core.urls_public import public_page_url, public_url
from presscentre.embargo.models import AccessLink, AccessLogEntry
from presscentre.embargo.services import (
    can_view,
    create_access_link,
    embargo_calendar,
    link_document,
    record_access,
    truncate_ip,
)
from presscentre.newsroom.models import ReportDocument
from presscentre.newsroom.tests.factories import PressReleaseFactory, ReportFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)
CREATED = LIFT - timedelta(days=2)


def make_document(title: str, filename: str, content: bytes = b"%PDF-1.4\n%test\n"):
    document = get_document_model()(title=title)
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


@pytest.fixture(autouse=True)
def _before_the_lift(time_machine):
    """The views read the clock: stand an hour after the links below are created, well before the lift."""
    time_machine.move_to(CREATED + timedelta(hours=1), tick=False)


@pytest.fixture
def release(newsroom):
    return PressReleaseFactory(parent=newsroom, title="Pay gap report", embargo_until=LIFT)


@pytest.fixture
def link(release, editor):
    return create_access_link(
        release, name="Jane Doe", email="jane@ledger.example", outlet="The Daily Ledger", by=editor, at=CREATED
    )


# Creating links


def test_a_new_link_has_an_unguessable_token_and_lasts_until_the_lift(link, release, editor):
    assert len(link.token) >= 43
    assert link.get_absolute_url() == f"/embargoed/{link.token}/"
    assert link.get_full_url() == public_url(f"/embargoed/{link.token}/")
    assert link.expires_at is None
    assert link.created_by == editor and link.created_at == CREATED
    assert PageLogEntry.objects.filter(page=release, action="presscentre.embargo.link_create").exists()


def test_every_link_gets_its_own_token(release, link, editor):
    other = create_access_link(release, name="Sam Okoro", email="sam@example.org", outlet="", by=editor, at=CREATED)

    assert other.token != link.token


@pytest.mark.parametrize(
    ("embargo_until", "live"),
    [(None, True), (LIFT - timedelta(days=3), True), (LIFT, False)],
    ids=["no embargo", "already lifted", "unpublished"],
)
def test_links_are_refused_for_items_that_are_public_or_unpublished(newsroom, editor, embargo_until, live):
    item = PressReleaseFactory(parent=newsroom, embargo_until=embargo_until, live=live)

    with pytest.raises(ValueError):
        create_access_link(item, name="Jane", email="jane@example.org", outlet="", by=editor, at=CREATED)
    assert not AccessLink.objects.exists()


# The rule


def test_a_link_opens_its_own_item_until_it_expires(release, link, editor):
    link.expires_at = CREATED + timedelta(hours=1)
    link.save()

    assert can_view(release, at=CREATED + timedelta(minutes=59), token=link.token)
    assert not can_view(release, at=CREATED + timedelta(hours=1), token=link.token)
    assert link.is_valid_at(CREATED + timedelta(minutes=59))
    assert not link.is_valid_at(CREATED + timedelta(hours=1))
    assert list(AccessLink.objects.valid_at(CREATED + timedelta(hours=1))) == []


def test_a_link_without_expiry_lasts_until_the_lift(release, link):
    assert can_view(release, at=LIFT - timedelta(seconds=1), token=link.token)


def test_a_link_never_opens_another_item(newsroom, link):
    other = PressReleaseFactory(parent=newsroom, embargo_until=LIFT)

    assert not can_view(other, at=CREATED, token=link.token)


def test_a_revoked_link_opens_nothing_and_the_revocation_is_audit_logged(release, link, editor):
    assert link.revoke(at=CREATED + timedelta(hours=1), by=editor) is True
    assert link.revoke(at=CREATED + timedelta(hours=2), by=editor) is False

    assert not can_view(release, at=CREATED + timedelta(hours=1), token=link.token)
    link.refresh_from_db()
    assert link.revoked_at == CREATED + timedelta(hours=1)
    entry = PageLogEntry.objects.get(page=release, action="presscentre.embargo.link_revoke")
    assert entry.user == editor
    assert entry.data["recipient"] == "Jane Doe, The Daily Ledger"


def test_unpublishing_an_item_shuts_its_links(release, link):
    release.unpublish()

    assert not can_view(release, at=CREATED, token=link.token)


def test_a_forged_token_opens_nothing(release, link):
    assert not can_view(release, at=CREATED, token=link.token[:-1] + ("A" if link.token[-1] != "A" else "B"))
    assert not can_view(release, at=CREATED, token="")


# The access log


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:203.0.113.77", "203.0.113.0/24"),
        ("", ""),
        ("not an address", ""),
    ],
)
def test_addresses_are_kept_only_as_their_network(address, network):
    assert truncate_ip(address) == network


def test_the_log_keeps_the_network_and_a_shortened_browser_name(rf, link):
    request = rf.get("/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="x" * 1000)

    entry = record_access(link, kind="view", at=CREATED, request=request)

    entry.refresh_from_db()
    assert entry.ip_network == "203.0.113.0/24"
    assert len(entry.user_agent) == 300


# The journalist's copy


def test_a_valid_link_shows_the_embargoed_release_with_the_recipient_and_logs_the_view(client, release, link):
    response = client.get(link.get_absolute_url(), REMOTE_ADDR="203.0.113.77")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Pay gap report" in html
    assert "Embargoed until 00:01 GMT, Saturday 2nd March 2030 | Copy for Jane Doe, The Daily Ledger" in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    entry = link.log_entries.get()
    assert entry.kind == "view"
    assert entry.ip_network == "203.0.113.0/24"
    assert entry.document is None
    assert not any("203.0.113.77" in str(row) for row in AccessLogEntry.objects.values_list())


def test_the_public_still_gets_a_404_for_the_release(client, release, link):
    client.get(link.get_absolute_url())

    assert client.get(release.url).status_code == 404


def test_revoked_expired_and_forged_links_all_get_the_same_404(client, release, link, editor):
    expired = create_access_link(
        release,
        name="Old",
        email="old@example.org",
        outlet="",
        by=editor,
        at=CREATED,
        expires_at=CREATED + timedelta(minutes=30),
    )
    revoked = create_access_link(release, name="Gone", email="gone@example.org", outlet="", by=editor, at=CREATED)
    revoked.revoke(at=CREATED, by=editor)

    for token in (expired.token, revoked.token, "forged-" + link.token[7:], "x"):
        response = client.get(f"/embargoed/{token}/")
        assert response.status_code == 404, token
        assert "Pay gap report" not in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_after_the_lift_the_link_redirects_to_the_public_page(client, release, link, time_machine):
    time_machine.move_to(LIFT, tick=False)

    response = client.get(link.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == release.url
    assert client.get(response["Location"]).status_code == 200
    assert not link.log_entries.exists()


def test_a_journalist_copy_is_never_cached(client, link):
    from django.core.cache import caches

    response = client.get(link.get_absolute_url())

    cache_control = response["Cache-Control"]
    assert "public" not in cache_control and "s-maxage" not in cache_control and "no-store" in cache_control
    assert not any(link.token in str(key) for key in caches["default"]._cache)


# Terms


@pytest.fixture
def terms(release):
    from presscentre.newsroom.models import PressCentreSettings

    site_settings = PressCentreSettings.for_site(release.get_site())
    site_settings.journalist_terms = "Do not publish before the embargo lifts."
    site_settings.save()
    return site_settings.journalist_terms


def test_terms_must_be_accepted_before_the_first_view(client, release, link, terms):
    first = client.get(link.get_absolute_url())

    assert first.status_code == 200
    html = first.content.decode()
    assert terms in html and "I accept" in html and "Pay gap report" in html
    assert release.lead not in html
    assert first["Cache-Control"] == "private, no-store"
    assert not link.log_entries.exists()

    accepted = client.post(f"/embargoed/{link.token}/accept-terms/")

    assert accepted.status_code == 302 and accepted["Location"] == link.get_absolute_url()
    link.refresh_from_db()
    assert link.terms_accepted_at is not None
    second = client.get(link.get_absolute_url())
    assert release.lead in second.content.decode()
    assert link.log_entries.count() == 1


def test_the_terms_form_is_protected_against_forged_posts(release, link, terms):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"/embargoed/{link.token}/accept-terms/")

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.terms_accepted_at is None


def test_documents_wait_for_the_terms_too(client, newsroom, editor, terms):
    report = ReportFactory(parent=newsroom, embargo_until=LIFT)
    pdf = make_document("The report", "report.pdf")
    ReportDocument.objects.create(report=report, document=pdf)
    link = create_access_link(report, name="Jane", email="jane@example.org", outlet="", by=editor, at=CREATED)

    response = client.get(f"/embargoed/{link.token}/documents/{pdf.pk}/")

    assert response.status_code == 302
    assert not link.log_entries.exists()


# Documents


@pytest.fixture
def report_with_pdf(newsroom):
    report = ReportFactory(parent=newsroom, title="Counting the cost", embargo_until=LIFT)
    pdf = make_document("Counting the cost (PDF)", "counting-the-cost.pdf")
    ReportDocument.objects.create(report=report, document=pdf)
    return report, pdf


def test_the_journalist_downloads_the_report_through_the_link_while_the_public_gets_404(
    client, report_with_pdf, editor
):
    report, pdf = report_with_pdf
    link = create_access_link(report, name="Jane", email="jane@example.org", outlet="Ledger", by=editor, at=CREATED)
    copy = client.get(link.get_absolute_url())
    download_url = f"/embargoed/{link.token}/documents/{pdf.pk}/"

    assert f'href="{download_url}"' in copy.content.decode()
    assert f'href="{pdf.url}"' not in copy.content.decode()
    download = client.get(download_url, REMOTE_ADDR="203.0.113.77")

    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    assert download["X-Robots-Tag"] == "noindex, nofollow"
    entry = link.log_entries.get(kind="download")
    assert entry.document == pdf and entry.ip_network == "203.0.113.0/24"
    assert client.get(pdf.url).status_code == 404


def test_a_link_for_one_item_cannot_fetch_another_items_document(client, newsroom, report_with_pdf, editor):
    report, pdf = report_with_pdf
    other = ReportFactory(parent=newsroom, embargo_until=LIFT)
    link = create_access_link(other, name="Jane", email="jane@example.org", outlet="", by=editor, at=CREATED)

    assert link_document(link, pdf.pk, at=CREATED) is None
    assert client.get(f"/embargoed/{link.token}/documents/{pdf.pk}/").status_code == 404
    assert client.get(f"/embargoed/{link.token}/documents/999999/").status_code == 404
    assert not link.log_entries.exists()


def test_documents_linked_in_the_text_go_through_the_link(client, newsroom, editor):
    methodology = make_document("Methodology", "methodology.pdf")
    release = PressReleaseFactory(
        parent=newsroom,
        embargo_until=LIFT,
        notes_to_editors=f'<p>See the <a linktype="document" id="{methodology.pk}">methodology</a>.</p>',
    )
    link = create_access_link(release, name="Jane", email="jane@example.org", outlet="", by=editor, at=CREATED)

    html = client.get(link.get_absolute_url()).content.decode()

    download_url = f"/embargoed/{link.token}/documents/{methodology.pk}/"
    assert f'href="{download_url}"' in html
    assert methodology.url not in html
    assert client.get(download_url).status_code == 200


# The calendar


def test_the_calendar_has_one_event_at_the_lift(client, link, release):
    from icalendar import Calendar

    response = client.get(f"/embargoed/{link.token}/embargo.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="embargo-{release.slug}.ics"'
    assert response["Cache-Control"] == "private, no-store"
    [event] = Calendar.from_ical(response.content).events
    assert event.decoded("dtstart") == LIFT
    assert event.decoded("dtend") == LIFT
    assert str(event["summary"]) == "Embargo lifts: Pay gap report"
    assert str(event["url"]) == public_page_url(release)
    assert "EMBARGOED UNTIL 00:01 GMT" in str(event["description"])
    assert str(event["uid"]).startswith(f"embargo-{release.pk}-20300302T000100Z@")


def test_the_calendar_event_is_in_utc_whatever_the_embargo_zone(newsroom):
    summer = datetime(2030, 6, 1, 23, 1, tzinfo=UTC)  # 00:01 BST
    release = PressReleaseFactory(parent=newsroom, embargo_until=summer, embargo_time_zone="Europe/London")
    from icalendar import Calendar

    [event] = Calendar.from_ical(embargo_calendar(release)).events

    assert event.decoded("dtstart") == summer
    assert "DTSTART:20300601T230100Z" in embargo_calendar(release).decode()
    assert "00:01 BST" in str(event["description"])


def test_a_revoked_link_gets_no_calendar(client, link, editor):
    link.revoke(at=timezone.now(), by=editor)

    assert client.get(f"/embargoed/{link.token}/embargo.ics").status_code == 404
