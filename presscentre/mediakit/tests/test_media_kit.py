"""The media kit page (/media-kit/): its collections in order, its empty state, and its copy in the page cache."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.documents import get_document_model

from presscentre.core.models import ImageDownload, Licence
from presscentre.mediakit.models import MediaKitCollection, MediaKitEntry
from presscentre.newsroom.tests.factories import ImageFactory
from presscentre.pagecache.tests.wsgi_client import WSGIClient


def collection(title, *assets, sort_order=0, intro=""):
    kit = MediaKitCollection.objects.create(title=title, intro=intro, sort_order=sort_order)
    for order, asset in enumerate(assets):
        field = "image" if hasattr(asset, "get_rendition") else "document"
        MediaKitEntry.objects.create(collection=kit, sort_order=order, **{field: asset})
    return kit


def logo(**fields):
    defaults = {
        "title": "Logo, colour",
        "description": "The institute's logo: a blue arch over the name",
        "credit": "The Institute",
        "licence": Licence.EDITORIAL,
        "is_public": True,
    }
    return ImageFactory(**(defaults | fields))


def brand_file(*, is_public=True, title="Brand guidelines"):
    document = get_document_model()(title=title, licence=Licence.EDITORIAL, is_public=is_public)
    document.file.save("guidelines.txt", ContentFile(b"Use the blue."), save=False)
    document.save()
    return document


def test_the_collections_appear_in_the_press_office_s_order_with_their_intros_and_files(client, db):
    collection("Our building", logo(title="Front at dusk"), sort_order=3)
    collection("Logos and brand", logo(), brand_file(), sort_order=1, intro="Use on a light background.")
    collection("Spokespeople", logo(title="Headshot of Nia Evans", credit="Photo: Ana Ruiz"), sort_order=2)

    response = client.get("/media-kit/")
    html = response.content.decode()

    assert response.status_code == 200
    assert html.index("Logos and brand") < html.index("Spokespeople") < html.index("Our building")
    assert "Use on a light background." in html
    assert "Logo, colour" in html
    assert "Headshot of Nia Evans" in html and "Photo: Ana Ruiz" in html
    assert "Brand guidelines" in html
    assert "Free for editorial use with credit" in html
    assert "data-lightbox-dialog" in html


def test_the_page_shows_each_picture_s_download_sizes(client, db):
    image = logo()
    collection("Logos and brand", image)
    download = ImageDownload(
        image=image, size="print", width=3000, height=2000, file_size=2_100_000, source_fingerprint="x"
    )
    download.made_at = timezone.now()
    download.file.save("print.png", ContentFile(b"png"), save=False)
    download.save()

    html = client.get("/media-kit/").content.decode()

    assert f'href="/downloads/images/{image.pk}/print/"' in html
    assert "Print, 3,000 × 2,000 px, 2.0\xa0MB" in html
    assert "Web, being prepared" in html


def test_a_file_that_is_not_public_on_its_own_is_left_out(client, db):
    collection("Logos and brand", logo(), brand_file(is_public=False, title="Draft guidelines"))

    html = client.get("/media-kit/").content.decode()

    assert "Logo, colour" in html
    assert "Draft guidelines" not in html


def test_an_empty_media_kit_says_so_and_points_to_the_press_office(client, db):
    collection("Events")  # a collection with nothing in it yet is not shown

    html = client.get("/media-kit/").content.decode()

    assert "The media kit is empty at the moment." in html
    assert "Events" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_page_reads_the_same_number_of_queries_for_one_collection_or_five(client, db):
    def queries() -> int:
        client.get("/media-kit/")
        with CaptureQueriesContext(connection) as captured:
            client.get("/media-kit/")
        return len(captured)

    collection("One", logo())
    few = queries()
    for n in range(4):
        collection(f"More {n}", logo(title=f"Picture {n}a"), logo(title=f"Picture {n}b"), brand_file())

    assert queries() == few


def test_the_site_footer_and_the_press_contacts_page_link_to_the_media_kit(newsroom, client):
    assert 'href="/media-kit/">Media kit</a>' in client.get("/").content.decode()
    assert 'href="/media-kit/">media kit</a>' in client.get("/press-contacts/").content.decode()


@pytest.fixture
def page_cache(settings, db):
    settings.PRESSCENTRE_PAGE_CACHE = True
    settings.PRESSCENTRE_PAGE_CACHE_SECONDS = 600
    settings.PRESSCENTRE_PAGE_CACHE_BROWSER_SECONDS = 60
    cache.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIClient()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    cache.clear()


def test_the_cached_page_carries_its_tag_and_saving_a_collection_purges_it(
    page_cache, django_capture_on_commit_callbacks
):
    kit = collection("Logos and brand", logo())
    first = page_cache.get("/media-kit/")
    with CaptureQueriesContext(connection) as cached:
        page_cache.get("/media-kit/")

    kit.title = "Logos and colours"
    with django_capture_on_commit_callbacks(execute=True):
        kit.save()
    after = page_cache.get("/media-kit/")

    assert "media-kit" in first["Surrogate-Key"].split()
    assert len(cached) == 0  # served from the page cache
    assert b"Logos and colours" in after.content


def test_deleting_a_collection_purges_the_cached_page(page_cache, django_capture_on_commit_callbacks):
    kit = collection("Events", logo(title="Open day"))
    assert b"Open day" in page_cache.get("/media-kit/").content

    with django_capture_on_commit_callbacks(execute=True):
        kit.delete()

    assert b"Open day" not in page_cache.get("/media-kit/").content
