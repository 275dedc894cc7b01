"""WordPress attachments to Wagtail images and documents, and old upload URLs to the new files.

WordPress keeps uploads under `wp-content/uploads/<year>/<month>/<name>` and links resized copies such as
`name-300x200.jpg` (and `name-scaled.jpg` for big originals) from post content. An attachment is found in the
local uploads folder given by `--media-dir` by that relative path, copied once into the image library (images)
or the document library (anything else), and recorded with its WordPress id so that importing again copies
nothing. A URL in the content is matched by its path below `uploads/`, with the size suffix taken off.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files import File
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from presscentre.importers.content import MediaMatch, plain_text
from presscentre.importers.models import ImportedAttachment
from presscentre.importers.wxr import WXRItem

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"}
SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled|rotated)(?=\.[A-Za-z0-9]+$)")
UPLOADS = re.compile(r"/(?:wp-content/uploads|uploads|files)/(.+)$")
GALLERY_IDS = re.compile(r"\[gallery\b[^\]]*?\b(?:ids|include)=[\"']?([\d,\s]+)")


def upload_key(url: str) -> str:
    """'2024/03/report.pdf' for any URL or path under an uploads folder; '' when it is not one."""
    match = UPLOADS.search(unquote(urlsplit(url.strip()).path))
    return match.group(1) if match else ""


def _relative_path(item: WXRItem) -> str:
    for key, value in item.postmeta:
        if key == "_wp_attached_file" and value.strip():
            return value.strip().lstrip("/")
    return upload_key(item.attachment_url)


@dataclass
class MediaLibrary:
    """The attachments known for one exporting site, by upload path and by WordPress id."""

    by_key: dict[str, MediaMatch] = field(default_factory=dict)
    by_id: dict[str, MediaMatch] = field(default_factory=dict)

    @classmethod
    def load(cls, source_site: str) -> "MediaLibrary":
        library = cls()
        records = ImportedAttachment.objects.filter(source_site=source_site).select_related("image", "document")
        for record in records:
            library.add(record)
        return library

    def add(self, record: ImportedAttachment) -> None:
        if record.image_id:
            match = MediaMatch("image", record.image_id, record.image.file.url, record.image.title)
        elif record.document_id:
            match = MediaMatch("document", record.document_id, title=record.document.title)
        else:
            return
        self.by_id[str(record.wp_post_id)] = match
        if record.relative_path:
            self.by_key[record.relative_path] = match

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def lookup(self, url: str, wp_id: str = "") -> MediaMatch | None:
        """The imported file an old URL (or a `wp-image-<id>` class) refers to, or None."""
        key = upload_key(url)
        if key:
            found = self.by_key.get(key) or self.by_key.get(SIZE_SUFFIX.sub("", key))
            if found is not None:
                return found
        return self.by_id.get(wp_id) if wp_id else None

    def signature(self, content: str) -> list:
        """Which imported files a post's content refers to: part of its hash, so a later --media-dir run updates it."""
        if not self.by_key:
            return []
        found = {key: self.lookup("/uploads/" + key) for key in re.findall(r"/uploads/([^\s\"'<>()]+)", content)}
        # [gallery ids="..."] names its images by attachment id alone.
        for ids in GALLERY_IDS.findall(content):
            found.update({f"id:{wp_id}": self.lookup("", wp_id) for wp_id in re.findall(r"\d+", ids)})
        return sorted((key, match.kind, match.pk) for key, match in found.items() if match is not None)


def import_attachment(
    item: WXRItem, *, media_dir: Path, source_site: str, library: MediaLibrary, dry_run: bool
) -> tuple[str, str, str, ImportedAttachment | None]:
    """Copy one attachment into the image or document library: (kind, outcome, reason, new record).

    Safe to run again: an attachment already recorded for this site is left alone.
    """
    record = ImportedAttachment.objects.filter(source_site=source_site, wp_post_id=int(item.post_id)).first()
    if record is not None:
        return "attachment", "skipped", "already imported", None
    relative = _relative_path(item)
    if not relative:
        return "attachment", "skipped", "no file path", None
    base = media_dir.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return "attachment", "skipped", "file missing from --media-dir", None
    is_image = path.suffix.lower() in IMAGE_EXTENSIONS
    if is_image and not _readable_image(path):
        return "attachment", "skipped", "not a readable image", None
    kind = "image" if is_image else "document"
    if dry_run:
        return kind, "created", "", None
    title = plain_text(item.title)[:255] or path.stem[:255]  # WordPress shows a title's markup as markup
    with path.open("rb") as source:
        if is_image:
            image = get_image_model()(title=title, file=ImageFile(source, name=path.name))
            image._set_image_file_metadata()
            image.save()
            record = ImportedAttachment(image=image)
        else:
            document = get_document_model()(title=title, file=File(source, name=path.name))
            document._set_document_file_metadata()
            document.save()
            record = ImportedAttachment(document=document)
    record.source_site, record.wp_post_id, record.relative_path = source_site, int(item.post_id), relative[:500]
    record.save()
    library.add(record)
    return kind, "created", "", record


def _readable_image(path: Path) -> bool:
    try:
        with PILImage.open(path) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds of error for damaged or disguised files
        return False
    return True
