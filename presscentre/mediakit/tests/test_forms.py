"""The admin's image and document forms: alt text required, and the asset metadata saved through the admin's own
add and edit views."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from presscentre.core.forms import ALT_TEXT_REQUIRED
from presscentre.core.models import Licence
from presscentre.newsroom.tests.factories import ImageFactory


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 160)).save(out, "PNG")
    return out.getvalue()


def image_data(**fields) -> dict:
    return {
        "title": "Reading room",
        "file": SimpleUploadedFile("reading-room.png", png(), content_type="image/png"),
        "description": "Students at long tables under green lamps",
        "caption": "The reading room reopens after restoration.",
        "credit": "Photo: Ana Ruiz",
        "licence": Licence.CC_BY_4,
        "usage_terms": "Editorial use only.",
        "made_on": "2030-03-01",
        "people_shown": "Jo Bloggs",
        "is_public": "on",
        "collection": Collection.get_first_root_node().pk,
        "tags": "",
    } | fields


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def test_an_image_uploaded_in_the_admin_keeps_its_alt_text_and_metadata(admin_client):
    response = admin_client.post(reverse("wagtailimages:add"), image_data())

    assert response.status_code == 302
    image = get_image_model().objects.get()
    assert image.description == "Students at long tables under green lamps"
    assert image.caption == "The reading room reopens after restoration."
    assert image.credit == "Photo: Ana Ruiz"
    assert image.licence == Licence.CC_BY_4
    assert image.usage_terms == "Editorial use only."
    assert image.made_on.isoformat() == "2030-03-01"
    assert image.people_shown == "Jo Bloggs"
    assert image.is_public is True


@pytest.mark.parametrize("alt_text", ["", "   "])
def test_an_image_without_alt_text_is_not_saved_and_the_form_says_why(admin_client, alt_text):
    response = admin_client.post(reverse("wagtailimages:add"), image_data(description=alt_text))

    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [ALT_TEXT_REQUIRED]
    assert get_image_model().objects.count() == 0
    html = response.content.decode()
    assert "Alt text" in html
    assert "Photo: Ana Ruiz" in html  # what was typed is kept


def test_editing_an_image_needs_alt_text_too_and_saves_new_metadata(admin_client):
    image = ImageFactory(description="", credit="Old credit")
    url = reverse("wagtailimages:edit", args=[image.pk])
    data = image_data(credit="Photo: Sam Lowe", licence=Licence.RIGHTS_RESERVED)
    del data["file"]

    refused = admin_client.post(url, data | {"description": ""})
    saved = admin_client.post(url, data)

    assert refused.status_code == 200
    assert saved.status_code == 302
    image.refresh_from_db()
    assert image.credit == "Photo: Sam Lowe"
    assert image.licence == Licence.RIGHTS_RESERVED
    assert image.description == "Students at long tables under green lamps"


def test_the_bulk_uploader_holds_a_picture_until_its_alt_text_is_given(admin_client):
    upload = SimpleUploadedFile("lecture.png", png(), content_type="image/png")

    response = admin_client.post(
        reverse("wagtailimages:add_multiple"), {"files[]": upload, "collection": Collection.get_first_root_node().pk}
    )

    assert response.status_code == 200
    assert response.json()["success"] is True
    assert get_image_model().objects.count() == 0  # kept as an upload awaiting its form, not yet an image


def test_the_image_form_asks_for_alt_text_then_the_metadata_in_order(admin_client):
    html = admin_client.get(reverse("wagtailimages:add")).content.decode()

    names = ["id_title", "id_file", "id_description", "id_caption", "id_credit", "id_licence", "id_usage_terms"]
    positions = [html.index(f'id="{name}"') for name in names]
    assert positions == sorted(positions)
    assert "Alt text" in html
    assert "for people who cannot see it" in html


def test_a_document_uploaded_in_the_admin_keeps_its_metadata(admin_client):
    data = {
        "title": "Annual report",
        "file": SimpleUploadedFile("annual-report.txt", b"The year in numbers.", content_type="text/plain"),
        "caption": "Our year.",
        "credit": "The Institute",
        "licence": Licence.CC0,
        "usage_terms": "",
        "made_on": "",
        "people_shown": "",
        "collection": Collection.get_first_root_node().pk,
        "tags": "",
    }

    response = admin_client.post(reverse("wagtaildocs:add"), data)

    assert response.status_code == 302
    document = get_document_model().objects.get()
    assert (document.caption, document.credit, document.licence) == ("Our year.", "The Institute", Licence.CC0)
    assert document.is_public is False


def test_a_post_without_a_licence_keeps_the_default_one(admin_client):
    data = image_data()
    del data["licence"]

    assert admin_client.post(reverse("wagtailimages:add"), data).status_code == 302
    assert get_image_model().objects.get().licence == Licence.EDITORIAL
