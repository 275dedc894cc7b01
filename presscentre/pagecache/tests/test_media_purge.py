"""Editing or deleting an image or document purges the pages that show it, here and in Varnish or a CDN.

Who shows what comes from Wagtail's reference index, which publishing fills in; each test checks that first.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from PIL import Image as PillowImage
from wagtail.documents import get_document_model
from wagtail.models import Collection, ReferenceIndex

from presscentre.newsroom.models import ReportDocument
from presscentre.newsroom.tests.factories import ArticleFactory, ImageFactory, PersonFactory, ReportFactory
from presscentre.pagecache import purge as purging

PURGED = None  # the edge's recorder, set per test


@pytest.fixture(autouse=True)
def _edge(edge_purges):
    global PURGED
    PURGED = edge_purges
    yield
    PURGED = None


def item_tag(page) -> str:
    return f"item-{page.pk}"


def png(colour: str = "navy") -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def publish(page, capture):
    """Publish as an editor does; the reference index is filled in by the task this queues."""
    with capture(execute=True):
        page.save_revision().publish()
    PURGED.clear()  # the publish's own purges; each test looks at what comes after
    return page


def warm(wsgi, *urls):
    for url in urls:
        wsgi.get(url)
        assert wsgi.get(url).cache_state == "hit", url


def image_block(image, alt: str = "A chart") -> dict:
    return {"type": "image", "value": {"image": image.pk, "alt_text": alt, "caption": ""}}


@pytest.fixture
def picture(db):
    return ImageFactory(title="Chart", file__filename="first-chart.png")


@pytest.fixture
def illustrated(newsroom, picture, django_capture_on_commit_callbacks):
    article = ArticleFactory(parent=newsroom, title="Illustrated", slug="illustrated", body=[image_block(picture)])
    publish(article, django_capture_on_commit_callbacks)
    assert ReferenceIndex.get_references_to(picture).exists()
    return article


def make_document(title: str, filename: str):
    document = get_document_model()(title=title)
    document.file.save(filename, ContentFile(b"%PDF-1.4\n%test\n%%EOF\n"), save=False)
    document.save()
    return document


@pytest.fixture
def report(newsroom, django_capture_on_commit_callbacks):
    pdf = make_document("Household budgets: full report", "budgets.pdf")
    report = ReportFactory(parent=newsroom, title="Budgets report", slug="budgets")
    ReportDocument.objects.create(report=report, document=pdf)
    publish(report, django_capture_on_commit_callbacks)
    assert ReferenceIndex.get_references_to(pdf).exists()
    return report, pdf


def replace_file_as_the_admin_does(editor, image, content: bytes, filename: str):
    from django.test import Client

    admin = Client()
    admin.force_login(editor)
    response = admin.post(
        f"/admin/images/{image.pk}/",
        {
            "title": image.title,
            "description": "A chart",  # alt text, required on the image form
            "collection": Collection.get_first_root_node().pk,
            "tags": "",
            "file": SimpleUploadedFile(filename, content, content_type="image/png"),
            "focal_point_x": "",
            "focal_point_y": "",
            "focal_point_width": "",
            "focal_point_height": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # The test client reconnects the handlers the `wsgi` fixture set aside (they would close this connection).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


# Images


def test_replacing_an_images_file_shows_the_new_file_on_the_next_request(
    wsgi, illustrated, picture, editor, django_capture_on_commit_callbacks
):
    before = wsgi.get(illustrated.url)
    assert b"first-chart" in before.content
    warm(wsgi, illustrated.url, "/feed/")

    with django_capture_on_commit_callbacks(execute=True):
        replace_file_as_the_admin_does(editor, picture, png("orange"), "second-chart.png")

    after = wsgi.get(illustrated.url)
    assert after.cache_state == "miss"
    assert b"second-chart" in after.content and b"first-chart" not in after.content
    assert wsgi.get("/feed/").cache_state == "miss"  # full-text feeds carry the body, images and all
    assert item_tag(illustrated) in PURGED.tags


def test_a_page_cached_before_the_old_renditions_are_gone_is_purged_again(
    wsgi, illustrated, picture, django_capture_on_commit_callbacks
):
    # The admin saves the image first and deletes its renditions after: a reader in between gets the old one.
    warm(wsgi, illustrated.url)
    with django_capture_on_commit_callbacks(execute=True):
        picture.file.save("second-chart.png", ContentFile(png("orange")), save=False)
        picture.width, picture.height = 40, 30
        picture.save()
    between = wsgi.get(illustrated.url)
    assert between.cache_state == "miss" and b"first-chart" in between.content

    with django_capture_on_commit_callbacks(execute=True):
        picture.renditions.all().delete()

    after = wsgi.get(illustrated.url)
    assert after.cache_state == "miss" and b"second-chart" in after.content


def test_deleting_an_image_takes_it_off_the_page(wsgi, illustrated, picture, django_capture_on_commit_callbacks):
    warm(wsgi, illustrated.url)

    with django_capture_on_commit_callbacks(execute=True):
        picture.delete()

    after = wsgi.get(illustrated.url)
    assert after.cache_state == "miss" and b"first-chart" not in after.content
    assert item_tag(illustrated) in PURGED.tags


def test_an_unrelated_image_change_purges_nothing(wsgi, illustrated, newsroom, django_capture_on_commit_callbacks):
    unrelated = ImageFactory(title="Elsewhere")
    other = ArticleFactory(parent=newsroom, title="Other", slug="other", body=[image_block(unrelated)])
    publish(other, django_capture_on_commit_callbacks)
    warm(wsgi, illustrated.url, "/")

    with django_capture_on_commit_callbacks(execute=True):
        unrelated.title = "Renamed elsewhere"
        unrelated.save()

    assert wsgi.get(illustrated.url).cache_state == "hit"
    assert item_tag(illustrated) not in PURGED.tags
    assert item_tag(other) in PURGED.tags


def test_an_image_nothing_shows_purges_nothing(wsgi, illustrated, django_capture_on_commit_callbacks):
    warm(wsgi, illustrated.url, "/")
    loose = ImageFactory(title="In the library only")
    own = f"image-{loose.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        loose.title = "Still unused"
        loose.save()
        loose.delete()

    assert wsgi.get(illustrated.url).cache_state == "hit" and wsgi.get("/").cache_state == "hit"
    assert PURGED.tags <= {own}  # only its own files, at the edge (mediakit serves them)


def test_wagtail_recording_a_files_size_purges_nothing(wsgi, illustrated, picture, django_capture_on_commit_callbacks):
    warm(wsgi, illustrated.url)

    with django_capture_on_commit_callbacks(execute=True):
        picture.file_size = None
        picture.save(update_fields=["file_size"])

    assert wsgi.get(illustrated.url).cache_state == "hit"


def test_a_persons_photo_purges_every_page(wsgi, newsroom, editor, django_capture_on_commit_callbacks):
    # A snippet shows the photo (the person's archive page): as with a change to the person, everything goes.
    photo = ImageFactory(title="Portrait", file__filename="old-portrait.png")
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonFactory(name="Nia Evans", slug="nia-evans", photo=photo)
        ArticleFactory(parent=newsroom, people=[person])  # an archive exists only with a public item in it
    assert ReferenceIndex.get_references_to(photo).exists()
    warm(wsgi, "/author/nia-evans/")

    with django_capture_on_commit_callbacks(execute=True):
        replace_file_as_the_admin_does(editor, photo, png("green"), "new-portrait.png")

    after = wsgi.get("/author/nia-evans/")
    assert after.cache_state == "miss" and b"new-portrait" in after.content
    assert person.photo_id == photo.pk


def test_deleting_many_renditions_purges_once(illustrated, picture, django_capture_on_commit_callbacks):
    picture.get_rendition("width-100")
    picture.get_rendition("width-200")
    with purging.recording() as sent, django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        picture.renditions.all().delete()

    assert sent == [{item_tag(illustrated), f"image-{picture.pk}"}]


# Documents


def test_renaming_a_document_shows_the_new_title_on_the_next_request(wsgi, report, django_capture_on_commit_callbacks):
    page, pdf = report
    warm(wsgi, page.url, "/feed/")
    assert b"Household budgets: full report" in wsgi.get(page.url).content

    with django_capture_on_commit_callbacks(execute=True):
        pdf.title = "Household budgets: corrected report"
        pdf.save()

    after = wsgi.get(page.url)
    assert after.cache_state == "miss"
    assert b"Household budgets: corrected report" in after.content
    assert wsgi.get("/feed/").cache_state == "miss"
    assert item_tag(page) in PURGED.tags
    assert f"document-{pdf.pk}" in PURGED.tags  # its download, wherever the edge keeps it


def test_replacing_a_documents_file_shows_the_new_link(wsgi, report, django_capture_on_commit_callbacks):
    page, pdf = report
    warm(wsgi, page.url)

    with django_capture_on_commit_callbacks(execute=True):
        pdf.file.save("budgets-v2.pdf", ContentFile(b"%PDF-1.4\n%second\n%%EOF\n"), save=False)
        pdf.save()

    after = wsgi.get(page.url)
    assert after.cache_state == "miss" and b"budgets-v2.pdf" in after.content


def test_deleting_a_document_takes_it_off_the_page(wsgi, report, django_capture_on_commit_callbacks):
    page, pdf = report
    warm(wsgi, page.url)

    with django_capture_on_commit_callbacks(execute=True):
        pdf.delete()

    after = wsgi.get(page.url)
    assert after.cache_state == "miss" and b"Household budgets: full report" not in after.content


def test_an_unrelated_document_change_purges_nothing(wsgi, report, django_capture_on_commit_callbacks):
    page, _ = report
    warm(wsgi, page.url)
    other = make_document("Press pack", "pack.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        other.title = "Press pack, updated"
        other.save()

    assert wsgi.get(page.url).cache_state == "hit"
    assert PURGED.tag_sets == [{f"document-{other.pk}"}]  # its own download only
