"""Audio, video, captioned embeds, galleries and disclosures survive the import; images left behind are reported."""

from collections import Counter
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from wagtail.documents import get_document_model

from presscentre.core.urls_public import public_url
from presscentre.distribution.release_email import compose_release_email
from presscentre.importers.content import REMOTE_IMAGES, MediaMatch, convert
from presscentre.importers.services.report import ImportSummary
from presscentre.importers.services.run import import_wxr_file
from presscentre.newsroom.excerpts import excerpt_of
from presscentre.newsroom.tests.factories import ImageFactory, PressReleaseFactory

AT = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
OLD = "https://old.example.org/wp-content/uploads/2024/03"


def types(blocks: list[dict]) -> list[str]:
    return [block["type"] for block in blocks]


def library(url: str, wp_id: str) -> MediaMatch | None:
    """Two images (ids 1, 2: a.jpg, b.jpg), a recording (talk.mp3) and a film (film.mp4) were imported."""
    files = {"a.jpg": ("image", 1), "b.jpg": ("image", 2), "talk.mp3": ("document", 3), "film.mp4": ("document", 4)}
    by_id = {"1": "a.jpg", "2": "b.jpg"}
    name = url.rsplit("/", 1)[-1] if url else ""
    name = name if name in files else by_id.get(wp_id, "")
    if name not in files:
        return None
    kind, pk = files[name]
    return MediaMatch(kind, pk, f"/media/{name}" if kind == "image" else "", title=name.split(".")[0])


def test_audio_and_video_blocks_become_media_blocks_when_the_file_was_imported():
    blocks = convert(
        f'<!-- wp:audio {{"id":3}} --><figure class="wp-block-audio"><audio controls src="{OLD}/talk.mp3"></audio>'
        '<figcaption class="wp-element-caption">The talk</figcaption></figure><!-- /wp:audio -->'
        f'<!-- wp:video --><figure class="wp-block-video"><video controls src="{OLD}/film.mp4"></video></figure>'
        "<!-- /wp:video -->",
        library,
    )
    assert blocks == [
        {"type": "media", "value": {"document": 3, "caption": "The talk"}},
        {"type": "media", "value": {"document": 4, "caption": ""}},
    ]


def test_audio_and_video_shortcodes_and_bare_players_without_the_file_become_links_to_the_original():
    blocks = convert(
        f'Listen: \n\n[audio mp3="{OLD}/gone.mp3"][/audio]\n\n[video width="640" mp4="{OLD}/gone.mp4"][/video]\n\n'
        f'<video><source src="{OLD}/other.webm" type="video/webm"></video>'
    )
    text = " ".join(str(b["value"]) for b in blocks)
    assert f'Audio: <a href="{OLD}/gone.mp3">gone.mp3</a>' in text
    assert f'Video: <a href="{OLD}/gone.mp4">gone.mp4</a>' in text
    assert f'Video: <a href="{OLD}/other.webm">other.webm</a>' in text
    assert "<figure></figure>" not in text and "[audio" not in text and "[video" not in text


def test_shortcode_players_use_the_imported_file():
    blocks = convert(f'[audio src="{OLD}/talk.mp3"]\n\n[video mp4="{OLD}/film.mp4"][/video]', library)
    assert types(blocks) == ["media", "media"]


def test_embed_with_a_caption_is_a_captioned_embed_not_a_bare_url():
    blocks = convert(
        '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc"} --><figure class="wp-block-embed is-type-video">'
        '<div class="wp-block-embed__wrapper">\nhttps://www.youtube.com/watch?v=abc\n</div>'
        '<figcaption class="wp-element-caption">Our <em>launch</em> film</figcaption></figure><!-- /wp:embed -->'
    )
    assert blocks == [
        {
            "type": "captioned_embed",
            "value": {"url": "https://www.youtube.com/watch?v=abc", "caption": "Our launch film"},
        }
    ]


def test_galleries_of_imported_images_become_gallery_blocks_in_every_form():
    nested = (
        '<figure class="wp-block-gallery has-nested-images">'
        f'<figure class="wp-block-image"><img src="{OLD}/a-300x200.jpg" alt="First" class="wp-image-1"/>'
        '<figcaption class="wp-element-caption">One</figcaption></figure>'
        f'<figure class="wp-block-image"><img src="{OLD}/b.jpg" alt="" class="wp-image-2"/></figure>'
        '<figcaption class="blocks-gallery-caption">Both</figcaption></figure>'
    )
    grid = (
        '<figure class="wp-block-gallery columns-2"><ul class="blocks-gallery-grid">'
        f'<li class="blocks-gallery-item"><figure><a href="{OLD}/a.jpg"><img src="{OLD}/a.jpg" alt="First"></a>'
        '<figcaption class="blocks-gallery-item__caption">One</figcaption></figure></li>'
        f'<li class="blocks-gallery-item"><figure><img src="{OLD}/b.jpg" alt="Second"></figure></li></ul></figure>'
    )
    for content in (nested, grid, '[gallery columns="2" ids="1, 2"]'):
        blocks = convert(content, library)
        assert types(blocks) == ["gallery"], content
        images = blocks[0]["value"]["images"]
        assert [image["image"] for image in images] == [1, 2]
        assert images[0]["alt_text"] and images[1]["alt_text"]
    assert convert(nested, library)[0]["value"]["caption"] == "Both"
    assert convert(nested, library)[0]["value"]["images"][0]["caption"] == "One"


