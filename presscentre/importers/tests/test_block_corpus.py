"""Every WordPress 6.x core block and every classic-editor equivalent, imported from one export and shown.

The export is written by `corpus_export()`: one post per construct, plus attachment records for the files an
uploads folder holds (two photos, a recording, a film, a PDF) and for one it lacks. It is imported with
`--media-dir` pointing at that folder, so the same export shows both sides: files that were copied become
image, gallery and media blocks; files that were not stay links to the old site. Each case then says which
blocks the body holds, what the page shows (and must not show) and what the plain-text download reads.
docs/import.md's table is the same list in prose.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import lxml.html
import pytest
from fpdf import FPDF
from PIL import Image
from wagtail.documents import get_document_model

from presscentre.core.urls_public import public_url
from presscentre.importers.models import ImportedPost
from presscentre.importers.services.run import import_wxr_file

AT = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
SITE = "https://old.example.org"
UP = f"{SITE}/wp-content/uploads/2024/03"
YOUTUBE = "https://www.youtube.com/watch?v=corpus1"

# (attachment id, title, file under the uploads folder, whether the folder holds it)
ATTACHMENTS = [
    (1, "Photo A", "2024/03/photo-a.jpg", True),
    (2, "Photo B", "2024/03/photo-b.jpg", True),
    (3, "The talk", "2024/03/talk.mp3", True),
    (4, "The film", "2024/03/film.mp4", True),
    (5, "The 2024 report", "2024/03/report.pdf", True),
    (6, "Lost recording", "2024/03/gone.mp3", False),
]


@dataclass(frozen=True)
class Case:
    """One construct: its post content, the body block types it becomes, and what readers get.

    In `shown` and `hidden`, `{talk.mp3}` and the like stand for the new URL of that imported document; in `text`,
    for its address on the public site.
    """

    name: str
    content: str
    types: tuple[str, ...]
    shown: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    summary: str | None = None


def block(name: str, markup: str, attributes: str = "") -> str:
    """`markup` between the block editor's comment delimiters, as WordPress saves it."""
    attrs = f" {attributes}" if attributes else ""
    return f"<!-- wp:{name}{attrs} -->\n{markup}\n<!-- /wp:{name} -->\n\n"


def paragraph(text: str) -> str:
    return block("paragraph", f"<p>{text}</p>")


NESTED_GALLERY = (
    '<figure class="wp-block-gallery has-nested-images columns-default is-cropped">'
    + block(
        "image",
        f'<figure class="wp-block-image size-large"><img src="{UP}/photo-a-1024x768.jpg" alt="First photo" '
        'class="wp-image-1"/><figcaption class="wp-element-caption">Morning</figcaption></figure>',
        '{"id":1}',
    )
    + block(
        "image",
        f'<figure class="wp-block-image size-large"><img src="{UP}/photo-b.jpg" alt="Second photo" class="wp-image-2"/>'
        "</figure>",
        '{"id":2}',
    )
    + '<figcaption class="blocks-gallery-caption wp-element-caption">The launch day</figcaption></figure>'
)

