"""The embargo leak test for every file an item carries (issue 19, item 5): its images' originals and renditions
(featured, gallery, body), the gallery image's download sizes, the gallery's document and its ZIP are each a 404 that
nothing keeps one second before the lift, and public, cacheable and tagged at the lift. Served through the WSGI page
cache as a server runs it; journalists with a personal link get their own item's files, privately, and no other's."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from wagtail.documents import get_document_model
from wagtail.models import Collection

from presscentre.core.models import ImageDownload
from presscentre.embargo.models import AccessLogEntry
from presscentre.embargo.services import can_view_image, create_access_link
from presscentre.mediakit.archives import gallery_fingerprint
from presscentre.mediakit.models import ItemArchive
from presscentre.newsroom.models import ItemAsset
from presscentre.newsroom.tests.factories import ArticleFactory, ImageFactory, PressReleaseFactory, paragraph_body
from presscentre.pagecache.tests.wsgi_client import WSGIClient

LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)
BEFORE = LIFT - timedelta(seconds=1)
SIZES = ("web", "print", "original")


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PRESSCENTRE_PAGE_CACHE = True
    settings.PRESSCENTRE_PAGE_CACHE_SECONDS = 600
    settings.PRESSCENTRE_PAGE_CACHE_BROWSER_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def private_media(tmp_path):
    """The private storage in this test's own folder (its location is read when the model is defined)."""
    storage = ImageDownload._meta.get_field("file").storage
    saved = storage._location
    storage._location = str(tmp_path / "private")
    for name in ("base_location", "location"):
        storage.__dict__.pop(name, None)
    yield
    storage._location = saved
    for name in ("base_location", "location"):
        storage.__dict__.pop(name, None)


