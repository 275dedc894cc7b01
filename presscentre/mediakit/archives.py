"""An item's "Download all" ZIP: its gallery's files and a CREDITS.txt, built once by the worker.

Images go in at their print size (with the credit and licence written inside, see `core.image_downloads`),
recordings and documents as uploaded, each named `<nn>-<slug>.<ext>` in the gallery's order. The ZIP is written
entry by entry to a temporary file, every source copied in 1 MiB chunks, so a gallery of large files never sits in
memory; then it is saved to the private storage and its `ItemArchive` row updated. The serving view hands out only
an archive whose fingerprint still matches the gallery (`current_archive`), so a changed credit never ships in an
old ZIP, and it never builds one on a reader's request.
"""

import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import slugify

from presscentre.core.image_downloads import (
    enqueue_once_on_commit,
    licence_label,
    licence_url,
    make_image_downloads,
    metadata_of,
)
from presscentre.core.models import ImageDownload, private_upload_to
from presscentre.core.urls_public import public_page_url
from presscentre.mediakit.models import ItemArchive

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
# Formats that shrink when deflated; everything else (JPEG, PNG, video, audio, office files, which are ZIPs
# themselves) is stored as it is, which is as small and much quicker.
DEFLATED_EXTENSIONS = frozenset({"txt", "csv", "tsv", "json", "xml", "html", "htm", "md", "rtf", "svg", "doc", "xls"})
ARCHIVE_NAME = "media.zip"


def gallery_entries(item) -> list:
    """The item's gallery entries in the editor's order, with their image or document."""
    from presscentre.newsroom.models.items import ItemAsset

    return list(ItemAsset.objects.filter(item_id=item.pk).select_related("image", "document").order_by("sort_order"))