BLOCK_CASES = [
    Case(
        "block-paragraph",
        paragraph("Plain words with <strong>strong</strong> and <em>emphasis</em>."),
        ("paragraph",),
        shown=("<strong>strong</strong>", "<em>emphasis</em>"),
    ),
    Case(
        "block-heading",
        block("heading", '<h2 class="wp-block-heading">Findings in brief</h2>')
        + block("heading", '<h4 class="wp-block-heading">A smaller heading</h4>', '{"level":4}'),
        ("heading", "heading"),
        shown=(">Findings in brief</h2>", ">A smaller heading</h3>"),
    ),
    Case(
        "block-list",
        block(
            "list",
            '<ul class="wp-block-list">'
            + block("list-item", "<li>First point</li>")
            + block("list-item", "<li>Second point</li>")
            + "</ul>",
        ),
        ("paragraph",),
        shown=("<li>First point</li>", "<li>Second point</li>"),
        hidden=("<li></li>",),
        text=("- First point\n- Second point",),
    ),
    Case(
        "block-quote",
        block(
            "quote",
            '<blockquote class="wp-block-quote">'
            + paragraph("We welcome the figures.")
            + "<cite>Dr Asha Menon</cite></blockquote>",
        ),
        ("quote",),
        shown=("We welcome the figures.", "Dr Asha Menon"),
    ),
    Case(
        "block-pullquote",
        block(
            "pullquote",
            '<figure class="wp-block-pullquote"><blockquote><p>Numbers tell the story.</p><cite>The Director</cite>'
            "</blockquote></figure>",
        ),
        ("quote",),
        shown=("Numbers tell the story.", "The Director"),
    ),
    Case(
        "block-image",
        block(
            "image",
            f'<figure class="wp-block-image size-medium"><img src="{UP}/photo-a-300x225.jpg" alt="First photo" '
            'class="wp-image-1"/><figcaption class="wp-element-caption">Seen from the hill</figcaption></figure>',
            '{"id":1,"sizeSlug":"medium"}',
        ),
        ("image",),
        shown=('alt="First photo"', "<figcaption>Seen from the hill</figcaption>"),
        hidden=(f"{UP}/photo-a",),
        text=("[Image: First photo \u2014 Seen from the hill]",),
    ),
    Case(
        "block-image-left-on-the-old-site",
        block(
            "image", f'<figure class="wp-block-image"><img src="{UP}/never-uploaded.jpg" alt="Old picture"/></figure>'
        ),
        ("paragraph",),
        shown=(f'<img src="{UP}/never-uploaded.jpg" alt="Old picture">',),
    ),
    Case(
        "block-gallery",
        block("gallery", NESTED_GALLERY, '{"linkTo":"none"}'),
        ("gallery",),
        shown=(
            '<figure class="gallery">',
            'alt="First photo"',
            'alt="Second photo"',
            "<figcaption>Morning</figcaption>",
            "<figcaption>The launch day</figcaption>",
        ),
        hidden=(f"{UP}/photo-", "<li></li>"),
        text=("[Image: First photo \u2014 Morning]", "[Image: Second photo]", "The launch day"),
    ),
    Case(
        "block-gallery-left-on-the-old-site",
        block(
            "gallery",
            '<figure class="wp-block-gallery has-nested-images columns-default">'
            + block("image", f'<figure class="wp-block-image"><img src="{UP}/gone-1.jpg" alt="Gone one"/></figure>')
            + block("image", f'<figure class="wp-block-image"><img src="{UP}/gone-2.jpg" alt=""/></figure>')
            + "</figure>",
        ),
        ("paragraph",),
        shown=(f'<a href="{UP}/gone-1.jpg">Gone one</a>', f'<a href="{UP}/gone-2.jpg">gone-2.jpg</a>'),
        hidden=("<li></li>", "<img"),
    ),
    Case(
        "block-audio",
        block(
            "audio",
            f'<figure class="wp-block-audio"><audio controls src="{UP}/talk.mp3"></audio>'
            '<figcaption class="wp-element-caption">The whole talk</figcaption></figure>',
            '{"id":3}',
        ),
        ("media",),
        shown=('<audio controls preload="none" src="{talk.mp3}">', "<figcaption>The whole talk</figcaption>"),
        hidden=(f"{UP}/talk.mp3",),
        text=("[Audio: The whole talk ({talk.mp3})]",),
    ),
    Case(
        "block-audio-left-on-the-old-site",
        block("audio", f'<figure class="wp-block-audio"><audio controls src="{UP}/gone.mp3"></audio></figure>'),
        ("paragraph",),
        shown=(f'Audio: <a href="{UP}/gone.mp3">gone.mp3</a>',),
        hidden=("<figure></figure>", "<audio"),
    ),
    Case(
        "block-video",
        block(
            "video",
            f'<figure class="wp-block-video"><video controls poster="{UP}/poster.jpg" src="{UP}/film.mp4"></video>'
            "</figure>",
            '{"id":4}',
        ),
        ("media",),
        shown=('<video controls preload="none" src="{film.mp4}">', "Download The film"),
        hidden=(f"{UP}/film.mp4", "poster"),
    ),
    Case(
        "block-video-left-on-the-old-site",
        block(
            "video",
            f'<figure class="wp-block-video"><video controls src="{UP}/gone.mp4"></video>'
            '<figcaption class="wp-element-caption">Launch film</figcaption></figure>',
        ),
        ("paragraph",),
        shown=(f'Video: <a href="{UP}/gone.mp4">Launch film</a>',),
        hidden=("<video",),
    ),
    Case(
        "block-file",
        block(
            "file",
            f'<div class="wp-block-file"><object class="wp-block-file__embed" data="{UP}/report.pdf" '
            'type="application/pdf" style="width:100%;height:600px" aria-label="Embed of The report."></object>'
            f'<a id="wp-block-file--media-5" href="{UP}/report.pdf">The 2024 report</a>'
            f'<a href="{UP}/report.pdf" class="wp-block-file__button wp-element-button" download '
            'aria-describedby="wp-block-file--media-5">Download</a></div>',
            '{"id":5,"href":"report.pdf"}',
        ),
        ("paragraph",),
        shown=('<a href="{report.pdf}">The 2024 report</a>',),
        hidden=(f"{UP}/report.pdf", ">Download</a>", "<object"),
    ),
    Case(
        "block-embed",
        block(
            "embed",
            '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube">'
            f'<div class="wp-block-embed__wrapper">\n{YOUTUBE}\n</div></figure>',
            f'{{"url":"{YOUTUBE}","type":"video","providerNameSlug":"youtube"}}',
        ),
        ("embed",),
        shown=(f'<a href="{YOUTUBE}" rel="noopener">Watch or read this on youtube.com',),
        hidden=("<iframe",),
        text=(f"[Embedded media: {YOUTUBE}]",),
    ),
    Case(
        "block-embed-with-caption",
        block(
            "embed",
            '<figure class="wp-block-embed is-type-video is-provider-vimeo wp-block-embed-vimeo">'
            '<div class="wp-block-embed__wrapper">\nhttps://vimeo.com/76979871\n</div>'
            '<figcaption class="wp-element-caption">The <em>launch</em> film</figcaption></figure>',
            '{"url":"https://vimeo.com/76979871","type":"video","providerNameSlug":"vimeo"}',
        ),
        ("captioned_embed",),
        shown=('<a href="https://vimeo.com/76979871"', "<figcaption>The launch film</figcaption>"),
        text=("[Embedded media: https://vimeo.com/76979871 \u2014 The launch film]",),
    ),
    Case(
        "block-table",
        block(
            "table",
            '<figure class="wp-block-table"><table><thead><tr><th>Year</th><th>Share</th></tr></thead>'
            "<tbody><tr><td>2023</td><td>41%</td></tr></tbody></table>"
            '<figcaption class="wp-element-caption">Shares by year</figcaption></figure>',
        ),
        ("paragraph",),
        shown=("<th>Year</th>", "<td>41%</td>", "<figcaption>Shares by year</figcaption>"),
    ),
    Case(
        "block-details",
        block(
            "details",
            '<details class="wp-block-details"><summary>How we <strong>counted</strong></summary>'
            + paragraph("Twice, by hand.")
            + "</details>",
        ),
        ("disclosure",),
        shown=('<details class="disclosure">', "<summary>How we counted</summary>", "<p>Twice, by hand.</p>"),
        text=("How we counted\n\nTwice, by hand.",),
    ),
    Case(
        "block-code",
        block(
            "code",
            '<pre class="wp-block-code"><code>if a &lt; b:\n    print("&lt;b&gt;")</code></pre>',
        ),
        ("preformatted",),
        shown=('<pre class="preformatted">if a &lt; b:\n    print(&quot;&lt;b&gt;&quot;)</pre>',),
        hidden=("<b>",),
        text=('if a < b:\n    print("<b>")',),
    ),
    Case(
        "block-preformatted",
        block("preformatted", '<pre class="wp-block-preformatted">Line one\n   indented\n\nafter a gap</pre>'),
        ("preformatted",),
        shown=('<pre class="preformatted">Line one\n   indented\n\nafter a gap</pre>',),
    ),
    Case(
        "block-columns",
        block(
            "columns",
            '<div class="wp-block-columns">'
            + block("column", '<div class="wp-block-column">' + paragraph("Left column") + "</div>")
            + block("column", '<div class="wp-block-column">' + paragraph("Right column") + "</div>")
            + "</div>",
        ),
        ("paragraph",),
        shown=("<p>Left column</p>", "<p>Right column</p>"),
        hidden=("wp-block-column",),
    ),
    Case(
        "block-group",
        block(
            "group",
            '<div class="wp-block-group">'
            + block("heading", '<h2 class="wp-block-heading">Grouped heading</h2>')
            + paragraph("Grouped text")
            + "</div>",
            '{"layout":{"type":"constrained"}}',
        ),
        ("heading", "paragraph"),
        shown=(">Grouped heading</h2>", "<p>Grouped text</p>"),
        hidden=("wp-block-group",),
    ),
    Case(
        "block-buttons",
        block(
            "buttons",
            '<div class="wp-block-buttons">'
            + block(
                "button",
                '<div class="wp-block-button"><a class="wp-block-button__link wp-element-button" '
                'href="https://example.org/join">Join the list</a></div>',
            )
            + "</div>",
        ),
        ("paragraph",),
        shown=('<a href="https://example.org/join">Join the list</a>',),
    ),
    Case(
        "block-separator",
        paragraph("Above the line")
        + block("separator", '<hr class="wp-block-separator has-alpha-channel-opacity"/>')
        + paragraph("Below the line"),
        ("paragraph",),
        shown=("<p>Above the line</p>", "<p>Below the line</p>"),
        hidden=("wp-block-separator",),
    ),
    Case(
        "block-more",
        paragraph("The opening, shown in listings.") + block("more", "<!--more-->") + paragraph("The rest."),
        ("paragraph",),
        shown=("<p>The opening, shown in listings.</p>", "<p>The rest.</p>"),
        hidden=("<!--more",),
        summary="The opening, shown in listings.",
    ),
    Case(
        "block-nextpage",
        paragraph("Page one of two.") + block("nextpage", "<!--nextpage-->") + paragraph("Page two of two."),
        ("paragraph",),
        shown=("<p>Page one of two.</p><p>Page two of two.</p>",),
        hidden=("nextpage",),
    ),
]

