"""A press officer uploads a photograph through the admin's image form (alt text, credit, licence), adds it to a
release's gallery in the page editor and publishes; a reader opens the release, opens the picture viewer from the
keyboard, steps through it and closes it, downloads the print size (its XMP names the credit) and the ZIP (its
CREDITS.txt too). axe-core checks the gallery, the open viewer, the media kit page and the experts directory.

Tasks run at once in the browser package (the immediate backend), as the worker would run them: saving the image
makes its download sizes, publishing the release builds its ZIP.
"""

import io
import re
import secrets
import zipfile

import pytest
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw

from presscentre.e2e.pages import assert_accessible, check_page, settle

pytestmark = pytest.mark.browser

CREDIT = "Photo: Ana Ruiz for the institute"
ALT_TEXT = "Volunteers planting trees along a new cycle path on a bright morning"


def photograph(path) -> None:
    """A 3,000 × 2,000 JPEG: larger than the web size, within the print size."""
    image = Image.new("RGB", (3000, 2000), (120, 170, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 1300, 3000, 2000], fill=(80, 140, 60))
    for x in range(200, 3000, 400):
        draw.ellipse([x, 700, x + 260, 1300], fill=(40, 100, 40))
    image.save(path, "JPEG", quality=85)


@pytest.fixture
def second_picture(live_site):
    """Setup, not the journey: another picture with its metadata, already in the library, so the viewer can step."""
    from presscentre.core.models import Licence
    from presscentre.newsroom.tests.factories import ImageFactory

    return ImageFactory(
        title=f"Cycle path map {secrets.token_hex(3)}",
        description="A map of the new cycle path between the station and the park",
        caption="The route of the new path.",
        credit="Map: the institute",
        licence=Licence.CC0,
        is_public=False,
    )


@pytest.fixture
def media_kit(live_site):
    from presscentre.mediakit.models import MediaKitCollection, MediaKitEntry
    from presscentre.newsroom.tests.factories import ImageFactory

    logo = ImageFactory(title="Institute logo", description="The institute's logo", credit="The institute")
    collection = MediaKitCollection.objects.create(title="Logos and brand", intro="For articles and broadcasts.")
    MediaKitEntry.objects.create(collection=collection, image=logo)
    yield collection
    collection.delete()


def choose_image(page, title: str) -> None:
    """Add a gallery entry and pick `title` in the image chooser."""
    page.get_by_role("button", name="Add image or file").click()
    entry = page.locator("[id^='inline_child_media_assets-']").last
    entry.get_by_role("button", name="Choose an image").click()
    chooser = page.locator(".modal-dialog")
    chooser.get_by_role("link", name=title).click()
    chooser.wait_for(state="detached")
    assert title in entry.inner_text()


def tab_to_thumbnail(page, *, limit: int = 300) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('a.gallery-open')"):
            return
    raise AssertionError("Tab never reached the gallery's first thumbnail")


def test_a_press_officer_adds_a_picture_and_a_reader_views_and_downloads_it(
    live_site, editor_page, reader_page, second_picture, media_kit, tmp_path
):
    from presscentre.core.models import ImageDownload, PressCentreImage
    from presscentre.mediakit.models import ItemArchive
    from presscentre.newsroom.models import PressReleasePage

    release = (
        PressReleasePage.objects.live()
        .filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=timezone.now()))
        .order_by("-published_at")
        .first()
    )
    map_image = second_picture
    title = f"Tree planting on the cycle path {secrets.token_hex(3)}"
    upload = tmp_path / "tree-planting.jpg"
    photograph(upload)
    page = editor_page

    # The admin's own upload form: alt text is asked for, then the credit and licence.
    page.goto("/admin/images/add/")
    page.locator("#id_file").set_input_files(str(upload))
    page.get_by_label("Title").fill(title)  # after the file, whose name Wagtail copies into an empty title
    page.get_by_role("textbox", name="Alt text").fill(ALT_TEXT)
    page.get_by_label("Credit").fill(CREDIT)
    page.get_by_label("Licence").select_option(label="CC BY 4.0")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    image = PressCentreImage.objects.get(title=title)
    assert (image.description, image.credit, image.licence) == (ALT_TEXT, CREDIT, "cc-by-4.0")

    # The release's gallery in the page editor, then Publish.
    page.goto(f"/admin/pages/{release.pk}/edit/")
    choose_image(page, title)
    choose_image(page, map_image.title)
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    assert [entry.image_id for entry in release.media_assets.all()] == [image.pk, map_image.pk]
    assert ImageDownload.objects.filter(image=image).count() == 3
    assert ItemArchive.objects.filter(item_id=release.pk).exclude(file="").exists()

    # The reader's page: the gallery, with the credit and the sizes.
    reader = reader_page
    reader.goto(release.url)
    settle(reader)
    gallery = reader.locator("section.gallery")
    assert title in gallery.inner_text()
    assert CREDIT in gallery.inner_text()
    assert "Print, 3,000 × 2,000 px" in gallery.inner_text()
    thumbnail = gallery.locator("a.gallery-open img").first
    assert thumbnail.evaluate("(img) => img.complete && img.naturalWidth") > 0
    check_page(reader, "media-gallery")

    # The viewer, from the keyboard: Enter opens it, the arrow steps, Escape closes and focus comes back.
    reader.goto(release.url)
    settle(reader)
    tab_to_thumbnail(reader)
    reader.keyboard.press("Enter")
    viewer = reader.locator("dialog[data-lightbox-dialog]")
    assert viewer.evaluate("(dialog) => dialog.open")
    assert reader.evaluate("() => document.activeElement.closest('dialog') !== null")
    assert CREDIT in viewer.inner_text() and "Picture 1 of 2" in viewer.inner_text()
    viewer.locator("img").evaluate("(img) => img.decode()")
    assert viewer.locator("img").get_attribute("alt") == ALT_TEXT
    assert_accessible(reader, "media-lightbox-open")
    reader.keyboard.press("ArrowRight")
    assert "Picture 2 of 2" in viewer.inner_text()
    assert "Map: the institute" in viewer.inner_text()
    reader.keyboard.press("ArrowRight")
    assert "Picture 1 of 2" in viewer.inner_text()
    reader.keyboard.press("Escape")
    assert not viewer.evaluate("(dialog) => dialog.open")
    assert reader.evaluate("() => document.activeElement.matches('a.gallery-open')")

    # The print size: its pixels, and the credit written into its XMP.
    with reader.expect_download() as print_download:
        gallery.get_by_role("link", name=re.compile(r"^Print, 3,000 × 2,000 px")).first.click()
    printed = print_download.value.path().read_bytes()
    with Image.open(io.BytesIO(printed)) as opened:
        size, xmp = opened.size, opened.info.get("xmp", b"")
    assert size == (3000, 2000)
    assert CREDIT in (xmp.decode() if isinstance(xmp, bytes) else xmp)

    # Download all: the ZIP with both pictures and a CREDITS.txt naming the credit and licence.
    with reader.expect_download() as zip_download:
        gallery.get_by_role("link", name="Download all").click()
    with zipfile.ZipFile(zip_download.value.path()) as archive:
        names = archive.namelist()
        credits = archive.read("CREDITS.txt").decode()
    assert len([name for name in names if name.endswith(".jpg")]) == 2
    assert CREDIT in credits and "CC BY 4.0" in credits and "Map: the institute" in credits

    # The media kit page and the experts directory pass axe too.
    reader.goto("/media-kit/")
    assert "Logos and brand" in reader.locator("main").inner_text()
    check_page(reader, "media-kit")
    reader.goto("/experts/")
    check_page(reader, "media-experts")