def test_galleries_whose_images_were_not_imported_become_links_without_empty_bullets():
    notes = Counter()
    blocks = convert(
        f'<ul class="blocks-gallery-grid"><li class="blocks-gallery-item"><figure><img src="{OLD}/x.jpg" alt="Ex">'
        f'</figure></li><li class="blocks-gallery-item"><figure><img src="{OLD}/y.jpg" alt=""></figure></li></ul>'
        '\n\n[gallery ids="77,78"]',
        notes=notes,
    )
    text = " ".join(str(b["value"]) for b in blocks)
    assert f'<a href="{OLD}/x.jpg">Ex</a>' in text and f'<a href="{OLD}/y.jpg">y.jpg</a>' in text
    assert "<li></li>" not in text and "<img" not in text and "[gallery" not in text
    assert notes["gallery shortcode: images not imported (no --media-dir), left out"] == 1


def test_details_become_disclosure_blocks():
    blocks = convert(
        '<!-- wp:details --><details class="wp-block-details"><summary>How we <b>counted</b></summary>'
        "<!-- wp:paragraph --><p>Twice, by hand.</p><!-- /wp:paragraph --><p>And once more.</p></details>"
        "<!-- /wp:details -->"
    )
    assert blocks == [
        {
            "type": "disclosure",
            "value": {"summary": "How we counted", "body": "<p>Twice, by hand.</p><p>And once more.</p>"},
        }
    ]


def test_details_with_nothing_but_a_summary_or_an_embed_keep_their_order_and_stay_editable():
    # A disclosure block needs a body to be saved from the admin: with none, the summary is a line of text.
    assert convert("<details><summary>Only a summary</summary></details><p>Next</p>") == [
        {"type": "paragraph", "value": "<p>Only a summary</p><p>Next</p>"}
    ]
    blocks = convert(
        '<details><summary>Watch</summary><figure class="wp-block-embed"><div>https://youtu.be/x</div></figure>'
        "</details>"
    )
    assert blocks == [
        {"type": "paragraph", "value": "<p>Watch</p>"},
        {"type": "embed", "value": "https://youtu.be/x"},
    ]


def test_a_disclosure_reads_as_prose_in_a_derived_excerpt():
    blocks = convert("<details><summary>How we <b>counted</b> a &lt; b</summary><p>Twice, by hand.</p></details>")
    assert excerpt_of("", blocks) == "How we counted a < b Twice, by hand."


def test_code_and_preformatted_keep_their_line_breaks():
    blocks = convert(
        '<pre class="wp-block-code"><code>def f():\n    return "&lt;b&gt;"</code></pre>'
        '<pre class="wp-block-preformatted">Line one\n  Line two</pre>'
    )
    assert blocks == [
        {"type": "preformatted", "value": 'def f():\n    return "<b>"'},
        {"type": "preformatted", "value": "Line one\n  Line two"},
    ]


def test_images_left_on_the_old_site_are_counted():
    notes = Counter()
    convert(f'<p><img src="{OLD}/a.jpg" alt="A"></p><p>Text <img src="{OLD}/b.jpg" alt="B"></p>', notes=notes)
    assert notes["images left on the old site"] == 2
    notes = Counter()
    convert(f'<p><img src="{OLD}/a.jpg" alt="A"></p>', library, notes=notes)
    assert notes["images left on the old site"] == 0


def test_what_stays_on_the_old_site_is_counted_by_reason():
    notes = Counter()
    convert(
        f'[audio mp3="{OLD}/gone.mp3"][/audio]\n\n<video src="{OLD}/gone.mp4"></video>\n\n'
        f'<figure class="wp-block-gallery"><figure><img src="{OLD}/x.jpg" alt="X"></figure>'
        f'<figure><img src="{OLD}/y.jpg" alt="Y"></figure></figure>\n\n[gallery]',
        notes=notes,
    )
    assert notes == {
        "audio not imported: linked to the original": 1,
        "video not imported: linked to the original": 1,
        "gallery images not imported: linked to the original": 2,
        "gallery shortcode without ids (the post's attached images), left out": 1,
    }