CLASSIC_CASES = [
    Case(
        "classic-autop-paragraphs",
        "First paragraph, with a\nline break.\n\nSecond paragraph.\r\n\r\nThird <em>paragraph</em>.",
        ("paragraph",),
        shown=("<p>First paragraph, with a<br>\nline break.</p>", "<p>Second paragraph.</p>", "<em>paragraph</em>"),
    ),
    Case(
        "classic-caption",
        '[caption id="attachment_1" align="aligncenter" width="300"]<a href="'
        + f'{UP}/photo-a.jpg"><img class="size-medium wp-image-1" src="{UP}/photo-a-300x225.jpg" alt="First photo" '
        'width="300" height="225" /></a> Seen from the hill[/caption]',
        ("image",),
        shown=('alt="First photo"', "<figcaption>Seen from the hill</figcaption>"),
        hidden=("[caption", f"{UP}/photo-a"),
    ),
    Case(
        "classic-gallery",
        'Before the pictures.\n\n[gallery columns="2" link="file" ids="1,2"]\n\nAfter the pictures.',
        ("paragraph", "gallery", "paragraph"),
        shown=('<figure class="gallery">', 'alt="Photo A"', 'alt="Photo B"'),
        hidden=("[gallery",),
    ),
    Case(
        "classic-audio",
        f'Listen again:\n\n[audio mp3="{UP}/talk.mp3"][/audio]',
        ("paragraph", "media"),
        shown=('<audio controls preload="none" src="{talk.mp3}">',),
        hidden=("[audio",),
    ),
    Case(
        "classic-video-left-on-the-old-site",
        f'[video width="640" height="360" mp4="{UP}/gone.mp4"][/video]',
        ("paragraph",),
        shown=(f'Video: <a href="{UP}/gone.mp4">gone.mp4</a>',),
        hidden=("[video", "<figure></figure>"),
    ),
    Case(
        "classic-embed",
        f"Watch it:\n\n[embed]{YOUTUBE}[/embed]",
        ("paragraph", "embed"),
        shown=(f'<a href="{YOUTUBE}" rel="noopener">',),
        hidden=("[embed",),
    ),
    Case(
        "classic-bare-provider-url",
        "Our latest film:\n\nhttps://vimeo.com/76979871\n\nhttps://example.org/not-a-provider",
        ("paragraph", "embed", "paragraph"),
        shown=('<a href="https://vimeo.com/76979871" rel="noopener">', "https://example.org/not-a-provider"),
    ),
    Case(
        "classic-more",
        "The classic opening.\n\n<!--more-->\n\nThe classic rest.",
        ("paragraph",),
        shown=("<p>The classic opening.</p><p>The classic rest.</p>",),
        hidden=("<!--more",),
        summary="The classic opening.",
    ),
    Case(
        "classic-nextpage",
        "Classic page one.\n\n<!--nextpage-->\n\nClassic page two.",
        ("paragraph",),
        shown=("<p>Classic page one.</p><p>Classic page two.</p>",),
        hidden=("nextpage", "<p></p>"),
    ),
    Case(
        "classic-preformatted",
        "Run this:\n\n<pre>make demo\n\nmake test</pre>",
        ("paragraph", "preformatted"),
        shown=('<pre class="preformatted">make demo\n\nmake test</pre>',),
    ),
    Case(
        "classic-unknown-shortcode",
        'Write to us: [contact-form-7 id="12" title="Contact"]',
        ("paragraph",),
        shown=('[contact-form-7 id="12" title="Contact"]',),
    ),
]

