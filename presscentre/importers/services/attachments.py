"""Attachments copied from the old site's uploads folder (with --media-dir), before any post."""

from presscentre.importers.media import MediaLibrary, import_attachment
from presscentre.importers.wxr import WXRItem


class AttachmentsMixin:
    """The file's attachments as images and documents, each stored file remembered in case the run fails."""

    def import_attachments(self, site: str, attachments: list[WXRItem]) -> None:
        library = MediaLibrary.load(site)
        for attachment in attachments:
            kind, outcome, reason, record = import_attachment(
                attachment,
                media_dir=self.media_dir,
                source_site=site,
                library=library,
                dry_run=self.summary.dry_run,
            )
            self.summary.record(kind, outcome, reason)
            if record is not None:
                media = record.image or record.document
                self.summary.stored_files.append((media.file.storage, media.file.name))
