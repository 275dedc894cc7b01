"""Download sizes: their dimensions, formats and embedded credit and licence, when they are made again, and what a
broken file leaves behind."""

import io
import logging
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image, ImageDraw
from wagtail.models import Collection

from presscentre.core.image_downloads import make_image_downloads, queue_image_downloads, source_fingerprint
from presscentre.core.models import ImageDownload, Licence, PressCentreImage

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture_bytes(size, *, mode="RGB", format="JPEG", exif=None, icc_profile=None) -> bytes:
    """A picture with some detail in it (so a turn or a crop would show), in the given format."""
    width, height = size
    picture = Image.new(mode, size, (200, 40, 40, 255)[: len(mode)] if mode != "L" else 128)
    draw = ImageDraw.Draw(picture)
    # A dark block in the top-left quarter: where it ends up after a turn says which way the picture was turned.
    draw.rectangle((0, 0, width // 4, height // 4), fill=(0, 0, 0, 255)[: len(mode)] if mode != "L" else 0)
    if mode == "RGBA":
        draw.rectangle((width // 2, height // 2, width - 1, height - 1), fill=(0, 0, 0, 0))
    out = io.BytesIO()
    options = {}
    if exif is not None:
        options["exif"] = exif
    if icc_profile is not None:
        options["icc_profile"] = icc_profile
    picture.save(out, format, **options)
    return out.getvalue()


def make_image(data: bytes, name="photo.jpg", **fields) -> PressCentreImage:
    defaults = {
        "title": "Harbour at dawn",
        "caption": "Fishing boats leave the harbour at first light.",
        "credit": "Photo: Ana Ruíz",
        "licence": Licence.CC_BY_4,
        "usage_terms": "No cropping of the credit line.",
        "made_on": date(2026, 3, 2),
        "people_shown": "Mara Olsen, Tom Reyes",
    }
    return PressCentreImage.objects.create(
        file=ContentFile(data, name=name), collection=Collection.get_first_root_node(), **{**defaults, **fields}
    )


def downloads_of(image) -> dict[str, ImageDownload]:
    return {row.size: row for row in ImageDownload.objects.filter(image=image)}


def opened(download: ImageDownload) -> Image.Image:
    with download.file.open("rb") as handle:
        picture = Image.open(io.BytesIO(handle.read()))
        picture.load()
    return picture


@pytest.mark.parametrize(
    ("size", "web", "print_"),
    [
        ((6000, 4000), (1600, 1067), (4000, 2667)),  # landscape, 24 megapixels
        ((3000, 4500), (1067, 1600), (2667, 4000)),  # portrait
        ((1200, 800), (1200, 800), (1200, 800)),  # small: never enlarged
        ((2400, 1600), (1600, 1067), (2400, 1600)),  # between the limits: print is the original's size
    ],
)
def test_each_size_fits_its_limit_without_enlarging(size, web, print_):
    image = make_image(picture_bytes(size))

    assert make_image_downloads(image.pk) is True

    made = downloads_of(image)
    assert (made["web"].width, made["web"].height) == web
    assert (made["print"].width, made["print"].height) == print_
    assert (made["original"].width, made["original"].height) == size
    for row in made.values():
        assert opened(row).size == (row.width, row.height)
        assert row.file_size == row.file.size > 0
    assert opened(made["web"]).format == "JPEG"
    with made["original"].file.open("rb") as handle, image.file.open("rb") as upload:
        assert handle.read() == upload.read()


def test_jpegs_are_progressive_at_their_quality():
    image = make_image(picture_bytes((2000, 1500)))
    make_image_downloads(image.pk)

    made = downloads_of(image)
    web, print_ = opened(made["web"]), opened(made["print"])
    assert web.info.get("progressive") or web.info.get("progression")
    assert print_.info.get("progressive") or print_.info.get("progression")
    # Pillow's estimate of the quality from the quantisation tables: 85 for web, 92 for print.
    assert web.quantization[0][0] < opened(made["original"]).quantization[0][0] + 10
    assert print_.quantization[0][0] < web.quantization[0][0]


def test_a_transparent_png_stays_a_png_with_its_transparency():
    image = make_image(picture_bytes((3000, 2000), mode="RGBA", format="PNG"), name="logo.png")
    make_image_downloads(image.pk)

    made = downloads_of(image)
    web = opened(made["web"])
    assert web.format == "PNG"
    assert web.mode == "RGBA"
    assert (web.width, web.height) == (1600, 1067)
    assert web.getpixel((1500, 1000))[3] == 0  # the transparent quarter is still transparent
    assert made["web"].file.name.endswith(".png")
    assert "Ana" in web.info["XML:com.adobe.xmp"]


def test_a_transparent_webp_becomes_a_png_and_an_opaque_png_a_jpeg():
    webp = make_image(picture_bytes((800, 600), mode="RGBA", format="WEBP"), name="badge.webp")
    opaque = make_image(picture_bytes((800, 600), format="PNG"), name="chart.png")
    make_image_downloads(webp.pk)
    make_image_downloads(opaque.pk)

    assert opened(downloads_of(webp)["print"]).format == "PNG"
    assert opened(downloads_of(opaque)["print"]).format == "JPEG"
    assert opened(downloads_of(webp)["original"]).format == "WEBP"


def test_exif_orientation_is_applied_and_other_exif_left_behind():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was turned: shown 90° clockwise
    exif[0x010F] = "Camera Maker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0)})
    image = make_image(picture_bytes((3000, 2000), exif=exif.tobytes()))

    make_image_downloads(image.pk)

    made = downloads_of(image)
    assert (made["original"].width, made["original"].height) == (2000, 3000)
    assert (made["print"].width, made["print"].height) == (2000, 3000)
    web = opened(made["web"])
    assert web.size == (1067, 1600)
    # The dark block was top-left in the stored pixels; shown turned clockwise, it is top-right.
    assert web.convert("L").getpixel((1000, 20)) < 60
    assert web.convert("L").getpixel((20, 20)) > 60
    written = web.getexif()
    assert ORIENTATION not in written
    assert 0x010F not in written
    assert not written.get_ifd(GPS_IFD)
    assert b"GPS" not in made["web"].file.open("rb").read()


def test_credit_licence_and_people_are_in_the_xmp_and_exif_of_web_and_print():
    image = make_image(picture_bytes((2000, 1500)))
    make_image_downloads(image.pk)

    for size in ("web", "print"):
        picture = opened(downloads_of(image)[size])
        description = picture.getxmp()["xmpmeta"]["RDF"]["Description"]
        assert description["Credit"] == "Photo: Ana Ruíz"
        assert description["creator"]["Seq"]["li"] == "Photo: Ana Ruíz"
        assert description["rights"]["Alt"]["li"]["text"] == "Photo: Ana Ruíz. CC BY 4.0"
        terms = description["UsageTerms"]["Alt"]["li"]["text"]
        assert terms == "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). No cropping of the credit line."
        assert description["WebStatement"] == "https://creativecommons.org/licenses/by/4.0/"
        assert description["license"]["resource"] == "https://creativecommons.org/licenses/by/4.0/"
        assert description["description"]["Alt"]["li"]["text"] == "Fishing boats leave the harbour at first light."
        assert description["PersonInImage"]["Bag"]["li"] == ["Mara Olsen", "Tom Reyes"]
        assert description["DateCreated"] == "2026-03-02"
        exif = picture.getexif()
        assert exif[0x013B] == "Photo: Ana Ruiz"  # Artist, in ASCII as EXIF requires
        assert exif[0x8298] == "Photo: Ana Ruiz. CC BY 4.0"  # Copyright
        assert exif[0x010E] == "Fishing boats leave the harbour at first light."  # ImageDescription


def test_an_all_rights_reserved_picture_says_so_and_has_no_licence_url():
    image = make_image(picture_bytes((800, 600)), licence=Licence.RIGHTS_RESERVED, usage_terms="")
    make_image_downloads(image.pk)

    picture = opened(downloads_of(image)["web"])
    description = picture.getxmp()["xmpmeta"]["RDF"]["Description"]
    assert description["UsageTerms"]["Alt"]["li"]["text"] == "All rights reserved — ask the press office."
    assert description["Marked"] == "True"
    assert "WebStatement" not in description
    assert picture.getexif()[0x8298] == "Photo: Ana Ruiz. All rights reserved - ask the press office"


def test_the_colour_profile_is_kept():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = make_image(picture_bytes((2000, 1500), icc_profile=profile))
    make_image_downloads(image.pk)

    assert opened(downloads_of(image)["web"]).info["icc_profile"] == profile
    assert opened(downloads_of(image)["print"]).info["icc_profile"] == profile


def test_sizes_are_made_again_only_when_the_file_or_metadata_changes(private_media):
    image = make_image(picture_bytes((2000, 1500)))
    assert make_image_downloads(image.pk) is True
    first = downloads_of(image)

    assert make_image_downloads(image.pk) is False
    assert {row.file.name for row in downloads_of(image).values()} == {row.file.name for row in first.values()}

    image.refresh_from_db()
    image.title = "Harbour at dawn, a new title"
    image.save()
    assert make_image_downloads(image.pk) is True
    again = downloads_of(image)
    assert again["web"].source_fingerprint == source_fingerprint(image)
    assert again["web"].file.name != first["web"].file.name
    assert opened(again["web"]).getxmp()["xmpmeta"]["RDF"]["Description"]["title"]["Alt"]["li"]["text"] == (
        "Harbour at dawn, a new title"
    )


def test_replaced_files_are_deleted_once_the_new_rows_commit(django_capture_on_commit_callbacks):
    image = make_image(picture_bytes((2000, 1500)))
    make_image_downloads(image.pk)
    old = downloads_of(image)["print"]

    image.credit = "Photo: someone else"
    image.save(update_fields=["credit"])
    with django_capture_on_commit_callbacks(execute=True):
        make_image_downloads(image.pk)

    assert not old.file.storage.exists(old.file.name)
    assert downloads_of(image)["print"].file.storage.exists(downloads_of(image)["print"].file.name)


def test_a_broken_file_is_logged_and_leaves_no_rows(caplog, private_media):
    image = make_image(picture_bytes((800, 600)), name="broken.jpg")
    with open(image.file.path, "wb") as damaged:  # the upload was good; the stored file is damaged since
        damaged.write(b"not a picture at all")

    with caplog.at_level(logging.ERROR, logger="presscentre.core.image_downloads"):
        assert make_image_downloads(image.pk) is False

    assert not ImageDownload.objects.filter(image=image).exists()
    assert "Could not make the download sizes of image" in caplog.text
    assert not [path for path in private_media.rglob("*") if path.is_file()]


def test_saving_an_image_queues_its_sizes_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image = make_image(picture_bytes((800, 600)))
        image.caption = "A second save in the same transaction"
        image.save()
        queue_image_downloads(image)
    ours = [callback for callback in callbacks if getattr(callback, "enqueue_key", "").startswith("image-downloads")]
    assert len(ours) == 1  # one task for three saves
    assert not ImageDownload.objects.filter(image=image).exists()  # nothing before the commit

    ours[0]()  # the immediate task backend runs the task at once
    assert set(downloads_of(image)) == {"web", "print", "original"}

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image.get_file_hash()
        image.save(update_fields=["file_size"])
    assert not [
        callback for callback in callbacks if hasattr(callback, "enqueue_key")
    ]  # Wagtail's own bookkeeping saves queue nothing


def test_making_the_sizes_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    image = make_image(picture_bytes((2000, 1500)))
    image.get_file_hash()

    # About a dozen of its own, and the page cache's look at who shows the image as each row is saved.
    with django_assert_max_num_queries(22):
        make_image_downloads(image.pk)
    with django_assert_max_num_queries(3):
        make_image_downloads(image.pk)


def test_the_command_makes_missing_sizes_and_all_with_all():
    first = make_image(picture_bytes((800, 600)))
    second = make_image(picture_bytes((600, 800)), title="Portrait")
    make_image_downloads(first.pk)
    out = io.StringIO()

    call_command("make_image_downloads", stdout=out)

    assert set(downloads_of(second)) == {"web", "print", "original"}
    assert "1 image" in out.getvalue()

    out = io.StringIO()
    call_command("make_image_downloads", "--all", stdout=out)
    assert "2 images checked, 0 made" in out.getvalue()


def test_the_command_fails_with_one_line_when_a_file_cannot_be_read():
    from django.core.management.base import CommandError

    good = make_image(picture_bytes((800, 600)))
    broken = make_image(picture_bytes((800, 600)), title="Broken")
    with open(broken.file.path, "wb") as damaged:
        damaged.write(b"damaged")

    with pytest.raises(CommandError, match="1 of them could not be read"):
        call_command("make_image_downloads", stdout=io.StringIO())
    assert set(downloads_of(good)) == {"web", "print", "original"}