@pytest.fixture
def wsgi(db):
    """The stack a server runs (see presscentre/pagecache/tests/conftest.py for why connections are kept)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIClient()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def image_block(image) -> dict:
    return {"type": "image", "value": {"image": image.pk, "alt_text": "A chart", "caption": ""}}


def image_urls(image) -> list[str]:
    return [image.file.url, image.get_rendition("fill-80x60").url, image.get_rendition("max-400x300").url]


def make_downloads(image) -> list[str]:
    for size in SIZES:
        download = ImageDownload(
            image=image, size=size, width=40, height=30, file_size=3, source_fingerprint="x", made_at=BEFORE
        )
        download.file.save(f"{size}.jpg", ContentFile(b"\xff\xd8\xff"), save=False)
        download.save()
    return [f"/downloads/images/{image.pk}/{size}/" for size in SIZES]


def make_archive(item) -> str:
    archive = ItemArchive(item=item, fingerprint=gallery_fingerprint(item), built_at=BEFORE, file_size=22)
    archive.file.save("media.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    archive.save()
    return f"/downloads/items/{item.pk}/media.zip"


@pytest.fixture
def embargoed(newsroom):
    """An embargoed release with a featured image, an image in its body, and a gallery of an image and a document."""
    featured, in_body, gallery = ImageFactory(title="Featured"), ImageFactory(title="Body"), ImageFactory(title="Gal")
    document = get_document_model().objects.create(
        title="Fact sheet",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="facts.pdf"),
        collection=Collection.get_first_root_node(),
    )
    release = PressReleaseFactory(
        parent=newsroom,
        slug="harbour",
        embargo_until=LIFT,
        published_at=LIFT,
        featured_image=featured,
        featured_image_alt="Boats",
        body=[*paragraph_body(), image_block(in_body)],
    )
    ItemAsset.objects.create(item=release, image=gallery, sort_order=0)
    ItemAsset.objects.create(item=release, document=document, sort_order=1)
    urls = [*image_urls(featured), *image_urls(in_body), *image_urls(gallery), *make_downloads(gallery)]
    urls += [make_archive(release), document.url]
    return {"release": release, "images": [featured, in_body, gallery], "gallery": gallery, "urls": urls}


def get(wsgi, url: str, *, at: datetime, **kwargs):
    with time_machine.travel(at, tick=False):
        return wsgi.get(url, **kwargs)


def is_public(response) -> bool:
    return response.get("Cache-Control", "").startswith("public")


def test_every_file_of_an_embargoed_item_is_a_404_nothing_keeps_until_the_lift(wsgi, embargoed):
    release = embargoed["release"]

    for url in embargoed["urls"]:
        before = get(wsgi, url, at=BEFORE)
        assert before.status_code == 404, url
        assert "Surrogate-Key" not in before and not is_public(before), url
        assert before.cache_state != "hit", url

    for url in embargoed["urls"]:
        at_lift = get(wsgi, url, at=LIFT)
        assert at_lift.status_code == 200, url  # the 404 was kept nowhere
        assert is_public(at_lift), url
        assert f"item-{release.pk}" in at_lift["Surrogate-Key"].split(), url


def test_the_rule_itself_opens_each_image_exactly_at_the_lift(embargoed):
    for image in embargoed["images"]:
        assert not can_view_image(image, at=BEFORE)
        assert can_view_image(image, at=LIFT)


def test_an_image_shared_by_a_public_item_and_an_embargoed_one_waits_for_the_lift(wsgi, embargoed):
    gallery = embargoed["gallery"]
    article = ArticleFactory(parent=embargoed["release"].get_parent())
    ItemAsset.objects.create(item=article, image=gallery, sort_order=0)

    for url in image_urls(gallery):
        assert get(wsgi, url, at=BEFORE).status_code == 404, url
        assert get(wsgi, url, at=LIFT).status_code == 200, url


def test_staff_get_every_file_before_the_lift_and_privately(wsgi, embargoed, client, editor):
    with time_machine.travel(BEFORE, tick=False):
        client.force_login(editor)
    session = f"sessionid={client.cookies['sessionid'].value}"

    for url in embargoed["urls"]:
        response = get(wsgi, url, at=BEFORE, cookies=session)
        assert response.status_code == 200, url
        assert "Surrogate-Key" not in response and not is_public(response), url


@pytest.fixture
def link(embargoed, editor):
    with time_machine.travel(BEFORE - timedelta(hours=1), tick=False):
        return create_access_link(
            embargoed["release"], name="Ana Ruiz", email="ana@example.com", outlet="Ledger", by=editor, at=BEFORE
        )


def through(link, url: str) -> str:
    return f"/embargoed/{link.token}{url}"


def test_a_journalists_link_opens_its_own_items_files_before_the_lift_privately(wsgi, embargoed, link):
    for url in embargoed["urls"]:
        if url.startswith("/documents/"):
            continue  # documents have their own route through the link (test_leaks_documents.py)
        response = get(wsgi, through(link, url), at=BEFORE)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store" and "Surrogate-Key" not in response, url

    downloads = AccessLogEntry.objects.filter(link=link, kind=AccessLogEntry.Kind.DOWNLOAD)
    assert downloads.count() == len(SIZES) + 1  # each size and the ZIP; showing the pictures is no download


def test_a_link_opens_no_other_items_files(wsgi, embargoed, link, newsroom):
    other_image = ImageFactory()
    other = PressReleaseFactory(parent=newsroom, slug="other", embargo_until=LIFT, published_at=LIFT)
    ItemAsset.objects.create(item=other, image=other_image, sort_order=0)
    stranger = ImageFactory()
    urls = [*image_urls(other_image), *make_downloads(other_image), make_archive(other), *image_urls(stranger)]

    for url in urls:
        assert get(wsgi, through(link, url), at=BEFORE).status_code == 404, url
    assert (
        get(
            wsgi, through(link, image_urls(embargoed["gallery"])[0]).replace(link.token, "x" * 40), at=BEFORE
        ).status_code
        == 404
    )


def test_the_journalists_copy_shows_its_pictures_and_downloads_through_the_link(wsgi, embargoed, link):
    with time_machine.travel(BEFORE, tick=False):
        page = wsgi.get(link.get_absolute_url())
    html = page.content.decode()

    assert page.status_code == 200
    through_link = re.findall(rf"/embargoed/{re.escape(link.token)}/media/(?:original_images|images)/[^\s\"',]+", html)
    assert through_link, "the copy shows its pictures"
    token = re.escape(link.token)
    assert not re.search(rf"(?<!{token})/media/(?:original_images|images)/", html)  # none goes round the link
    assert not re.search(rf"(?<!{token})/downloads/(?:images|items)/", html)
    for url in through_link:
        assert get(wsgi, url, at=BEFORE).status_code == 200, url
