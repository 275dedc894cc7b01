"""An image's download sizes (web, print, original), made once by the worker with the credit and licence inside.

- web: at most 1,600 px on the long side; print: at most 4,000 px; original: the uploaded file as it came. A
  smaller picture is never enlarged, so print may be the original's size.
- JPEG in gives JPEG out (quality 85 for web, 92 for print, progressive); a PNG or WebP with transparency gives a
  PNG; anything else gives a JPEG. The EXIF orientation is applied, the colour profile kept, and every other EXIF
  field of the upload (GPS, camera serials) left behind.
- The credit, licence, usage terms, caption and people shown are written into web and print as XMP (Dublin Core,
  Photoshop, XMP Rights, Creative Commons and IPTC Extension properties) and as EXIF Artist, Copyright and
  ImageDescription, so they travel with the file wherever a newsroom's picture desk takes it.
- A JPEG is decoded at a reduced scale where that still leaves enough pixels (`Image.draft`), so a 24-megapixel
  upload never needs more than one full-size copy in memory.

Each row keeps the `source_fingerprint` it was made from (the file's hash and the metadata): making again with the
same fingerprint does nothing, so the task is safe to run twice or in two workers at once.
"""

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageOps, PngImagePlugin

from presscentre.core.models import ImageDownload, Licence, PressCentreImage, private_upload_to

logger = logging.getLogger(__name__)

Size = ImageDownload.Size

# The long side's limit of each made size, and its JPEG quality.
LONG_SIDE = {Size.WEB: 1600, Size.PRINT: 4000}
JPEG_QUALITY = {Size.WEB: 85, Size.PRINT: 92}

LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}

# EXIF tags written into the made sizes (nothing else of the upload's EXIF is kept).
EXIF_IMAGE_DESCRIPTION = 0x010E
EXIF_ARTIST = 0x013B
EXIF_COPYRIGHT = 0x8298
EXIF_ORIENTATION = 0x0112


def licence_url(licence: str) -> str:
    """The licence's public deed for Creative Commons licences, '' for the others."""
    return LICENCE_URLS.get(licence, "")


def licence_label(licence: str) -> str:
    return str(Licence(licence).label) if licence in Licence.values else licence


# -- fingerprints ----------------------------------------------------------------------------------------------


def metadata_of(asset) -> dict:
    """The metadata written into (or beside) an image or document's downloads, as plain JSON values."""
    made_on = getattr(asset, "made_on", None)
    return {
        "title": asset.title,
        "caption": asset.caption,
        "credit": asset.credit,
        "licence": asset.licence,
        "usage_terms": asset.usage_terms,
        "made_on": made_on.isoformat() if made_on else "",
        "people_shown": asset.people_shown,
    }


