"""The email of a press release, built from its structured fields: rendered once per distribution, then
personalised per recipient by swapping two markers (their access link and unsubscribe address).

Rendering once keeps a 5,000-recipient send from rendering templates 5,000 times; the markers are plain
ASCII strings that cannot occur in the release's own text.
"""

import html
import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.rich_text import expand_db_html

from presscentre.core.urls_public import public_base_url, public_page_url, public_url
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

    def message_for(
        self, *, to: str, link_url: str, unsubscribe_url: str, connection=None, delivery=None
    ) -> EmailMultiAlternatives:
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


def compose_release_email(release, *, at: datetime, unsubscribe_note: str = "") -> ReleaseEmail:
    """Render `release` as an email for sending at `at`: the whole release (release line, headline, sub-headline,
    dateline and lead, every body block, ENDS, notes to editors, boilerplate, media contacts) in a text and an
    HTML part. Under embargo then, the subject carries the embargo line, each recipient gets a personal link and
    the lift comes as a calendar event. `unsubscribe_note` replaces the unsubscribe link in the footer (a test
    sent to someone who is not a contact has none)."""
    from presscentre.newsroom.models import PressCentreSettings

    site = release.get_site()
    site_settings = PressCentreSettings.for_site(site) if site else None
    base_url = public_base_url()
    embargoed = release.is_embargoed_at(at)
    boilerplate = release.boilerplate or (site_settings.default_boilerplate if site_settings else None)
    contacts = [link.contact for link in release.contact_links.select_related("contact")]
    if not contacts and site_settings:
        contacts = site_settings.default_contacts()
    zone = site_settings.zone if site_settings else None
    notes_html = rich_text_html(release.notes_to_editors)
    boilerplate_html = rich_text_html(boilerplate.text) if boilerplate else ""
    body = [render_block(block) for block in release.body]
    context = {
        "release": release,
        "release_line": release.release_line() if embargoed else "FOR IMMEDIATE RELEASE",
        "dateline": release.dateline(zone),
        "embargoed": embargoed,
        "link": LINK_MARKER,
        "unsubscribe_url": UNSUBSCRIBE_MARKER,
        "unsubscribe_note": unsubscribe_note,
        "body_html": mark_safe("\n".join(part.html for part in body if part.html)),  # noqa: S308 - built escaped
        "body_text": "\n\n".join(part.text for part in body if part.text),
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
        text=wrap_text(render_to_string("emails/distribution_release.txt", context)),
        html=fold_long_lines(render_to_string("emails/distribution_release.html", context)),
        embargoed=embargoed,
        public_url=public_page_url(release),
        base_url=base_url,
        calendar=embargo_calendar(release) if embargoed else None,
        reply_to=(site_settings.press_office_email if site_settings else "") or "",
    )


@dataclass(frozen=True)
class RenderedBlock:
    html: str
    text: str


def render_block(block) -> RenderedBlock:
    """One body block for email: HTML with inline styles (mail clients drop style sheets) and plain text. Embeds
    become links (an email loads nothing from a provider); images carry their alt text and caption."""
    value = block.value
    kind = block.block_type
    if kind == "paragraph":
        markup = rich_text_html(value.source)
        return RenderedBlock(html=markup, text=html_to_text(markup))
    if kind == "heading":
        level = "h3" if value.get("level") == "h3" else "h2"
        size = "1.05em" if level == "h3" else "1.2em"
        text = value["text"]
        return RenderedBlock(
            html=format_html('<{} style="font-size: {};">{}</{}>', level, size, text, level),
            text=f"{text}\n{('-' if level == 'h3' else '=') * len(text)}",
        )
    if kind == "quote":
        quote = value["quote"].strip()
        speaker = ", ".join(part for part in (value.get("speaker"), value.get("speaker_role")) if part)
        html = format_html(
            '<blockquote style="margin: 1em 0; padding-left: 1em; border-left: 3px solid #888;">'
            "<p>\u201c{}\u201d</p>{}</blockquote>",
            linebreaksbr(quote),
            format_html("<p>\u2014 {}</p>", speaker) if speaker else "",
        )
        return RenderedBlock(html=html, text=f"\u201c{quote}\u201d" + (f"\n\u2014 {speaker}" if speaker else ""))
    if kind == "image":
        return _image_block(value)
    if kind == "embed":
        if value is None or not getattr(value, "url", ""):
            return RenderedBlock(html="", text="")
        url = value.url
        return RenderedBlock(
            html=format_html('<p>Embedded media: <a href="{}">{}</a></p>', url, url),
            text=f"[Embedded media: {url}]",
        )
    if kind in _IMPORTED_BLOCKS:
        return _IMPORTED_BLOCKS[kind](value)
    # A block type added later still reaches the journalist as text.
    text = html_to_text(str(block.render()))
    return RenderedBlock(html=format_html("<p>{}</p>", text), text=text)