def gallery_fingerprint(item, entries: list | None = None) -> str:
    """A hash of what the item's ZIP holds: the item's title and address, and each entry's file (name and hash)
    and metadata, in order. A ZIP whose fingerprint differs is out of date."""
    entries = gallery_entries(item) if entries is None else entries
    content = {
        "item": item.pk,
        "title": item.title,
        "path": item.url_path,
        "files": [
            {
                "kind": "image" if entry.image_id else "document",
                "id": entry.asset.pk,
                "file": entry.asset.file.name,
                "file_hash": entry.asset.file_hash,
                **metadata_of(entry.asset),
            }
            for entry in entries
        ],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def current_archive(item) -> ItemArchive | None:
    """The item's ZIP if it holds the gallery as it is now and its file is there; None otherwise (no gallery, not
    built yet, or out of date: `queue_archive` has a new one made). Reads no file; two or three queries."""
    archive = ItemArchive.objects.filter(item_id=item.pk).exclude(file="").first()
    if archive is None:
        return None
    entries = gallery_entries(item)
    if not entries or archive.fingerprint != gallery_fingerprint(item, entries):
        return None
    if not archive.file.storage.exists(archive.file.name):
        return None
    return archive


def queue_archive(item) -> None:
    """Have the worker build the item's ZIP once the current transaction commits (one task per item per
    transaction; the task does nothing when the ZIP is current)."""
    from presscentre.mediakit.tasks import build_archive_task

    item_id = item if isinstance(item, int) else item.pk
    enqueue_once_on_commit(f"item-archive:{item_id}", build_archive_task, item_id)


# -- building --------------------------------------------------------------------------------------------------


@dataclass
class Member:
    name: str
    entry: object
    source_name: str  # in its storage
    storage: object
    compress_type: int
    width: int | None = None
    height: int | None = None


def build_archive(item_id: int) -> bool:
    """Build (or rebuild) item `item_id`'s ZIP; the task's body. Returns True when a new ZIP was saved.

    Makes any image's missing or stale print size first. An item with no gallery loses its ZIP. The old file of a
    replaced ZIP is deleted once the new row commits. Safe to run twice, or in two workers at once: a ZIP that
    is current already is not built again.
    """
    from presscentre.newsroom.models import NewsItemPage

    item = NewsItemPage.objects.filter(pk=item_id).first()
    if item is None:
        return False
    entries = gallery_entries(item)
    if not entries:
        _forget_archive(item_id)
        return False
    for entry in entries:
        if entry.image_id:
            make_image_downloads(entry.image_id)  # nothing to do when current; also records the file's hash
        else:
            entry.document.get_file_hash()
    entries = gallery_entries(item)
    fingerprint = gallery_fingerprint(item, entries)
    if _is_current(item_id, fingerprint):
        return False

    members = _members(entries)
    storage = ItemArchive._meta.get_field("file").storage
    built_at = timezone.now()
    path = _write_zip(item.specific, members, built_at=built_at)
    try:
        with open(path, "rb") as handle:
            stored = storage.save(private_upload_to(ItemArchive(item_id=item_id), ARCHIVE_NAME), File(handle))
        file_size = os.path.getsize(path)
    finally:
        os.unlink(path)
    try:
        with transaction.atomic():
            archive, _ = ItemArchive.objects.select_for_update().get_or_create(item_id=item_id)
            if archive.fingerprint == fingerprint and archive.file.name:
                transaction.on_commit(lambda: storage.delete(stored), robust=True)  # another worker was first
                return False
            old = archive.file.name
            archive.file.name, archive.file_size = stored, file_size
            archive.fingerprint, archive.built_at = fingerprint, built_at
            archive.save()
            if old:
                transaction.on_commit(lambda: storage.delete(old), robust=True)
    except Exception:
        storage.delete(stored)
        raise
    return True


def _is_current(item_id: int, fingerprint: str) -> bool:
    archive = ItemArchive.objects.filter(item_id=item_id, fingerprint=fingerprint).exclude(file="").first()
    return archive is not None and archive.file.storage.exists(archive.file.name)


def _forget_archive(item_id: int) -> None:
    archive = ItemArchive.objects.filter(item_id=item_id).first()
    if archive is not None:
        archive.delete()  # the post_delete handler removes the file after commit


def _members(entries: list) -> list[Member]:
    """What goes in the ZIP, in order: an image's print size (its original while the print size is missing, which
    happens only when Pillow could not read the file), a document's uploaded file."""
    prints = {
        download.image_id: download
        for download in ImageDownload.objects.filter(
            image_id__in=[entry.image_id for entry in entries if entry.image_id], size=ImageDownload.Size.PRINT
        )
    }
    members = []
    for number, entry in enumerate(entries, start=1):
        asset = entry.asset
        stem = slugify(asset.title)[:60].strip("-") or f"file-{asset.pk}"
        download = prints.get(entry.image_id) if entry.image_id else None
        if download is not None:
            source, storage, width, height = download.file.name, download.file.storage, download.width, download.height
        else:
            source, storage = asset.file.name, asset.file.storage
            width, height = (asset.width, asset.height) if entry.image_id else (None, None)
        extension = os.path.splitext(source)[1].lower().lstrip(".") or "bin"
        extension = "jpg" if extension == "jpeg" else extension
        compress = zipfile.ZIP_DEFLATED if extension in DEFLATED_EXTENSIONS else zipfile.ZIP_STORED
        members.append(
            Member(f"{number:02d}-{stem}.{extension}", entry, source, storage, compress, width=width, height=height)
        )
    return members


def _write_zip(item, members: list[Member], *, built_at) -> str:
    """Write the ZIP to a temporary file, each source copied in chunks; returns its path."""
    stamp = timezone.localtime(built_at).timetuple()[:6]
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=".zip")  # closed below, then saved
    try:
        with handle, zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
            for member in members:
                info = zipfile.ZipInfo(member.name, date_time=stamp)
                info.compress_type = member.compress_type
                info.external_attr = 0o644 << 16
                size = member.storage.size(member.source_name)
                with member.storage.open(member.source_name, "rb") as source:
                    with archive.open(info, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as target:
                        shutil.copyfileobj(source, target, CHUNK)
            credits = zipfile.ZipInfo("CREDITS.txt", date_time=stamp)
            credits.compress_type = zipfile.ZIP_DEFLATED
            credits.external_attr = 0o644 << 16
            archive.writestr(credits, credits_text(item, members))
    except BaseException:
        os.unlink(handle.name)
        raise
    return handle.name


def credits_text(item, members: list[Member]) -> str:
    """CREDITS.txt: the item and whom to ask about it, then each file's title, caption, credit, licence, usage
    terms, people shown and date."""
    lines = [item.title, public_page_url(item) or item.url_path, ""]
    lines += _press_office_lines(item)
    lines += ["", "Please credit each file as shown below and use it within its licence.", ""]
    for member in members:
        metadata = metadata_of(member.entry.asset)
        lines.append(member.name)
        lines.append(f"  Title: {metadata['title']}")
        if member.width and member.height:
            lines.append(f"  Size: {member.width} x {member.height} px")
        if metadata["caption"]:
            lines.append(f"  Caption: {_one_line(metadata['caption'])}")
        lines.append(f"  Credit: {metadata['credit'] or 'none given'}")
        licence = licence_label(metadata["licence"])
        if url := licence_url(metadata["licence"]):
            licence += f" ({url})"
        lines.append(f"  Licence: {licence}")
        if metadata["usage_terms"]:
            lines.append(f"  Usage terms: {_one_line(metadata['usage_terms'])}")
        if metadata["people_shown"]:
            lines.append(f"  People shown: {metadata['people_shown']}")
        if member.entry.asset.made_on:
            lines.append(f"  Date: {format_date(member.entry.asset.made_on, 'j F Y')}")
        lines.append("")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _press_office_lines(item) -> list[str]:
    """The press office's name and address, and the item's media contacts (the site's defaults when it names
    none): the same people the item's page lists."""
    from presscentre.newsroom.models.site_settings import PressCentreSettings

    site = item.get_site()
    settings = PressCentreSettings.for_site(site) if site else None
    lines = []
    if settings is not None:
        office = f"Press office: {settings.organisation_name}"
        lines.append(f"{office}, {settings.press_office_email}" if settings.press_office_email else office)
    links = getattr(item, "contact_links", None)
    contacts = [link.contact for link in links.select_related("contact")] if links is not None else []
    if not contacts and settings is not None:
        contacts = settings.default_contacts()
    for contact in contacts:
        details = [contact.name, contact.role, contact.email, contact.phone]
        lines.append("Contact: " + ", ".join(part for part in details if part))
    return lines