CASES = BLOCK_CASES + CLASSIC_CASES
FIRST_POST_ID = 100


def post_id(case: Case) -> int:
    return FIRST_POST_ID + CASES.index(case)


def corpus_export() -> str:
    """The WXR 1.2 export of the corpus: one published post per case, then the attachment records."""
    items = []
    for case in CASES:
        n = post_id(case)
        items.append(
            f"""<item><title>{escape(case.name)}</title><link>{SITE}/2024/03/{case.name}/</link>
<guid isPermaLink="false">{SITE}/?p={n}</guid><dc:creator><![CDATA[editor]]></dc:creator>
<content:encoded><![CDATA[{case.content}]]></content:encoded><excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>{n}</wp:post_id><wp:post_date_gmt>2024-03-06 14:00:00</wp:post_date_gmt>
<wp:post_name>{case.name}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>"""
        )
    for wp_id, title, relative, _ in ATTACHMENTS:
        items.append(
            f"""<item><title>{escape(title)}</title><wp:post_id>{wp_id}</wp:post_id><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type><wp:attachment_url>{SITE}/wp-content/uploads/{relative}</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value><![CDATA[{relative}]]></wp:meta_value>
</wp:postmeta></item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Old Institute</title><link>{SITE}</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{SITE}</wp:base_site_url>
{"".join(items)}
</channel></rss>"""


def uploads_folder(folder: Path) -> Path:
    """The old site's uploads folder with every attachment the corpus marks as present."""
    for _, _, relative, present in ATTACHMENTS:
        if not present:
            continue
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".jpg":
            Image.new("RGB", (16, 12), "teal" if "-a" in path.stem else "orange").save(path, "JPEG")
        elif path.suffix == ".pdf":
            pdf = FPDF()
            pdf.add_page()
            path.write_bytes(bytes(pdf.output()))
        else:
            path.write_bytes(b"\x00" * 64)  # players are never started here: any bytes will do
    return folder


@pytest.fixture
def corpus(newsroom, tmp_path):
    """The corpus imported with --media-dir; the summary, and each imported document's URL by file name."""
    export = tmp_path / "corpus.xml"
    export.write_text(corpus_export(), encoding="utf-8")
    summary = import_wxr_file(export, parent=newsroom, at=AT, media_dir=uploads_folder(tmp_path / "uploads"))
    urls = {Path(document.file.name).name: document.url for document in get_document_model().objects.all()}
    return summary, urls


def filled(expected: str, urls: dict[str, str]) -> str:
    for name, url in urls.items():
        expected = expected.replace("{" + name + "}", url)
    return expected


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_wordpress_construct_becomes_its_block_and_shows_on_the_page(corpus, client, case):
    _, urls = corpus
    page = ImportedPost.objects.get(wp_post_id=post_id(case)).page.specific
    assert tuple(block.block_type for block in page.body) == case.types

    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    for expected in case.shown:
        assert filled(expected, urls) in html
    body = lxml.html.tostring(lxml.html.fromstring(html).xpath('//div[@class="body"]')[0], encoding="unicode")
    for unwanted in case.hidden:
        assert filled(unwanted, urls) not in body

    text = client.get(page.url, {"format": "text"}).content.decode()
    public = {name: public_url(url) for name, url in urls.items()}
    for expected in case.text:
        assert filled(expected, public) in text
    if case.summary is not None:
        assert page.summary == case.summary


@pytest.mark.django_db
def test_imported_audio_and_video_files_are_served_to_readers(corpus, client):
    _, urls = corpus
    for name in ("talk.mp3", "film.mp4"):
        assert client.get(urls[name]).status_code == 200


@pytest.mark.django_db
def test_files_copied_on_a_later_run_with_media_dir_are_served_to_readers(newsroom, tmp_path, client):
    export = tmp_path / "corpus.xml"
    export.write_text(corpus_export(), encoding="utf-8")
    import_wxr_file(export, parent=newsroom, at=AT)

    again = import_wxr_file(export, parent=newsroom, at=AT, media_dir=uploads_folder(tmp_path / "uploads"))

    assert again.count("item", "updated") > 0
    for document in get_document_model().objects.all():
        assert client.get(document.url).status_code == 200, document.title


@pytest.mark.django_db
def test_corpus_summary_reports_what_was_left_on_the_old_site(corpus):
    summary, _ = corpus
    assert summary.count("item", "created") == len(CASES)
    assert summary.reasons[("attachment", "skipped", "file missing from --media-dir")] == 1
    notes = {
        reason: n for (kind, outcome, reason), n in summary.reasons.items() if (kind, outcome) == ("content", "note")
    }
    assert notes == {
        "audio not imported: linked to the original": 1,
        "video not imported: linked to the original": 2,
        "gallery images not imported: linked to the original": 2,
        "shortcode [contact-form-7] left in the text as written": 1,
    }
    assert summary.remote_images == 1
    assert "1 image in 1 item" in summary.warnings()[0]
