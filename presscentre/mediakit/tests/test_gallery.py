"""The gallery on items: what it shows of each picture and file, its download sizes, its ZIP link, and its cost."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.documents import get_document_model

from presscentre.core.models import ImageDownload, Licence
from presscentre.mediakit.models import ItemArchive
from presscentre.newsroom.models.items import ItemAsset
from presscentre.newsroom.tests.factories import (
    ImageFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
)


def picture(**fields):
    defaults = {
        "title": "Library front",
        "description": "The new library's glass front at dusk",
        "caption": "The library opens to the public on Monday.",
        "credit": "Photo: Ana Ruiz",
        "licence": Licence.CC_BY_4,
        "usage_terms": "Do not crop the sign.",
        "people_shown": "Mayor Jo Bloggs, Ana Ruiz",
        "made_on": date(2030, 3, 1),
    }
    return ImageFactory(**(defaults | fields))


def made_download(image, size, width, height, file_size):
    download = ImageDownload(
        image=image,
        size=size,
        width=width,
        height=height,
        file_size=file_size,
        source_fingerprint="test",
        made_at=timezone.now(),
    )
    download.file.save(f"{size}.jpg", ContentFile(b"jpeg"), save=False)
    download.save()
    return download


def document(**fields):
    defaults = {"title": "Full report", "credit": "The Institute", "licence": Licence.EDITORIAL}
    doc = get_document_model()(**(defaults | fields))
    doc.file.save("background.txt", ContentFile(b"Background notes"), save=False)
    doc.save()
    return doc


def with_gallery(item, *assets):
    for order, asset in enumerate(assets):
        field = "image" if hasattr(asset, "get_rendition") else "document"
        ItemAsset.objects.create(item=item, sort_order=order, **{field: asset})
    return item


@pytest.fixture
def release(newsroom):
    return PressReleaseFactory(parent=newsroom, title="Library opens")


def test_a_picture_shows_its_caption_credit_licence_terms_people_and_date(release, client):
    with_gallery(release, picture())

    html = client.get(release.url).content.decode()

    assert "Pictures and files" in html
    assert "The library opens to the public on Monday." in html
    assert "Photo: Ana Ruiz" in html
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener">CC BY 4.0</a>' in html
    assert "Do not crop the sign." in html
    assert "Mayor Jo Bloggs, Ana Ruiz" in html
    assert '<time datetime="2030-03-01">1 March 2030</time>' in html
    assert 'alt="The new library&#x27;s glass front at dusk"' in html


def test_a_licence_that_is_not_creative_commons_is_named_without_a_link(release, client):
    with_gallery(release, picture(licence=Licence.RIGHTS_RESERVED))

    html = client.get(release.url).content.decode()

    assert "All rights reserved — ask the press office" in html
    assert 'rel="license' not in html


def test_the_thumbnail_has_a_2x_rendition_and_links_to_the_larger_picture(release, client):
    image = picture()
    with_gallery(release, image)

    html = client.get(release.url).content.decode()

    thumbnail = image.get_rendition("max-360x270")
    double = image.get_rendition("max-720x540")
    large = image.get_rendition("max-1600x1600")
    assert f'srcset="{thumbnail.url} 1x, {double.url} 2x"' in html
    assert f'<a class="gallery-open" href="{large.url}" data-lightbox' in html
    assert "data-lightbox-dialog" in html
    assert "mediakit/gallery.js" in html


def test_each_size_made_shows_its_pixels_and_file_size_and_the_rest_are_being_prepared(release, client):
    image = picture()
    with_gallery(release, image)
    made_download(image, "web", 1600, 1067, 412_000)
    made_download(image, "print", 4000, 2667, 3_250_586)

    html = client.get(release.url).content.decode()

    assert f'href="/downloads/images/{image.pk}/web/"' in html
    assert "Web, 1,600 × 1,067 px, 402.3\xa0KB" in html
    assert f'href="/downloads/images/{image.pk}/print/"' in html
    assert "Print, 4,000 × 2,667 px, 3.1\xa0MB" in html
    assert "Original, being prepared" in html
    assert f"/downloads/images/{image.pk}/original/" not in html


def test_a_document_shows_its_type_size_credit_licence_and_download_link(newsroom, client):
    report = ReportFactory(parent=newsroom)
    doc = document()
    with_gallery(report, doc)

    html = client.get(report.url).content.decode()

    assert f'<a href="{doc.url}" download>Full report</a>' in html
    assert "(TXT, 16\xa0bytes)" in html
    assert "The Institute" in html
    assert "Free for editorial use with credit" in html


def test_download_all_names_the_number_of_files_and_the_zip_size_once_it_is_built(release, client):
    with_gallery(release, picture(), picture(title="Reading room"), document())

    before = client.get(release.url).content.decode()
    archive = ItemArchive(item_id=release.pk, file_size=5_400_000, fingerprint="x", built_at=timezone.now())
    archive.file.save("media.zip", ContentFile(b"zip"), save=False)
    archive.save()
    after = client.get(release.url).content.decode()

    assert f'href="/downloads/items/{release.pk}/media.zip" download>Download all</a>' in before
    assert "(ZIP, 3 files, with a CREDITS.txt)" in before
    assert "(ZIP, 3 files, 5.1\xa0MB, with a CREDITS.txt)" in after


@pytest.mark.parametrize("factory", [PressReleaseFactory, ReportFactory, MediaAppearanceFactory])
def test_releases_reports_and_media_appearances_show_their_gallery(newsroom, client, factory):
    item = with_gallery(factory(parent=newsroom), picture(title="Unique gallery title"))

    html = client.get(item.url).content.decode()

    assert "Unique gallery title" in html
    assert "Pictures and files" in html


def test_an_item_without_a_gallery_shows_no_gallery(release, client):
    html = client.get(release.url).content.decode()

    assert "Pictures and files" not in html
    assert "media.zip" not in html
    assert "data-lightbox-dialog" not in html


def test_the_gallery_shows_nothing_of_who_uploaded_a_picture(release, client, django_user_model):
    uploader = django_user_model.objects.create_user(
        "uploader", "private.uploader@example.org", "x", first_name="Private", last_name="Uploader"
    )
    with_gallery(release, picture(uploaded_by_user=uploader))

    html = client.get(release.url).content.decode()

    assert "private.uploader" not in html
    assert "Private Uploader" not in html
    assert "uploader" not in html


def gallery_queries(client, url) -> int:
    client.get(url)  # renditions and site settings are made on first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_gallery_reads_the_same_number_of_queries_for_one_picture_or_ten(newsroom, client):
    one = PressReleaseFactory(parent=newsroom)
    ten = PressReleaseFactory(parent=newsroom)
    with_gallery(one, picture())
    images = [picture(title=f"Picture {n}") for n in range(10)]
    with_gallery(ten, *images, document())
    for image in [*images, one.media_assets.first().image]:
        made_download(image, "web", 1600, 1067, 1000)
        made_download(image, "print", 4000, 2667, 2000)

    assert gallery_queries(client, ten.url) == gallery_queries(client, one.url)


def test_a_gallery_costs_four_queries_and_no_gallery_one(newsroom, client):
    bare = PressReleaseFactory(parent=newsroom)
    shown = with_gallery(PressReleaseFactory(parent=newsroom), picture())

    # Entries with their assets, the downloads, the renditions and the ZIP; without entries, only the first.
    assert gallery_queries(client, shown.url) - gallery_queries(client, bare.url) == 3


def test_a_spokesperson_in_the_experts_directory_can_be_asked_for_an_interview(newsroom, client):
    expert = PersonFactory(name="Nia Evans", slug="nia-evans", available_for_comment=True)
    other = PersonFactory(name="Sam Lowe", slug="sam-lowe", available_for_comment=False)
    release = PressReleaseFactory(parent=newsroom, people=[expert, other])

    html = client.get(release.url).content.decode()

    assert 'href="/experts/request/nia-evans/">Request an interview' in html
    assert "/experts/request/sam-lowe/" not in html


def test_a_preview_shows_the_editor_s_unsaved_gallery(release, rf):
    from django.template import Context, Template

    image = picture(title="Not saved yet")
    release.media_assets = [ItemAsset(image=image)]
    request = rf.get("/")
    request.is_preview = True

    html = Template("{% load mediakit_tags %}{% item_gallery page %}").render(
        Context({"page": release, "request": request})
    )

    assert "Not saved yet" in html
    assert not ItemAsset.objects.filter(item=release).exists()
