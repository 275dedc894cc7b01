"""The email of a press release, built from its structured fields: rendered once per distribution, then
personalised per recipient by swapping two markers (their access link and unsubscribe address).

Rendering once keeps a 5,000-recipient send from rendering templates 5,000 times; the markers are plain
ASCII strings that cannot occur in the release's own text.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from wagtail.rich_text import expand_db_html

from presscentre.embargo.services import embargo_calendar

LINK_MARKER = "PRESSCENTRE-PERSONAL-LINK-f3a9"
UNSUBSCRIBE_MARKER = "PRESSCENTRE-UNSUBSCRIBE-LINK-f3a9"
TEST_SUBJECT_PREFIX = "[Test] "


@dataclass(frozen=True)
class ReleaseEmail:
    """A release's email with markers where each recipient's own links go."""

    subject: str
    text: str
    html: str
    embargoed: bool
    public_url: str
    base_url: str
    calendar: bytes | None
    reply_to: str

    def message_for(self, *, to: str, link_url: str, unsubscribe_url: str, connection=None) -> EmailMultiAlternatives:
        """The message for one recipient: their link, their one-click unsubscribe headers, the .ics if embargoed."""
        text = self.text.replace(LINK_MARKER, link_url).replace(UNSUBSCRIBE_MARKER, unsubscribe_url)
        body_html = self.html.replace(LINK_MARKER, html.escape(link_url)).replace(
            UNSUBSCRIBE_MARKER, html.escape(unsubscribe_url)
        )
        headers = {"Message-ID": make_msgid(domain=_domain_of(self.base_url))}
        if unsubscribe_url.startswith("http"):
            # RFC 8058: mail clients offer "Unsubscribe" and POST "List-Unsubscribe=One-Click" to this address.
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            reply_to=[self.reply_to] if self.reply_to else None,
            headers=headers,
            connection=connection,
        )
        message.attach_alternative(body_html, "text/html")
        if self.calendar is not None:
            message.attach("embargo.ics", self.calendar, "text/calendar")
        return message


def _domain_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or "presscentre.invalid"


def compose_release_email(release, *, at: datetime) -> ReleaseEmail:
    """Render `release` as an email for sending at `at`: under embargo then, the subject carries the embargo
    line, each recipient gets a personal link and the lift comes as a calendar event."""
    from presscentre.newsroom.models import PressCentreSettings

    site = release.get_site()
    site_settings = PressCentreSettings.for_site(site) if site else None
    base_url = site.root_url if site else settings.WAGTAILADMIN_BASE_URL
    embargoed = release.is_embargoed_at(at)
    boilerplate = release.boilerplate or (site_settings.default_boilerplate if site_settings else None)
    contacts = [link.contact for link in release.contact_links.select_related("contact")]
    if not contacts and site_settings:
        contacts = site_settings.default_contacts()
    zone = site_settings.zone if site_settings else None
    notes_html = expand_db_html(release.notes_to_editors) if release.notes_to_editors else ""
    boilerplate_html = expand_db_html(boilerplate.text) if boilerplate else ""
    context = {
        "release": release,
        "release_line": release.release_line() if embargoed else "FOR IMMEDIATE RELEASE",
        "dateline": release.dateline(zone),
        "embargoed": embargoed,
        "link": LINK_MARKER,
        "unsubscribe_url": UNSUBSCRIBE_MARKER,
        "notes_html": notes_html,
        "notes_text": html_to_text(notes_html),
        "boilerplate_html": boilerplate_html,
        "boilerplate_text": html_to_text(boilerplate_html),
        "organisation": site_settings.organisation_name if site_settings else settings.WAGTAIL_SITE_NAME,
        "contacts": contacts,
    }
    subject = f"{release.embargo_line()}: {release.title}" if embargoed else release.title
    return ReleaseEmail(
        subject=subject,
        text=render_to_string("emails/distribution_release.txt", context),
        html=render_to_string("emails/distribution_release.html", context),
        embargoed=embargoed,
        public_url=release.get_full_url() or "",
        base_url=base_url,
        calendar=embargo_calendar(release) if embargoed else None,
        reply_to=(site_settings.press_office_email if site_settings else "") or "",
    )


_LINK = re.compile(r'<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|div)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """Plain text of rich text for the text part: paragraphs on their own lines, links as 'text (address)'."""
    if not markup:
        return ""
    text = _LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[1] and m[1] != m[2] else m[2], markup)
    text = re.sub(r"<li[^>]*>", "- ", text, flags=re.IGNORECASE)
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


RECIPIENT_MARKER = "recipient-f3a9@presscentre.invalid"
MESSAGE_ID_MARKER = "<message-id-f3a9@presscentre.invalid>"
UNSUBSCRIBE_PART_MARKER = "PRESSCENTRE-UNSUBSCRIBE-TOKEN-f3a9"


class PreparedMessage:
    """The message serialised once with markers, personalised per recipient by replacing bytes.

    Building and flattening a MIME message costs more CPU than the rest of a send together; this does it once
    per batch. `ready` is False (and callers build each message instead) when the serialisation did not keep
    every marker intact, e.g. a body line over 998 characters that had to be quoted-printable encoded.
    """

    def __init__(self, email: ReleaseEmail):
        from django.core.mail.message import sanitize_address
        from django.urls import reverse

        self.unsubscribe_template = (
            f"{email.base_url}{reverse('distribution:unsubscribe', args=[UNSUBSCRIBE_PART_MARKER])}"
        )
        message = email.message_for(
            to=RECIPIENT_MARKER, link_url=LINK_MARKER, unsubscribe_url=self.unsubscribe_template
        )
        message.extra_headers["Message-ID"] = MESSAGE_ID_MARKER
        encoding = message.encoding or settings.DEFAULT_CHARSET
        self.from_address = sanitize_address(message.from_email, encoding)
        self.domain = _domain_of(email.base_url)
        self.data = message.message().as_bytes(linesep="\r\n")
        links = email.text.count(LINK_MARKER) + email.html.count(LINK_MARKER)
        tokens = email.text.count(UNSUBSCRIBE_MARKER) + email.html.count(UNSUBSCRIBE_MARKER) + 1
        self.ready = (
            self.data.count(LINK_MARKER.encode()) == links
            and self.data.count(UNSUBSCRIBE_PART_MARKER.encode()) == tokens
            and self.data.count(RECIPIENT_MARKER.encode()) == 1
            and self.data.count(MESSAGE_ID_MARKER.encode()) == 1
        )

    def render(self, *, to: str, link_url: str, unsubscribe_token: str) -> tuple[bytes, str]:
        """The message for `to` (an ASCII address), and its Message-ID."""
        message_id = make_msgid(domain=self.domain)
        data = (
            self.data.replace(RECIPIENT_MARKER.encode(), to.encode())
            .replace(LINK_MARKER.encode(), html.escape(link_url).encode())
            .replace(UNSUBSCRIBE_PART_MARKER.encode(), unsubscribe_token.encode())
            .replace(MESSAGE_ID_MARKER.encode(), message_id.encode())
        )
        return data, message_id