def test_unknown_shortcodes_stay_in_the_text_and_are_reported_but_bracketed_words_are_not():
    notes = Counter()
    blocks = convert('Write to us [contact-form-7 id="3" title="Contact"] or [note]soon[/note]. [sic] [1]', notes=notes)
    assert '[contact-form-7 id="3" title="Contact"]' in blocks[0]["value"]
    assert notes == {
        "shortcode [contact-form-7] left in the text as written": 1,
        "shortcode [note] left in the text as written": 1,
    }


def test_classic_page_breaks_join_the_pages_without_an_empty_paragraph():
    blocks = convert("Page one.\n<!--nextpage-->\nPage two.\n\n<!--nextpage-->\n\nPage three.")
    assert blocks == [{"type": "paragraph", "value": "<p>Page one.</p><p>Page two.</p><p>Page three.</p>"}]


def test_classic_single_line_breaks_are_kept_as_line_breaks():
    blocks = convert("Flat 2\n10 High Street\nLondon\n\nIntro:\n<ul>\n<li>one</li>\n</ul>")
    assert blocks[0]["value"].startswith("<p>Flat 2<br>\n10 High Street<br>\nLondon</p>")
    assert "<br>" not in blocks[0]["value"].split("</p>", 1)[1]
    assert convert("One<br />\nTwo")[0]["value"] == "<p>One<br>\nTwo</p>"  # already a break: not doubled


@pytest.mark.django_db
def test_release_email_text_reads_galleries_media_disclosures_and_code(newsroom):
    talk = get_document_model().objects.create(title="The talk", file=ContentFile(b"ID3", name="talk.mp3"))
    release = PressReleaseFactory(
        parent=newsroom,
        body=[
            {
                "type": "gallery",
                "value": {
                    "images": [{"image": ImageFactory().pk, "alt_text": "First photo", "caption": "Morning"}],
                    "caption": "The launch day",
                },
            },
            {"type": "media", "value": {"document": talk.pk, "caption": "The whole talk"}},
            {"type": "captioned_embed", "value": {"url": "https://vimeo.com/1", "caption": "The launch film"}},
            {"type": "disclosure", "value": {"summary": "How we counted", "body": "<p>Twice, by hand.</p>"}},
            {"type": "preformatted", "value": "def f():\n    return 1"},
        ],
    )

    email = compose_release_email(release, at=AT)

    for expected in (
        "[Image: First photo \u2014 Morning]\nThe launch day",
        f"Audio: The whole talk ({public_url(talk.url)})",
        "[Embedded media: https://vimeo.com/1]\nThe launch film",
        "How we counted\n\nTwice, by hand.",
        "def f():\n    return 1",
    ):
        assert expected in email.text
    assert "<strong>How we counted</strong>" in email.html and f'href="{public_url(talk.url)}"' in email.html


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Old</title><link>https://old.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://old.example.org</wp:base_site_url>
<item><title>One</title><content:encoded><![CDATA[<p><img src="{old}/a.jpg" alt="A"><img src="{old}/b.jpg" alt="B">
</p>]]></content:encoded><wp:post_id>1</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:post_date_gmt>2024-03-06 14:00:00</wp:post_date_gmt></item>
<item><title>Two</title><content:encoded><![CDATA[<img src="{old}/c.jpg" alt="C">]]></content:encoded>
<wp:post_id>2</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:post_date_gmt>2024-03-07 14:00:00</wp:post_date_gmt></item>
</channel></rss>""".replace("{old}", OLD)


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(WXR)
    return path


@pytest.mark.django_db
def test_summary_warns_that_images_left_on_the_old_site_are_blocked(newsroom, export):
    summary = import_wxr_file(export, parent=newsroom, at=AT)
    warning = summary.warnings()[0]
    assert "3 images in 2 items" in warning and "--media-dir" in warning and "img-src" in warning
    assert summary.table().startswith("WARNING: 3 images in 2 items")


@pytest.mark.django_db
def test_command_output_starts_with_the_image_warning(newsroom, export):
    out = StringIO()
    call_command("import_wordpress", str(export), stdout=out)
    assert "WARNING: 3 images in 2 items" in out.getvalue()


@pytest.mark.django_db
def test_admin_import_screen_shows_the_image_warning(newsroom, admin_client):
    upload = SimpleUploadedFile("export.xml", WXR.encode(), content_type="text/xml")
    response = admin_client.post(
        "/admin/import-wordpress/",
        {"file": upload, "mode": "dry_run", "parent": newsroom.pk, "default_type": "article"},
    )
    page = response.content.decode()
    assert 'class="import-warnings' in page and "3 images in 2 items" in page


def test_one_image_left_behind_is_named_in_the_singular():
    summary = ImportSummary(path="export.xml")
    summary.note_content(Counter({REMOTE_IMAGES: 1}))

    assert summary.warnings()[0].startswith("1 image in 1 item still points at the old site.")
    assert "blocks it," in summary.warnings()[0] and "to copy it." in summary.warnings()[0]
