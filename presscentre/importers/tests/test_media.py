"""Attachments from a local uploads folder into the image and document libraries, and content pointed at them."""

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from fpdf import FPDF
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from presscentre.importers.models import ImportedAttachment, ImportedPost
from presscentre.importers.services.run import import_wxr_file

FIXTURE = Path(__file__).parent / "fixtures" / "media.xml"
AT = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def uploads(tmp_path) -> Path:
    """A WordPress uploads folder holding the fox image and the report, but not missing.jpg."""
    folder = tmp_path / "uploads"
    (folder / "2024/03").mkdir(parents=True)
    Image.new("RGB", (12, 8), "red").save(folder / "2024/03/fox.png")
    Image.new("RGB", (4, 4), "blue").save(tmp_path / "outside.png")  # reachable only by escaping the folder
    pdf = FPDF()
    pdf.add_page()
    (folder / "2024/03/report.pdf").write_bytes(bytes(pdf.output()))
    return folder


def run(newsroom, **kwargs):
    return import_wxr_file(FIXTURE, parent=newsroom, at=AT, **kwargs)


def body(wp_post_id: int) -> list[dict]:
    blocks = ImportedPost.objects.get(wp_post_id=wp_post_id).page.specific.body.raw_data
    return [{"type": block["type"], "value": block["value"]} for block in blocks]


@pytest.mark.django_db
def test_attachments_are_copied_once_into_images_and_documents(newsroom, uploads):
    summary = run(newsroom, media_dir=uploads)
    assert summary.count("image", "created") == summary.count("document", "created") == 1
    assert summary.reasons[("attachment", "skipped", "file missing from --media-dir")] == 2  # missing and ../
    image = get_image_model().objects.get()
    assert (image.title, image.width, image.height) == ("fox", 12, 8)
    assert get_document_model().objects.get().title == "The 2024 report"

    again = run(newsroom, media_dir=uploads)

    assert again.reasons[("attachment", "skipped", "already imported")] == 2
    assert get_image_model().objects.count() == get_document_model().objects.count() == 1
    assert again.count("item", "updated") == again.count("item", "created") == 0


@pytest.mark.django_db
def test_content_points_at_the_imported_files_resized_variants_included(newsroom, uploads):
    run(newsroom, media_dir=uploads)
    image = get_image_model().objects.get()
    document = get_document_model().objects.get()
    blocks = body(20)
    assert blocks[0] == {
        "type": "paragraph",
        "value": f'<p>Read <a linktype="document" id="{document.pk}">the report</a> today.</p>',
    }
    figure = next(b for b in blocks if b["type"] == "image")
    assert figure["value"] == {"image": image.pk, "alt_text": "A red fox", "caption": "The fox, in March"}
    # A [caption] shortcode around a linked, resized image is a figure too.
    classic = body(21)
    assert {"image": image.pk, "alt_text": "Fox", "caption": "A fox"} in [b["value"] for b in classic]
    # A file that was not in the folder stays a link to the old site.
    assert "https://old.example.org/wp-content/uploads/2024/03/missing.jpg" in classic[-1]["value"]


@pytest.mark.django_db
def test_item_page_renders_the_imported_image_and_document_link(newsroom, uploads, client):
    run(newsroom, media_dir=uploads)
    page = ImportedPost.objects.get(wp_post_id=20).page
    html = client.get(page.url).content.decode()
    assert get_document_model().objects.get().url in html
    assert "<figcaption>The fox, in March</figcaption>" in html
    assert "old.example.org/wp-content/uploads/2024/03/fox" not in html


@pytest.mark.django_db
def test_without_media_dir_attachments_are_reported_and_left_as_links(newsroom):
    summary = run(newsroom)
    assert summary.reasons[("attachment", "skipped", "no --media-dir: left as links")] == 4
    assert not get_image_model().objects.exists()
    assert "https://old.example.org/wp-content/uploads/2024/03/fox-300x200.png" in str(body(20))


@pytest.mark.django_db
def test_a_later_run_with_media_dir_points_existing_posts_at_the_files(newsroom, uploads):
    run(newsroom)
    summary = run(newsroom, media_dir=uploads)
    assert summary.count("item", "updated") == 2
    assert any(b["type"] == "image" for b in body(20))


@pytest.mark.django_db
def test_dry_run_with_media_dir_copies_no_file(newsroom, uploads, settings):
    summary = run(newsroom, media_dir=uploads, dry_run=True)
    assert summary.count("image", "created") == 1
    assert not ImportedAttachment.objects.exists()
    media_root = Path(settings.MEDIA_ROOT)
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


@pytest.mark.django_db
def test_command_takes_media_dir_and_reports_a_missing_folder(newsroom, uploads):
    out = StringIO()
    call_command("import_wordpress", str(FIXTURE), "--media-dir", str(uploads), stdout=out)
    assert "image" in out.getvalue() and get_image_model().objects.count() == 1
    with pytest.raises(Exception, match="no such folder"):
        call_command("import_wordpress", str(FIXTURE), "--media-dir", str(uploads / "nope"))
