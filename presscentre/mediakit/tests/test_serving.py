"""Image files, download sizes and ZIPs are served through the one visibility rule (issue 19, item 5): found by their
stored name, public and tagged for the edge when anyone may see them, the same private 404 as a missing file when not,
and on object storage a redirect to a short-lived signed address instead of a public bucket."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.core.models import ImageDownload
from presscentre.mediakit.archives import gallery_fingerprint
from presscentre.mediakit.models import ItemArchive, MediaKitCollection, MediaKitEntry
from presscentre.newsroom.models import ItemAsset
from presscentre.newsroom.tests.factories import ImageFactory, PersonFactory, PressReleaseFactory

NOW = datetime(2031, 5, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def private_media(tmp_path):
    """The private storage in this test's own folder (its location is read when the model is defined)."""
    storage = ImageDownload._meta.get_field("file").storage
    saved = storage._location
    storage._location = str(tmp_path / "private")
    for name in ("base_location", "location"):
        storage.__dict__.pop(name, None)
    yield tmp_path / "private"
    storage._location = saved
    for name in ("base_location", "location"):
        storage.__dict__.pop(name, None)


def is_private(response) -> bool:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


def fetch(client, url: str, *, at: datetime = NOW, **headers):
    with time_machine.travel(at, tick=False):
        return client.get(url, **headers)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def urls_of(image) -> tuple[str, str]:
    """The original's and a rendition's addresses, as pages show them."""
    return image.file.url, image.get_rendition("fill-80x60").url


def in_gallery(item, image):
    return ItemAsset.objects.create(item=item, image=image, sort_order=0)


def make_download(image, size: str, data: bytes = b"\xff\xd8 a picture \xff\xd9") -> ImageDownload:
    download = ImageDownload(
        image=image, size=size, width=40, height=30, file_size=len(data), source_fingerprint="x", made_at=NOW
    )
    download.file.save(f"{size}.jpg", ContentFile(data), save=False)
    download.save()
    return download


def test_rendition_names_start_with_the_originals_random_prefix(newsroom):
    first, second = ImageFactory(file__filename="harbour.jpg"), ImageFactory(file__filename="harbour.jpg")

    original = first.file.name.removeprefix("original_images/")
    prefix = original[:16]  # secrets.token_urlsafe(12)
    rendition = first.get_rendition("fill-80x60").file.name.removeprefix("images/")

    assert len(prefix) >= 16 and original.endswith("harbour.jpg")
    assert rendition.startswith(prefix)
    assert second.file.name.removeprefix("original_images/")[:16] != prefix


def test_an_image_nobody_uses_is_the_same_private_404_as_a_missing_one(newsroom, client):
    image = ImageFactory()
    original, rendition = urls_of(image)

    for url in (original, rendition, "/media/images/no-such-file.jpg", "/media/original_images/nothing.png"):
        response = fetch(client, url)
        assert response.status_code == 404, url
        assert is_private(response)
        assert "Surrogate-Key" not in response


def test_an_image_in_a_public_items_gallery_is_public_and_tagged_for_the_edge(newsroom, client):
    image = ImageFactory()
    release = PressReleaseFactory(parent=newsroom)
    in_gallery(release, image)
    original, rendition = urls_of(image)

    for url in (original, rendition):
        response = fetch(client, url)
        assert response.status_code == 200, url
        assert body_of(response)[:2] in (b"\xff\xd8", b"\x89P", b"GI", b"RI")
        assert response["Cache-Control"].startswith("public, max-age=")
        assert {f"image-{image.pk}", f"item-{release.pk}", "site"} <= set(response["Surrogate-Key"].split())


def test_images_public_by_nature_are_public_without_an_item(newsroom, client):
    own = ImageFactory(is_public=True)
    headshot = ImageFactory()
    PersonFactory(photo=headshot)
    logo = ImageFactory()
    collection = MediaKitCollection.objects.create(title="Logos")
    MediaKitEntry.objects.create(collection=collection, image=logo)

    for image in (own, headshot, logo):
        assert fetch(client, urls_of(image)[1]).status_code == 200, image.title


def test_staff_see_every_image_privately(newsroom, client, editor):
    image = ImageFactory()

    with time_machine.travel(NOW, tick=False):
        client.force_login(editor)
        response = client.get(urls_of(image)[0])

    assert response.status_code == 200
    assert is_private(response) and "Surrogate-Key" not in response


def test_names_that_try_to_leave_the_image_folders_are_404(newsroom, client):
    for url in ("/media/images/../documents/x.pdf", "/media/images/%2e%2e%2fsecret", "/media/private/x.jpg"):
        assert fetch(client, url).status_code == 404, url


def test_the_image_views_queries_do_not_grow_with_the_items_using_the_image(newsroom, client):
    def queries_for(items: int) -> int:
        image = ImageFactory()
        for _ in range(items):
            in_gallery(PressReleaseFactory(parent=newsroom), image)
        url = urls_of(image)[1]
        with CaptureQueriesContext(connection) as captured:
            assert fetch(client, url).status_code == 200
        return len(captured)

    one, many = queries_for(1), queries_for(6)

    assert one == many
    assert many <= 8  # two are the site's own middleware; the rule takes at most five