def _image_block(value) -> RenderedBlock:
    alt = value.get("alt_text") or ""
    caption = value.get("caption") or ""
    described = " \u2014 ".join(part for part in (alt, caption) if part)
    text = f"[Image: {described}]" if described else ""
    image = value.get("image")
    picture = ""
    if image is not None:
        try:
            rendition = image.get_rendition("max-1200x1200")
        except OSError:
            # The file is missing from storage: the words still describe it.
            picture = ""
        else:
            picture = format_html(
                '<img src="{}" alt="{}" width="{}" style="max-width: 100%; height: auto;">',
                public_url(rendition.url),
                alt,
                min(rendition.width, 600),
            )
    caption_html = format_html('<br><small style="color: #555;">{}</small>', caption) if caption else ""
    if not picture and alt:
        picture = format_html("<em>[Image: {}]</em>", alt)
    if not picture and not caption_html:
        return RenderedBlock(html="", text=text)
    return RenderedBlock(html=format_html("<p>{}{}</p>", picture, caption_html), text=text)


def _captioned_embed_block(value) -> RenderedBlock:
    url = value["url"].url if value.get("url") is not None else ""
    if not url:
        return RenderedBlock(html="", text="")
    caption = value.get("caption") or ""
    return RenderedBlock(
        html=format_html(
            '<p>Embedded media: <a href="{}">{}</a><br><small style="color: #555;">{}</small></p>', url, url, caption
        ),
        text=f"[Embedded media: {url}]" + (f"\n{caption}" if caption else ""),
    )


def _gallery_block(value) -> RenderedBlock:
    parts = [_image_block(image) for image in value["images"]]
    caption = value.get("caption") or ""
    markup = "\n".join(part.html for part in parts if part.html)
    if caption:
        markup += format_html('\n<p><small style="color: #555;">{}</small></p>', caption)
    text = "\n".join(part.text for part in parts if part.text)
    return RenderedBlock(html=markup, text="\n".join(part for part in (text, caption) if part))


def _media_block(value) -> RenderedBlock:
    """Audio or video as a link to the file: mail clients play neither."""
    document = value.get("document")
    if document is None:
        return RenderedBlock(html="", text="")
    what = {"audio": "Audio", "video": "Video"}.get(value.kind(), "File")
    label = value.get("caption") or document.title
    url = public_url(document.url)
    return RenderedBlock(
        html=format_html('<p>{}: <a href="{}">{}</a></p>', what, url, label), text=f"{what}: {label} ({url})"
    )


def _disclosure_block(value) -> RenderedBlock:
    """The summary as a bold line and what it hides shown in full: a message cannot open and close."""
    summary = value.get("summary") or ""
    body = rich_text_html(value["body"].source) if value.get("body") is not None else ""
    return RenderedBlock(
        html=format_html("<p><strong>{}</strong></p>{}", summary, mark_safe(body)),  # noqa: S308 - expanded rich text
        text="\n\n".join(part for part in (summary, html_to_text(body)) if part),
    )


def _preformatted_block(value) -> RenderedBlock:
    return RenderedBlock(
        html=format_html('<pre style="white-space: pre-wrap; font-family: monospace;">{}</pre>', value),
        text=value.strip("\n"),
    )


# Blocks WordPress imports bring; each keeps its words and addresses in both parts of the message.
_IMPORTED_BLOCKS = {
    "captioned_embed": _captioned_embed_block,
    "gallery": _gallery_block,
    "media": _media_block,
    "disclosure": _disclosure_block,
    "preformatted": _preformatted_block,
}


_RELATIVE_HREF = re.compile(r'(\s(?:href|src)=")(/[^/"][^"]*|/)"')


def rich_text_html(source: str) -> str:
    """Stored rich text as email HTML: page and document links expanded, and made absolute on the public site."""
    if not source:
        return ""
    return _RELATIVE_HREF.sub(lambda m: f'{m[1]}{public_url(m[2])}"', expand_db_html(source))


# RFC 5322 caps a line at 998 bytes; a longer one makes the whole part quoted-printable, which would hide the
# markers the prepared message personalises. Plain text is wrapped as mail clients expect; HTML is folded.
TEXT_WIDTH = 76
HTML_LINE_LIMIT = 200


def wrap_text(text: str) -> str:
    """Wrap long lines of the text part at TEXT_WIDTH, never breaking a word or an address."""
    lines = []
    for line in text.split("\n"):
        if len(line) <= TEXT_WIDTH:
            lines.append(line)
            continue
        indent = "  " if line.startswith("- ") else ""
        lines.extend(
            textwrap.wrap(line, TEXT_WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
        )
    return "\n".join(lines)


def fold_long_lines(markup: str) -> str:
    """Break HTML lines longer than HTML_LINE_LIMIT characters at spaces (a newline is a space to HTML)."""
    lines = []
    for line in markup.split("\n"):
        while len(line) > HTML_LINE_LIMIT:
            cut = line.rfind(" ", 0, HTML_LINE_LIMIT)
            if cut <= 0:
                cut = line.find(" ", HTML_LINE_LIMIT)
                if cut == -1:
                    break
            lines.append(line[:cut])
            line = line[cut + 1 :]
        lines.append(line)
    return "\n".join(lines)


_LINK = re.compile(r'<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_PARAGRAPH_END = re.compile(r"</(p|h[1-6]|div|ul|ol|blockquote)>", re.IGNORECASE)
_LINE_END = re.compile(r"</li>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """Plain text of rich text for the text part: a blank line between paragraphs, list items as '- ' lines,
    links as 'text (address)'."""
    if not markup:
        return ""
    text = _LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[1] and m[1] != m[2] else m[2], markup)
    text = re.sub(r"<li[^>]*>", "- ", text, flags=re.IGNORECASE)
    text = _PARAGRAPH_END.sub("\n\n", text)
    text = _LINE_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


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
