"""An item's "Download all" ZIP: what it holds, its CREDITS.txt, when it is built and rebuilt, and its memory."""

import io
import os
import tracemalloc
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from wagtail.models import Collection

from presscentre.core.image_downloads import make_image_downloads
from presscentre.core.models import ImageDownload, Licence, PressCentreDocument, PressCentreImage
from presscentre.mediakit.archives import build_archive, current_archive, gallery_fingerprint
from presscentre.mediakit.models import ItemArchive
from presscentre.newsroom.models.items import ItemAsset
from presscentre.newsroom.tests.factories import PressContactFactory, PressReleaseFactory

pytestmark = pytest.mark.django_db

LIFT = datetime(2031, 6, 2, 8, 0, tzinfo=UTC)


def jpeg(size=(2400, 1600)) -> bytes:
    picture = Image.new("RGB", size, (30, 90, 160))
    ImageDraw.Draw(picture).ellipse((100, 100, size[0] // 2, size[1] // 2), fill=(240, 200, 40))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def image(**fields) -> PressCentreImage:
    defaults = {
        "title": "Harbour at dawn",
        "caption": "Fishing boats leave the harbour\nat first light.",
        "credit": "Photo: Ana Ruiz",
        "licence": Licence.CC_BY_4,
        "usage_terms": "Editorial use only.",
        "made_on": date(2026, 3, 2),
        "people_shown": "Mara Olsen, Tom Reyes",
    }
    return PressCentreImage.objects.create(
        file=ContentFile(jpeg(), name="harbour.jpg"),
        collection=Collection.get_first_root_node(),
        **{**defaults, **fields},
    )


def document(name: str, content: bytes, **fields) -> PressCentreDocument:
    defaults = {"title": "Budget figures", "credit": "The Institute", "licence": Licence.EDITORIAL}
    return PressCentreDocument.objects.create(
        file=ContentFile(content, name=name), collection=Collection.get_first_root_node(), **{**defaults, **fields}
    )


def gallery(item, *assets) -> None:
    for order, asset in enumerate(assets):
        field = "image" if isinstance(asset, PressCentreImage) else "document"
        ItemAsset.objects.create(item=item, sort_order=order, **{field: asset})


def read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def release(newsroom):
    return PressReleaseFactory(parent=newsroom, title="Harbour reopens after storm repairs", slug="harbour-reopens")


def test_the_zip_holds_print_sizes_and_files_in_gallery_order_with_credits(release):
    harbour = image()
    figures = document("figures.csv", b"region,share\nNorth,0.31\n" * 200, title="Budget figures")
    recording = document("interview.mp3", os.urandom(50_000), title="Interview: the harbour master", credit="")
    gallery(release, harbour, figures, recording)

    assert build_archive(release.pk) is True

    archive = ItemArchive.objects.get(item=release)
    assert archive.file_size == archive.file.size
    with archive.file.open("rb") as handle, zipfile.ZipFile(handle) as zipped:
        assert zipped.namelist() == [
            "01-harbour-at-dawn.jpg",
            "02-budget-figures.csv",
            "03-interview-the-harbour-master.mp3",
            "CREDITS.txt",
        ]
        print_size = ImageDownload.objects.get(image=harbour, size="print")
        assert zipped.read("01-harbour-at-dawn.jpg") == read(print_size.file)
        assert zipped.read("02-budget-figures.csv") == read(figures.file)
        assert zipped.read("03-interview-the-harbour-master.mp3") == read(recording.file)
        kinds = {info.filename: info.compress_type for info in zipped.infolist()}
        assert kinds["01-harbour-at-dawn.jpg"] == zipfile.ZIP_STORED
        assert kinds["03-interview-the-harbour-master.mp3"] == zipfile.ZIP_STORED
        assert kinds["02-budget-figures.csv"] == zipfile.ZIP_DEFLATED
        assert kinds["CREDITS.txt"] == zipfile.ZIP_DEFLATED
        credits = zipped.read("CREDITS.txt").decode()

    lines = credits.splitlines()
    assert lines[0] == "Harbour reopens after storm repairs"
    assert lines[1].endswith("/harbour-reopens/")
    assert "01-harbour-at-dawn.jpg" in lines
    block = lines[lines.index("01-harbour-at-dawn.jpg") : lines.index("02-budget-figures.csv")]
    assert block[1:] == [
        "  Title: Harbour at dawn",
        "  Size: 2400 x 1600 px",
        "  Caption: Fishing boats leave the harbour at first light.",
        "  Credit: Photo: Ana Ruiz",
        "  Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "  Usage terms: Editorial use only.",
        "  People shown: Mara Olsen, Tom Reyes",
        "  Date: 2 March 2026",
        "",
    ]
    assert "  Licence: Free for editorial use with credit" in lines
    assert "  Credit: none given" in lines


def test_credits_name_the_press_office_and_the_items_contacts(release):
    from presscentre.newsroom.models.press_release import ReleaseContact

    contact = PressContactFactory(name="Jo Banks", role="Head of Media", email="jo@example.org", phone="020 7946 0001")
    ReleaseContact.objects.create(release=release, contact=contact, sort_order=0)
    gallery(release, image())

    build_archive(release.pk)

    with ItemArchive.objects.get(item=release).file.open("rb") as handle, zipfile.ZipFile(handle) as zipped:
        credits = zipped.read("CREDITS.txt").decode()
    assert "Press office: " in credits
    assert "Contact: Jo Banks, Head of Media, jo@example.org, 020 7946 0001" in credits


def test_the_zip_is_rebuilt_only_when_the_gallery_changes(release, django_capture_on_commit_callbacks):
    harbour = image()
    gallery(release, harbour)
    assert current_archive(release) is None  # never built: the serving view says so rather than building it

    assert build_archive(release.pk) is True
    first = current_archive(release)
    assert first is not None
    assert build_archive(release.pk) is False  # current: not built again
    assert current_archive(release).file.name == first.file.name

    PressCentreImage.objects.filter(pk=harbour.pk).update(credit="Photo: Port Authority")
    assert current_archive(release) is None  # an old credit is never handed out

    with django_capture_on_commit_callbacks(execute=True):
        assert build_archive(release.pk) is True
    second = current_archive(release)
    assert second.file.name != first.file.name
    assert not first.file.storage.exists(first.file.name)  # the old ZIP is gone once the new row committed
    with second.file.open("rb") as handle, zipfile.ZipFile(handle) as zipped:
        assert "Credit: Photo: Port Authority" in zipped.read("CREDITS.txt").decode()


def test_reordering_the_gallery_makes_the_zip_out_of_date(release):
    first, second = image(title="First"), image(title="Second")
    gallery(release, first, second)
    before = gallery_fingerprint(release)

    ItemAsset.objects.filter(item=release, image=first).update(sort_order=5)

    assert gallery_fingerprint(release) != before


def test_an_embargoed_item_has_its_zip_built_when_published_before_the_lift(
    newsroom, django_capture_on_commit_callbacks
):
    release = PressReleaseFactory(parent=newsroom, live=False, embargo_until=LIFT, title="Storm repairs")
    gallery(release, image())

    with django_capture_on_commit_callbacks(execute=True):
        release.save_revision().publish()

    release.refresh_from_db()
    assert release.live and release.embargo_until == LIFT  # published, still under embargo
    archive = current_archive(release)
    assert archive is not None
    assert archive.built_at < LIFT - timedelta(days=365)
    # Its print size was made on the way, so the ZIP holds the credited picture.
    assert ImageDownload.objects.filter(image__in=[asset.image for asset in release.media_assets.all()]).count() == 3


def test_a_new_credit_on_a_published_items_image_rebuilds_its_zip(release, django_capture_on_commit_callbacks):
    harbour = image()
    gallery(release, harbour)
    build_archive(release.pk)
    old = ItemArchive.objects.get(item=release).fingerprint

    with django_capture_on_commit_callbacks(execute=True):
        harbour.credit = "Photo: Port Authority"
        harbour.save()

    archive = ItemArchive.objects.get(item=release)
    assert archive.fingerprint != old
    assert current_archive(release) == archive


def test_a_draft_items_image_change_builds_nothing(newsroom, django_capture_on_commit_callbacks):
    draft = PressReleaseFactory(parent=newsroom, live=False)
    harbour = image()
    gallery(draft, harbour)

    with django_capture_on_commit_callbacks(execute=True):
        harbour.credit = "Photo: Port Authority"
        harbour.save()

    assert not ItemArchive.objects.filter(item=draft).exists()


def test_emptying_the_gallery_removes_the_zip(release, django_capture_on_commit_callbacks):
    gallery(release, image())
    build_archive(release.pk)
    archive = ItemArchive.objects.get(item=release)

    with django_capture_on_commit_callbacks(execute=True):
        ItemAsset.objects.filter(item=release).delete()

    assert not ItemArchive.objects.filter(item=release).exists()
    assert not archive.file.storage.exists(archive.file.name)


def test_an_image_pillow_cannot_read_goes_in_as_uploaded(release):
    broken = image(title="Scan")
    with open(broken.file.path, "wb") as damaged:
        damaged.write(b"\xff\xd8 damaged")
    gallery(release, broken)

    assert build_archive(release.pk) is True

    with ItemArchive.objects.get(item=release).file.open("rb") as handle, zipfile.ZipFile(handle) as zipped:
        assert zipped.read("01-scan.jpg") == b"\xff\xd8 damaged"


def test_building_a_zip_of_large_files_never_reads_a_whole_file(release, tmp_path):
    large = tmp_path / "recording.wav"
    with open(large, "wb") as out:
        for _ in range(40):
            out.write(os.urandom(1 << 20))
    with open(large, "rb") as handle:
        recording = PressCentreDocument.objects.create(
            title="Full interview",
            file=File(handle, name="recording.wav"),
            collection=Collection.get_first_root_node(),
        )
    recording.get_file_hash()
    gallery(release, recording)

    tracemalloc.start()
    try:
        assert build_archive(release.pk) is True
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 8 * (1 << 20), f"building held {peak / (1 << 20):.1f} MiB for a 40 MiB file"
    assert ItemArchive.objects.get(item=release).file_size > 40 * (1 << 20)


def test_checking_for_a_current_zip_takes_a_few_queries(release, django_assert_max_num_queries):
    gallery(release, image(), image(title="Second"), document("figures.csv", b"a,b\n"))
    build_archive(release.pk)

    with django_assert_max_num_queries(2):
        assert current_archive(release) is not None


def test_make_image_downloads_first_keeps_the_zip_current(release):
    harbour = image()
    gallery(release, harbour)
    make_image_downloads(harbour.pk)

    assert build_archive(release.pk) is True
    assert build_archive(release.pk) is False
