"""The journalist's embargoed copy: "Add to calendar" (.ics), "Copy release text" and the plain-text download."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from presscentre.embargo.services import create_access_link
from presscentre.embargo.tests.test_access_links import make_document
from presscentre.newsroom.models import PressCentreSettings, ReportDocument
from presscentre.newsroom.tests.factories import PressReleaseFactory, ReportFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)
CREATED = LIFT - timedelta(days=2)
PUBLIC_BASE = "https://press.example.org"


@pytest.fixture(autouse=True)
def _before_the_lift(time_machine, settings):
    time_machine.move_to(CREATED + timedelta(hours=1), tick=False)
    settings.PRESSCENTRE_PUBLIC_URL = PUBLIC_BASE


@pytest.fixture
def release(newsroom):
    return PressReleaseFactory(
        parent=newsroom,
        title="Pay gap report; regions, cities \\ towns",
        slug="pay-gap-report",
        embargo_until=LIFT,
        subheadline="Women in the regions earn 14% less",
        lead="Women in the regions earn 14% less than men, the institute finds.",
    )


@pytest.fixture
def link(release, editor):
    return create_access_link(
        release, name="Jane Doe", email="jane@ledger.example", outlet="The Daily Ledger", by=editor, at=CREATED
    )


def calendar_url(link) -> str:
    return f"/embargoed/{link.token}/embargo.ics"


def text_url(link) -> str:
    return f"/embargoed/{link.token}/release.txt"


def unfolded_lines(data: bytes) -> list[str]:
    """RFC 5545 section 3.1: every line ends in CRLF and is at most 75 octets; a line starting with a space
    continues the one before."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    for line in physical:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
    logical: list[bytes] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]


def unescape_text(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda match: "\n" if match[1] in "nN" else match[1], value)


def properties(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        name, _, value = line.partition(":")
        found.setdefault(name.split(";")[0], value)
    return found


# The tools on the copy


def test_the_copy_offers_the_calendar_the_text_to_copy_and_the_text_download(client, link, release):
    page = BeautifulSoup(client.get(link.get_absolute_url()).content, "html.parser")

    tools = page.select_one("main .journalist-tools")
    assert tools is not None
    links = {" ".join(anchor.get_text().split()): anchor["href"] for anchor in tools.select("a")}
    assert links == {"Add to calendar (.ics)": calendar_url(link), "Download release text (.txt)": text_url(link)}
    button = tools.find("button", string="Copy release text")
    source = page.find(id=button["data-copy-from"])
    assert source.get_text().startswith("EMBARGOED UNTIL 00:01 GMT, Saturday 2nd March 2030\n\nPay gap report")
    assert page.find("script", src=re.compile(r"js/copy\.js$")).has_attr("defer")
    assert not page.select('script:not([src]):not([type="application/ld+json"])')


def test_the_tools_come_before_the_item_and_only_once(client, link):
    html = client.get(link.get_absolute_url()).content.decode()

    assert html.count('class="journalist-tools"') == 1
    assert html.index('class="journalist-tools"') < html.index("<h1")


def test_the_terms_page_shows_no_tools_and_no_text(client, link, release):
    site_settings = PressCentreSettings.for_site(release.get_site())
    site_settings.journalist_terms = "Do not publish before the lift."
    site_settings.save()

    html = client.get(link.get_absolute_url()).content.decode()

    assert "journalist-tools" not in html and release.lead not in html
    assert client.get(text_url(link))["Location"] == link.get_absolute_url()
    assert client.get(calendar_url(link))["Location"] == link.get_absolute_url()


# The calendar file


def test_the_calendar_is_a_valid_rfc_5545_event_at_the_lift(client, link, release):
    response = client.get(calendar_url(link))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    lines = unfolded_lines(response.content)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    event = properties(lines[lines.index("BEGIN:VEVENT") + 1 : lines.index("END:VEVENT")])
    calendar = properties(lines[1 : lines.index("BEGIN:VEVENT")])
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert event["UID"].startswith(f"embargo-{release.pk}-20300302T000100Z@press.example.org")
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
    assert event["DTSTART"] == "20300302T000100Z"
    assert unescape_text(event["SUMMARY"]) == "Embargo lifts: Pay gap report; regions, cities \\ towns"
    assert event["SUMMARY"] == "Embargo lifts: Pay gap report\\; regions\\, cities \\\\ towns"
    assert unescape_text(event["DESCRIPTION"]) == (
        f"EMBARGOED UNTIL 00:01 GMT, Saturday 2nd March 2030\nPublic at the lift: {PUBLIC_BASE}/pay-gap-report/"
    )


@pytest.mark.parametrize("kind", ["calendar", "text"])
def test_revoked_expired_and_wrong_tokens_get_a_404(client, release, link, editor, kind):
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
    url = calendar_url if kind == "calendar" else text_url

    assert client.get(url(link)).status_code == 200
    for other in (expired, revoked):
        response = client.get(url(other))
        assert response.status_code == 404, other.name
        assert b"Pay gap" not in response.content
    forged = type(link)(token=link.token[:-1] + ("A" if link.token[-1] != "A" else "B"))
    assert client.get(url(forged)).status_code == 404


@pytest.mark.parametrize("kind", ["calendar", "text"])
def test_after_the_lift_the_link_s_downloads_are_gone(client, link, time_machine, kind):
    time_machine.move_to(LIFT, tick=False)

    assert client.get(calendar_url(link) if kind == "calendar" else text_url(link)).status_code == 404


def test_a_link_gives_the_text_and_calendar_of_its_own_item_only(client, newsroom, link):
    PressReleaseFactory(parent=newsroom, title="Another release", embargo_until=LIFT)

    assert b"Another release" not in client.get(text_url(link)).content
    assert b"Another release" not in client.get(calendar_url(link)).content


def test_downloads_need_a_safe_method(client, link):
    assert client.post(text_url(link)).status_code == 405
    assert client.post(calendar_url(link)).status_code == 405


# The plain-text download


def test_the_text_download_is_the_release_as_plain_text_kept_private(client, link, release):
    response = client.get(text_url(link))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pay-gap-report.txt"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    text = response.content.decode()
    assert text.startswith("EMBARGOED UNTIL 00:01 GMT, Saturday 2nd March 2030\n\nPay gap report")
    assert "\n\nWomen in the regions earn 14% less\n\n" in text
    assert f"{release.dateline(ZoneInfo('Europe/London'))} \u2014 Women in the regions earn 14% less than men" in text
    assert text.index("ENDS") < text.index("Notes to editors")
    assert "<p>" not in text


def test_documents_in_the_text_go_through_the_link(client, newsroom, editor):
    report = ReportFactory(parent=newsroom, title="Counting the cost", embargo_until=LIFT)
    pdf = make_document("Counting the cost (PDF)", "counting-the-cost.pdf")
    ReportDocument.objects.create(report=report, document=pdf)
    link = create_access_link(report, name="Jane", email="jane@example.org", outlet="", by=editor, at=CREATED)

    text = client.get(text_url(link)).content.decode()

    assert f"Counting the cost (PDF) ({PUBLIC_BASE}/embargoed/{link.token}/documents/{pdf.pk}/)" in text
    assert pdf.url not in text
    assert client.get(f"/embargoed/{link.token}/documents/{pdf.pk}/").status_code == 200


def test_nothing_of_the_copy_reaches_a_shared_cache(client, link):
    from django.core.cache import caches

    client.get(link.get_absolute_url())
    client.get(text_url(link))
    client.get(calendar_url(link))

    assert not any(link.token in str(key) for key in caches["default"]._cache)
