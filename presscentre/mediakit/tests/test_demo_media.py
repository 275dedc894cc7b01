"""The demo's pictures, galleries, headshots and media kit (`load_demo_media`), loaded after the demo content."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from PIL import Image

from presscentre.core.models import Licence, PressCentreImage
from presscentre.mediakit.models import MediaKitCollection
from presscentre.newsroom import demo
from presscentre.newsroom.models import NewsItemPage, Person
from presscentre.newsroom.models.items import ItemAsset

LOADED_AT = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo_site(db):
    demo.load_demo_data(at=LOADED_AT, admin_username="admin", admin_password="demo-password")


def load_media() -> str:
    out = io.StringIO()
    call_command("load_demo_media", stdout=out)
    return out.getvalue()


def test_the_demo_gets_credited_pictures_galleries_headshots_and_a_media_kit(demo_site, client):
    load_media()

    pictures = PressCentreImage.objects.exclude(title__startswith="Headshot")
    assert all(image.description and image.credit and image.caption for image in pictures)
    assert {image.licence for image in pictures} == {
        Licence.EDITORIAL,
        Licence.CC_BY_4,
        Licence.CC0,
        Licence.RIGHTS_RESERVED,
    }
    photo = PressCentreImage.objects.get(title="The institute's building on Carver Street")
    assert (photo.width, photo.height) == (3000, 2000)
    with photo.file.open("rb") as handle:
        assert Image.open(handle).format == "JPEG"
    logo = PressCentreImage.objects.get(title=demo.ORGANISATION_NAME + " logo")
    with logo.file.open("rb") as handle:
        opened = Image.open(handle)
        assert opened.format == "PNG" and opened.mode == "RGBA"

    with_gallery = NewsItemPage.objects.filter(media_assets__isnull=False).distinct()
    kinds = sorted(item.specific_class._meta.verbose_name for item in with_gallery)
    assert kinds.count("press release") >= 3 and "report" in kinds and "media appearance" in kinds
    assert demo.UPCOMING_EMBARGOED_RELEASE.slug in {item.slug for item in with_gallery}
    assert ItemAsset.objects.filter(document__file__endswith=".pdf").exists()

    assert list(MediaKitCollection.objects.values_list("title", flat=True)) == [
        "Logos and brand",
        "Spokespeople",
        "Our building",
        "Events",
    ]
    assert all(collection.entries.exists() for collection in MediaKitCollection.objects.all())
    assert not Person.objects.filter(slug__in=[person.slug for person in demo.PEOPLE], photo__isnull=True).exists()

    html = client.get("/media-kit/").content.decode()
    assert "Logos and brand" in html and "Headshot: Dr Miriam Okafor" in html


def test_the_embargoed_release_shares_no_picture_with_a_public_item(demo_site):
    load_media()

    embargoed = NewsItemPage.objects.get(slug=demo.UPCOMING_EMBARGOED_RELEASE.slug)
    its_images = ItemAsset.objects.filter(item=embargoed).values("image_id")
    shared = ItemAsset.objects.filter(image_id__in=its_images).exclude(item=embargoed)
    assert not shared.exists()


def test_loading_again_changes_nothing(demo_site):
    first = load_media()
    counts = (PressCentreImage.objects.count(), ItemAsset.objects.count(), MediaKitCollection.objects.count())
    revisions = {item.pk: item.latest_revision_id for item in NewsItemPage.objects.all()}

    again = load_media()

    assert "0 pictures and 0 files made, 0 headshots given, 0 galleries and 0 media kit collections set" in again
    assert first != again
    assert (PressCentreImage.objects.count(), ItemAsset.objects.count(), MediaKitCollection.objects.count()) == counts
    assert {item.pk: item.latest_revision_id for item in NewsItemPage.objects.all()} == revisions
