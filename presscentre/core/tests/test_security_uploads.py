"""Upload limits through the real admin views: a refused file gets one clear message and nothing is saved."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import filled_form
from presscentre.newsroom.tests.factories import ArticleFactory


@pytest.fixture
def admin_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def png(width: int = 20, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def upload_document(client, name: str, content: bytes, content_type: str = "application/octet-stream"):
    data = {
        "title": "Upload",
        "collection": Collection.get_first_root_node().pk,
        "file": SimpleUploadedFile(name, content, content_type=content_type),
    }
    return client.post("/admin/documents/add/", data)


def upload_image(client, name: str, content: bytes, content_type: str = "image/png"):
    data = {
        "title": "Upload",
        "description": "A test picture",
        "collection": Collection.get_first_root_node().pk,
        "file": SimpleUploadedFile(name, content, content_type=content_type),
    }
    return client.post("/admin/images/add/", data)


def file_errors(response) -> str:
    """The errors shown against the file field (the page itself also carries the uploader's message templates)."""
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["form"].errors.get("file", []))


# Documents


def test_a_document_upload_works(admin_client):
    response = upload_document(admin_client, "report.pdf", b"%PDF-1.4 a small report")
    assert response.status_code == 302
    assert get_document_model().objects.count() == 1


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "script.js", "program.exe", "report.pdf.php"])
def test_a_document_of_a_refused_type_is_not_saved(admin_client, name):
    response = upload_document(admin_client, name, b"<script>alert(1)</script>")
    assert "File extension" in file_errors(response) and "is not allowed" in file_errors(response)
    assert not get_document_model().objects.exists()


def test_an_oversized_document_is_not_saved(admin_client, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    response = upload_document(admin_client, "big.pdf", b"%PDF-1.4" + b"0" * 2048)
    assert "This file is too big" in file_errors(response)
    assert not get_document_model().objects.exists()


def test_the_multiple_upload_view_refuses_a_bad_type(admin_client):
    data = {"files[]": SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")}
    response = admin_client.post("/admin/documents/multiple/add/", data)
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert not get_document_model().objects.exists()


# Images


def test_an_image_upload_works(admin_client):
    response = upload_image(admin_client, "photo.png", png())
    assert response.status_code == 302
    assert get_image_model().objects.count() == 1


def test_an_svg_image_is_refused(admin_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="5" height="5"/></svg>'
    response = upload_image(admin_client, "logo.svg", svg, content_type="image/svg+xml")
    assert "Not a supported image format" in file_errors(response)
    assert not get_image_model().objects.exists()


def test_a_script_renamed_as_an_image_is_refused(admin_client):
    response = upload_image(admin_client, "photo.png", b"<script>alert(1)</script>")
    assert file_errors(response).startswith(("Upload a valid image", "Not a valid .png image"))
    assert not get_image_model().objects.exists()


def test_an_oversized_image_is_refused(admin_client, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
    response = upload_image(admin_client, "photo.png", png(600, 600) + b"\0" * 1000)
    assert "This file is too big" in file_errors(response)
    assert not get_image_model().objects.exists()


def test_an_image_with_too_many_pixels_is_refused(admin_client, settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 100
    response = upload_image(admin_client, "photo.png", png(20, 20))
    assert "too many pixels" in file_errors(response)
    assert not get_image_model().objects.exists()


def test_the_configured_limits_are_the_ones_we_document(settings):
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert not {"html", "htm", "svg", "js", "xml"} & set(settings.WAGTAILDOCS_EXTENSIONS)
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 20 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == 60_000_000
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024


# Request bodies


def test_an_oversized_comment_post_is_a_413_and_saves_nothing(newsroom, settings, client):
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    article = ArticleFactory(parent=newsroom, published_at=datetime.now(UTC) - timedelta(days=1))
    data = filled_form(article, at=datetime.now(UTC) - timedelta(minutes=1), body="x" * 20_000)
    response = client.post(f"/comments/post/{article.pk}/", data)
    assert response.status_code == 413  # refused from its length, unread (presscentre/comments/tests/test_post_size.py)
    assert not Comment.objects.exists()
