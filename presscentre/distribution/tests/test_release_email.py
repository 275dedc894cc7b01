"""The email carries the whole release, in a text part and an HTML part, with every body block."""

import re

from presscentre.core.urls_public import public_url
from presscentre.distribution.release_email import (
    LINK_MARKER,
    PreparedMessage,
    compose_release_email,
    fold_long_lines,
    wrap_text,
)
from presscentre.distribution.tests.helpers import SEND_AT, embargoed_release
from presscentre.newsroom.models import ReleaseContact
from presscentre.newsroom.tests.factories import BoilerplateFactory, ImageFactory, PressContactFactory

LONG_PARAGRAPH = " ".join(["Energy bills rose again in the winter quarter, the survey finds."] * 40)


def whole_release(newsroom):
    image = ImageFactory(title="Chart")
    body = [
        {
            "type": "paragraph",
            "value": f'<p>Households spend more. See <a linktype="page" id="{newsroom.pk}">the press centre</a>.</p>'
            "<ul><li>Rent up 9%</li><li>Food up 6%</li></ul>",
        },
        {"type": "heading", "value": {"text": "What the survey found", "level": "h2"}},
        {"type": "heading", "value": {"text": "In the regions", "level": "h3"}},
        {
            "type": "quote",
            "value": {"quote": "Support has not kept pace.", "speaker": "Dr Asha Menon", "speaker_role": "Director"},
        },
        {
            "type": "image",
            "value": {
                "image": image.pk,
                "alt_text": "Bar chart of energy bills by region",
                "caption": "Source: survey",
            },
        },
        {"type": "embed", "value": "https://video.example.com/watch/launch-briefing"},
        {"type": "paragraph", "value": f"<p>{LONG_PARAGRAPH}</p>"},
    ]
    release = embargoed_release(
        newsroom,
        body=body,
        notes_to_editors="<p>The survey asked 2,000 households.</p>",
        boilerplate=BoilerplateFactory(text="<p>The institute is an independent research charity.</p>"),
    )
    ReleaseContact.objects.create(release=release, contact=PressContactFactory(name="Mo Khan", phone="020 7946 0001"))
    return release


def test_the_email_carries_the_whole_release_in_both_parts(newsroom):
    release = whole_release(newsroom)

    email = compose_release_email(release, at=SEND_AT)

    text = re.sub(r"\s+", " ", email.text)
    html = re.sub(r"\s+", " ", email.html[email.html.index("<body") :])
    in_order = [
        "EMBARGOED UNTIL 00:01 BST, Sunday 25th May 2031",
        "Households worse off than forecast",
        "A sub-headline that adds the second fact",
        "LONDON, ",
        "The institute today published new figures on household budgets.",
        "Households spend more.",
        "Rent up 9%",
        "What the survey found",
        "In the regions",
        "\u201cSupport has not kept pace.\u201d",
        "\u2014 Dr Asha Menon, Director",
        "Bar chart of energy bills by region",
        "Source: survey",
        "https://video.example.com/watch/launch-briefing",
        "Energy bills rose again",
        "ENDS",
        "The survey asked 2,000 households.",
        "The institute is an independent research charity.",
        "Mo Khan",
        "020 7946 0001",
    ]
    for part in (text, html):
        positions = [part.find(piece) for piece in in_order]
        assert -1 not in positions, [piece for piece, at in zip(in_order, positions, strict=True) if at == -1]
        assert positions == sorted(positions)
    # Text: headings underlined, list items as lines, links with their absolute address, images described.
    assert "What the survey found\n=====================" in email.text
    assert "In the regions\n--------------" in email.text
    assert "- Rent up 9%" in email.text
    assert f"the press centre ({public_url(newsroom.url)})" in text
    assert "[Image: Bar chart of energy bills by region \u2014 Source: survey]" in text
    assert "[Embedded media: https://video.example.com/watch/launch-briefing]" in text
    # HTML: real elements, absolute links, the image from the public site, the embed as a plain link.
    assert "<h2" in html and "<h3" in html and "<blockquote" in html and "<li>Rent up 9%</li>" in html
    assert f'href="{public_url(newsroom.url)}"' in html
    image = re.search(r'<img src="([^"]+)" alt="([^"]+)"', html)
    assert image[1].startswith(public_url("/")) and image[2] == "Bar chart of energy bills by region"
    assert '<a href="https://video.example.com/watch/launch-briefing">' in html
    assert "<iframe" not in html


def test_long_paragraphs_keep_every_line_within_the_mail_limit_so_the_fast_path_holds(newsroom):
    email = compose_release_email(whole_release(newsroom), at=SEND_AT)

    for part in (email.text, email.html):
        assert max(len(line.encode()) for line in part.splitlines()) < 998
    assert PreparedMessage(email).ready
    assert email.text.count(LINK_MARKER) == 1


def test_wrapping_never_breaks_a_word_or_an_address():
    address = "https://press.example.org/" + "a" * 120
    wrapped = wrap_text(f"Read it here {address} and tell us what you think of the figures in it, please.")

    assert address in wrapped.splitlines()
    assert all(len(line) <= 76 for line in wrapped.splitlines() if line != address)
    assert fold_long_lines("x " * 300).replace("\n", " ") == ("x " * 300)
