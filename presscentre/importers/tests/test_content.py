"""Classic and block editor content to body blocks, sanitised."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from presscentre.importers.content import MediaMatch, convert, host_forms, plain_text, split_more
from presscentre.importers.models import ImportedPost
from presscentre.importers.services.run import import_wxr_file

FIXTURE = Path(__file__).parent / "fixtures" / "media.xml"


def types(blocks: list[dict]) -> list[str]:
    return [block["type"] for block in blocks]


def test_block_markup_becomes_heading_image_list_quote_and_embed_blocks():
    content = FIXTURE.read_text().split("<![CDATA[", 1)[1].split("]]>", 1)[0]
    blocks = convert(content)
    assert types(blocks) == ["paragraph", "heading", "paragraph", "quote", "embed", "paragraph"]
    assert blocks[1]["value"] == {"text": "What we found", "level": "h3"}
    assert "<li>First finding</li><li>Second finding</li>" in blocks[2]["value"]
    assert blocks[3]["value"] == {"quote": "We welcome the figures.", "speaker": "Dr Asha Menon", "speaker_role": ""}
    assert blocks[4]["value"] == "https://www.youtube.com/watch?v=abc123"
    assert blocks[5]["value"] == "<p>Styled text</p>"


@pytest.mark.parametrize(
    "hostile",
    [
        '<p onclick="steal()">x</p><script>alert(1)</script>',
        "<style>body{display:none}</style><p>x</p>",
        '<p><a href="javascript:alert(1)">x</a></p>',
        '<p><img src="x" onerror="alert(1)">x</p>',
        '<iframe src="https://evil.example/"></iframe><p>x</p>',
    ],
)
def test_scripts_styles_event_handlers_and_unknown_frames_are_dropped(hostile):
    html = str(convert(hostile))
    for word in ("script", "style", "onclick", "onerror", "javascript", "alert", "evil", "display"):
        assert word not in html


def test_classic_html_gets_paragraphs_headings_and_kept_links():
    blocks = convert('First line\n\n<h2>Section</h2>\nSecond <a href="https://e.org/">link</a>\n\n<h5>Small</h5>')
    assert types(blocks) == ["paragraph", "heading", "paragraph", "heading"]
    assert blocks[2]["value"] == '<p>Second <a href="https://e.org/">link</a></p>'
    assert blocks[3]["value"]["level"] == "h3"


def test_embeds_from_shortcode_bare_provider_url_and_iframe():
    blocks = convert(
        "[embed]https://vimeo.com/1[/embed]\n\nhttps://youtu.be/xyz\n\nhttps://example.org/not-a-provider\n\n"
        '<iframe src="https://www.youtube.com/embed/abc"></iframe>'
    )
    assert [b["value"] for b in blocks if b["type"] == "embed"] == [
        "https://vimeo.com/1",
        "https://youtu.be/xyz",
        "https://www.youtube.com/watch?v=abc",
    ]
    assert "https://example.org/not-a-provider" in blocks[2]["value"]


def test_images_without_a_library_match_stay_as_figures_with_alt_and_caption():
    blocks = convert('[caption id="a"]<img src="https://e.org/a.jpg" alt="A cat"> A cat[/caption]')
    assert blocks == [
        {
            "type": "paragraph",
            "value": '<figure><img src="https://e.org/a.jpg" alt="A cat"><figcaption>A cat</figcaption></figure>',
        }
    ]


def test_images_matched_in_the_library_become_image_blocks():
    def media(url, wp_id):
        return MediaMatch("image", 7, "/media/fox.jpg") if wp_id == "9" else None

    blocks = convert('<p><img class="wp-image-9" src="https://e.org/x.jpg" alt=""></p>', media)
    assert blocks == [{"type": "image", "value": {"image": 7, "alt_text": "", "caption": ""}}]


def test_quote_without_a_speaker_stays_a_block_quote_in_the_text():
    assert convert("<blockquote><p>Said</p></blockquote>") == [
        {"type": "paragraph", "value": "<blockquote><p>Said</p></blockquote>"}
    ]


def test_more_marker_splits_the_excerpt_from_the_rest():
    before, whole = split_more("<p>Intro &amp; more</p><!--more Read on-->\n<p>Rest</p>")
    assert plain_text(before) == "Intro & more"
    assert "<!--more" not in whole and "Rest" in whole
    assert split_more("No marker") == ("", "No marker")


@pytest.mark.django_db
def test_summary_comes_from_the_part_before_more_when_there_is_no_excerpt(newsroom):
    import_wxr_file(
        FIXTURE,
        parent=newsroom,
        at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    page = ImportedPost.objects.get(wp_post_id=20).page.specific
    assert page.summary == "Read the report today."


def test_links_to_pages_of_the_old_site_become_root_relative_and_files_stay():
    hosts = frozenset(host_forms("https://old.example.org"))
    html = convert(
        '<p><a href="https://old.example.org/2024/03/post/?p=1#c">a</a> '
        '<a href="https://OLD.example.org/wp-content/uploads/f.pdf">f</a> '
        '<a href="https://old.example.org.evil.example/x">e</a></p>',
        old_hosts=hosts,
    )[0]["value"]
    assert 'href="/2024/03/post/?p=1#c"' in html
    assert 'href="https://OLD.example.org/wp-content/uploads/f.pdf"' in html
    assert 'href="https://old.example.org.evil.example/x"' in html


def test_old_site_host_matches_in_unicode_and_punycode_forms():
    hosts = frozenset(host_forms("https://\U0001f680-science.com/science"))
    html = convert('<p><a href="https://xn---science-7f85g.com/science/about/">x</a></p>', old_hosts=hosts)[0]["value"]
    assert 'href="/science/about/"' in html