def source_fingerprint(image: PressCentreImage, *, file_hash: str | None = None) -> str:
    """A hash of the image's file (its SHA-1 as Wagtail keeps it, and its name) and of the metadata written into
    its downloads: when it changes, the downloads are made again."""
    content = json.dumps(
        {
            "file": image.file.name,
            "file_hash": image.file_hash if file_hash is None else file_hash,
            **metadata_of(image),
        },
        sort_keys=True,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def downloads_are_current(image: PressCentreImage) -> bool:
    """Has `image` all three sizes made from its present file and metadata? (One query; reads no file.)"""
    fingerprint = source_fingerprint(image)
    made = dict(ImageDownload.objects.filter(image=image).values_list("size", "source_fingerprint"))
    return set(made) == set(Size.values) and all(stored == fingerprint for stored in made.values())


# -- queueing --------------------------------------------------------------------------------------------------


def queue_image_downloads(image: PressCentreImage | int) -> None:
    """Have the worker make `image`'s download sizes once the current transaction commits.

    Safe to call often: one task per image per transaction, and the task does nothing when the sizes are current.
    """
    from presscentre.core.tasks import make_image_downloads_task

    image_id = image if isinstance(image, int) else image.pk
    enqueue_once_on_commit(f"image-downloads:{image_id}", make_image_downloads_task, image_id)


def enqueue_once_on_commit(key: str, task, *args) -> None:
    """Enqueue `task(*args)` after the current transaction commits, unless the same key is already waiting for it
    (an image saved three times in one request queues one task)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(entry[1], "enqueue_key", None) == key and not entry[1].done
        for entry in getattr(connection, "run_on_commit", None) or []
    ):
        return

    def callback():
        callback.done = True
        task.enqueue(*args)

    callback.enqueue_key, callback.done = key, False
    transaction.on_commit(callback, robust=True)


# -- making ----------------------------------------------------------------------------------------------------


@dataclass
class MadeFile:
    size: str
    path: str  # the temporary file
    name: str
    width: int
    height: int
    file_size: int


def make_image_downloads(image_id: int) -> bool:
    """Make (or make again) the web, print and original downloads of image `image_id`; the task's body.

    Returns True when new files were made, False when they were current already or the image is gone. A file
    Pillow cannot read is logged and leaves the rows as they were (none, or the last good ones); the old files of
    replaced rows are deleted once the new rows commit. Safe to run twice, or in two workers at once.
    """
    image = PressCentreImage.objects.filter(pk=image_id).first()
    if image is None:
        return False
    file_hash = image.get_file_hash()  # saves the hash if Wagtail had not yet (a bookkeeping save)
    fingerprint = source_fingerprint(image, file_hash=file_hash)
    if _current(image_id, fingerprint):
        return False

    storage = ImageDownload._meta.get_field("file").storage
    made: list[MadeFile] = []
    saved: list[str] = []
    try:
        made = _make_files(image)
        for item in made:
            with open(item.path, "rb") as handle:
                holder = ImageDownload(image_id=image_id, size=item.size)
                saved.append(storage.save(private_upload_to(holder, item.name), File(handle)))
        with transaction.atomic():
            # One maker at a time per image; the second finds the first's rows current and keeps its own files out.
            list(PressCentreImage.objects.select_for_update().filter(pk=image_id).values_list("pk", flat=True))
            if _current(image_id, fingerprint):
                transaction.on_commit(lambda: _delete_files(storage, saved), robust=True)
                return False
            old_files = _write_rows(image_id, made, saved, fingerprint)
            transaction.on_commit(lambda: _delete_files(storage, old_files), robust=True)
    except Exception:
        logger.exception("Could not make the download sizes of image %s (%s)", image_id, image.file.name)
        _delete_files(storage, saved)
        return False
    finally:
        for item in made:
            with contextlib.suppress(OSError):
                os.unlink(item.path)
    return True


def _current(image_id: int, fingerprint: str) -> bool:
    rows = ImageDownload.objects.filter(image_id=image_id, source_fingerprint=fingerprint)
    return rows.count() == len(Size.values)


def _write_rows(image_id: int, made: list[MadeFile], stored: list[str], fingerprint: str) -> list[str]:
    """Create or update the three rows; returns the names of the files they pointed at before."""
    existing = {row.size: row for row in ImageDownload.objects.filter(image_id=image_id)}
    now, old_files = timezone.now(), []
    for item, name in zip(made, stored, strict=True):
        row = existing.get(item.size) or ImageDownload(image_id=image_id, size=item.size)
        if row.pk and row.file.name:
            old_files.append(row.file.name)
        row.file.name = name
        row.width, row.height, row.file_size = item.width, item.height, item.file_size
        row.source_fingerprint, row.made_at = fingerprint, now
        row.save()
    return old_files


def _make_files(image: PressCentreImage) -> list[MadeFile]:
    """Write the three sizes to temporary files (the original copied as it is) and measure them."""
    stem = slugify(image.title)[:60].strip("-") or f"image-{image.pk}"
    made = []
    with image.open_file() as source:
        with Image.open(source) as probe:
            source_format = probe.format
            width, height = probe.size
            probe_size = (height, width) if _turned(probe) else (width, height)
        made.append(_copy_original(source, stem, probe_size))
        metadata = metadata_of(image)
        for size in (Size.PRINT, Size.WEB):
            source.seek(0)
            made.append(_make_size(source, size, source_format, stem, metadata))
    return made


def _turned(probe: Image.Image) -> bool:
    """Does the EXIF orientation turn the picture on its side (so its width is its height)?"""
    return probe.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8)


def _copy_original(source, stem: str, size: tuple[int, int]) -> MadeFile:
    source.seek(0)
    extension = (source.name.rsplit(".", 1)[-1] if "." in source.name else "bin").lower()
    with tempfile.NamedTemporaryFile(delete=False, suffix=f".{extension}") as out:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            out.write(chunk)
    return MadeFile(Size.ORIGINAL, out.name, f"{stem}-original.{extension}", *size, os.path.getsize(out.name))


def _make_size(source, size: str, source_format: str, stem: str, metadata: dict) -> MadeFile:
    limit = LONG_SIDE[size]
    with Image.open(source) as picture:
        icc_profile = picture.info.get("icc_profile")
        as_png = source_format in ("PNG", "WEBP") and picture.has_transparency_data
        if picture.format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale when that still leaves at least `limit` pixels on the long side.
            picture.draft(picture.mode if picture.mode in ("RGB", "L", "CMYK") else "RGB", (limit, limit))
        if as_png:
            frame = picture if picture.mode in ("RGBA", "LA") else picture.convert("RGBA")
        else:
            frame = picture if picture.mode in ("RGB", "L", "CMYK") else picture.convert("RGB")
        # Scaled before it is turned upright: the limit is the same on either side, and the turn is cheaper small.
        if max(frame.size) > limit:
            frame.thumbnail((limit, limit), Image.Resampling.LANCZOS, reducing_gap=2.0)
        if frame.getexif().get(EXIF_ORIENTATION, 1) != 1:  # an upright picture needs no second copy
            frame = ImageOps.exif_transpose(frame, in_place=False)
        width, height = frame.size
        extension = "png" if as_png else "jpg"
        with tempfile.NamedTemporaryFile(delete=False, suffix=f".{extension}") as out:
            _save(frame, out, as_png=as_png, size=size, icc_profile=icc_profile, metadata=metadata)
        if frame is not picture:
            frame.close()  # the opened picture closes with its block, and must leave the source open
    return MadeFile(size, out.name, f"{stem}-{size}.{extension}", width, height, os.path.getsize(out.name))


def _save(frame: Image.Image, out, *, as_png: bool, size: str, icc_profile, metadata: dict) -> None:
    exif = embedded_exif(metadata)
    xmp = embedded_xmp(metadata)
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if as_png:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)
        frame.save(out, "PNG", optimize=True, exif=exif, pnginfo=info, **options)
    else:
        frame.save(
            out, "JPEG", quality=JPEG_QUALITY[size], progressive=True, optimize=True, exif=exif, xmp=xmp, **options
        )


# -- the metadata written in -----------------------------------------------------------------------------------


def rights_statement(metadata: dict) -> str:
    """'Photo: Ana Ruiz. CC BY 4.0', the copyright notice of the file."""
    label = licence_label(metadata["licence"])
    return f"{metadata['credit']}. {label}" if metadata["credit"] else label


def usage_statement(metadata: dict) -> str:
    """The licence (with its URL for Creative Commons) and any further usage terms, as one sentence or two."""
    parts = [licence_label(metadata["licence"])]
    if url := licence_url(metadata["licence"]):
        parts[0] += f" ({url})"
    if metadata["usage_terms"]:
        parts.append(metadata["usage_terms"])
    return ". ".join(part.rstrip(".") for part in parts) + "."


def _ascii(text: str) -> str:
    """EXIF's text tags are ASCII: dashes and accents simplified rather than lost as '?'."""
    text = text.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'").replace("\u00a9", "(c)")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def embedded_exif(metadata: dict) -> Image.Exif:
    exif = Image.Exif()
    if metadata["caption"]:
        exif[EXIF_IMAGE_DESCRIPTION] = _ascii(metadata["caption"])
    if metadata["credit"]:
        exif[EXIF_ARTIST] = _ascii(metadata["credit"])
    exif[EXIF_COPYRIGHT] = _ascii(rights_statement(metadata))
    return exif


def _alt(name: str, text: str) -> str:
    return f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt></{name}>'


def _list(name: str, kind: str, values: list[str]) -> str:
    items = "".join(f"<rdf:li>{escape(value)}</rdf:li>" for value in values)
    return f"<{name}><rdf:{kind}>{items}</rdf:{kind}></{name}>"


def embedded_xmp(metadata: dict) -> bytes:
    """An XMP packet with the credit, rights, usage terms, caption, date and people shown."""
    url = licence_url(metadata["licence"])
    attributes = {
        "xmpRights:Marked": "False" if metadata["licence"] == Licence.CC0 else "True",
    }
    if metadata["credit"]:
        attributes["photoshop:Credit"] = metadata["credit"]
    if metadata["made_on"]:
        attributes["photoshop:DateCreated"] = metadata["made_on"]
    if url:
        attributes["xmpRights:WebStatement"] = url
    elements = [_alt("dc:title", metadata["title"])]
    if metadata["credit"]:
        elements.append(_list("dc:creator", "Seq", [metadata["credit"]]))
        elements.append(f"<cc:attributionName>{escape(metadata['credit'])}</cc:attributionName>")
    elements.append(_alt("dc:rights", rights_statement(metadata)))
    elements.append(_alt("xmpRights:UsageTerms", usage_statement(metadata)))
    if metadata["caption"]:
        elements.append(_alt("dc:description", metadata["caption"]))
    if url:
        elements.append(f"<cc:license rdf:resource={quoteattr(url)}/>")
    people = [name.strip() for name in metadata["people_shown"].split(",") if name.strip()]
    if people:
        elements.append(_list("Iptc4xmpExt:PersonInImage", "Bag", people))
    attribute_text = "".join(f"\n   {name}={quoteattr(value)}" for name, value in attributes.items())
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '   xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '   xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"\n'
        '   xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"\n'
        '   xmlns:cc="http://creativecommons.org/ns#"\n'
        '   xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        f"{attribute_text}>\n   " + "\n   ".join(elements) + "\n  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


# -- files -----------------------------------------------------------------------------------------------------


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.warning("Could not delete the download file %s", name, exc_info=True)