def test_a_download_is_an_attachment_named_after_the_image_and_its_size(newsroom, client):
    image = ImageFactory(title="Harbour at Dawn")
    in_gallery(PressReleaseFactory(parent=newsroom), image)
    make_download(image, "print")

    response = fetch(client, f"/downloads/images/{image.pk}/print/")

    assert response.status_code == 200
    assert 'attachment; filename="harbour-at-dawn-print.jpg"' == response["Content-Disposition"]
    assert body_of(response) == b"\xff\xd8 a picture \xff\xd9"
    assert f"image-{image.pk}" in response["Surrogate-Key"].split()


def test_an_unknown_size_is_a_404_and_a_size_not_made_yet_is_a_503_that_queues_it(newsroom, client, monkeypatch):
    image = ImageFactory()
    in_gallery(PressReleaseFactory(parent=newsroom), image)
    queued = []
    monkeypatch.setattr("presscentre.core.image_downloads.queue_image_downloads", queued.append)

    unknown = fetch(client, f"/downloads/images/{image.pk}/huge/")
    waiting = fetch(client, f"/downloads/images/{image.pk}/web/")

    assert unknown.status_code == 404
    assert waiting.status_code == 503 and waiting["Retry-After"].isdigit()
    assert is_private(waiting)
    assert b"try again" in waiting.content
    assert queued == [image]


def test_a_download_of_an_image_nobody_public_uses_is_refused(newsroom, client):
    image = ImageFactory()
    make_download(image, "web")

    assert fetch(client, f"/downloads/images/{image.pk}/web/").status_code == 404
    assert fetch(client, f"/downloads/images/{image.pk + 1000}/web/").status_code == 404


def test_the_zip_is_served_when_built_and_a_503_that_queues_it_when_not(newsroom, client, monkeypatch):
    release = PressReleaseFactory(parent=newsroom, slug="harbour")
    in_gallery(release, ImageFactory())
    queued = []
    monkeypatch.setattr("presscentre.mediakit.archives.queue_archive", queued.append)
    url = f"/downloads/items/{release.pk}/media.zip"

    waiting = fetch(client, url)
    archive = ItemArchive(item=release, fingerprint=gallery_fingerprint(release), built_at=NOW, file_size=4)
    archive.file.save("harbour.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    archive.save()
    ready = fetch(client, url)

    assert waiting.status_code == 503 and "Retry-After" in waiting
    assert [item.pk for item in queued] == [release.pk]
    assert ready.status_code == 200
    assert ready["Content-Disposition"] == 'attachment; filename="harbour-media.zip"'
    assert body_of(ready).startswith(b"PK")
    assert f"item-{release.pk}" in ready["Surrogate-Key"].split()


def test_an_item_without_a_gallery_has_no_zip(newsroom, client):
    release = PressReleaseFactory(parent=newsroom)

    assert fetch(client, f"/downloads/items/{release.pk}/media.zip").status_code == 404
    assert fetch(client, "/downloads/items/999999/media.zip").status_code == 404


class SignedStorage(FileSystemStorage):
    """Stands in for the bucket's signing alias: its addresses can be read, no S3 service is needed."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return f"https://bucket.example/{name}?X-Amz-Expires=60&X-Amz-Signature=abc"


def test_on_object_storage_the_view_redirects_to_a_short_lived_signed_address(newsroom, client, settings):
    image = ImageFactory()
    in_gallery(PressReleaseFactory(parent=newsroom), image)
    original, rendition = urls_of(image)
    settings.STORAGES = {
        **settings.STORAGES,
        "signed_media": {"BACKEND": f"{__name__}.SignedStorage"},
    }

    allowed = fetch(client, rendition)
    hidden = fetch(client, urls_of(ImageFactory())[1])

    assert allowed.status_code == 302
    assert allowed["Location"].startswith("https://bucket.example/images/") and "X-Amz-Signature" in allowed["Location"]
    assert allowed["Cache-Control"].startswith("private") and "Surrogate-Key" not in allowed
    assert hidden.status_code == 404 and "Location" not in hidden


def test_the_app_served_bucket_storage_shows_the_apps_own_addresses(settings):
    from presscentre.mediakit.serving import AppServedS3Storage

    storage = AppServedS3Storage(bucket_name="press")

    assert storage.url("images/abc-photo.fill-80x60.jpg") == "/media/images/abc-photo.fill-80x60.jpg"


def test_a_head_request_gets_the_same_answer_without_the_file(newsroom, client):
    image = ImageFactory()
    in_gallery(PressReleaseFactory(parent=newsroom), image)

    with time_machine.travel(NOW, tick=False):
        response = client.head(urls_of(image)[1])

    assert response.status_code == 200


def test_an_item_in_a_private_section_has_no_public_zip(newsroom, client):
    from wagtail.models import PageViewRestriction

    release = PressReleaseFactory(parent=newsroom)
    in_gallery(release, ImageFactory())
    PageViewRestriction.objects.create(page=release, restriction_type="password", password="x")  # noqa: S106

    assert fetch(client, f"/downloads/items/{release.pk}/media.zip").status_code == 404


def test_a_public_image_is_refused_once_an_embargoed_item_uses_it_too(newsroom, client):
    image = ImageFactory()
    in_gallery(PressReleaseFactory(parent=newsroom), image)
    lift = NOW + timedelta(hours=1)
    in_gallery(PressReleaseFactory(parent=newsroom, embargo_until=lift), image)

    assert fetch(client, urls_of(image)[1]).status_code == 404
    assert fetch(client, urls_of(image)[1], at=lift).status_code == 200
