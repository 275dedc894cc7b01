"""Redirects from the old site's addresses: each post's permalink and /?p=<id>, and attachment pages."""

from urllib.parse import urlsplit

from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model

from presscentre.importers.services.tree import real_page
from presscentre.importers.wxr import WXRItem


class RedirectsMixin:
    """Redirects queued per post and written per batch; one already present is left alone."""

    def queue_redirects(self, page, item: WXRItem) -> None:
        for old_path in _old_paths(item, by_id=int(item.post_id) not in self.derived_ids):
            if old_path in self.redirect_paths:
                self.summary.record("redirect", "skipped", "already present")
                continue
            page = real_page(page)
            if old_path == Redirect.normalise_path(page.url_path[len(self.parent.url_path) - 1 :]):
                continue
            self.redirect_paths.add(old_path)
            self.redirects.append(
                Redirect(old_path=old_path, site=self.site_record, redirect_page=page, is_permanent=True)
            )
            self.summary.record("redirect", "created")

    def redirect_attachment_pages(self) -> None:
        """Old links to an attachment's own page (its <link>) go to its imported file, else to the public post it
        belongs to; with neither, no redirect is made (the address stays a 404, revealing nothing)."""
        for wp_post_id, target in self.targets.items():
            if target.post_type != "attachment" or not target.path:
                continue
            old_path = Redirect.normalise_path(target.path)
            if old_path.startswith("/?"):
                continue  # the press centre itself answers its root, whatever the query: links were rewritten
            if old_path in self.redirect_paths:
                self.summary.record("redirect", "skipped", "already present")
                continue
            redirect = Redirect(old_path=old_path, site=self.site_record, is_permanent=True)
            found = self.media.lookup("", str(wp_post_id)) if self.media else None
            parent = self.targets.get(target.parent) if target.parent else None
            known = self.records.get((self.site, target.parent)) if target.parent else None
            if found is not None and found.kind == "document":
                document = get_document_model().objects.filter(pk=found.pk).first()
                redirect.redirect_link = document.url if document else ""
            elif found is not None and found.url:
                redirect.redirect_link = found.url
            elif parent is not None and parent.public and parent.imported and known is not None:
                redirect.redirect_page_id = known.page_pk
            if redirect.redirect_link or redirect.redirect_page_id:
                self.redirect_paths.add(old_path)
                self.redirects.append(redirect)
                self.summary.record("redirect", "created")


def _old_paths(item: WXRItem, *, by_id: bool = True) -> list[str]:
    """The paths WordPress answered for a post: its permalink and /?p=<id> (unless its id was made up here)."""
    paths = []
    if item.link:
        parts = urlsplit(item.link)
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    if by_id:
        paths.append(f"/?p={item.post_id}")
    normalised = []
    for path in paths:
        old_path = Redirect.normalise_path(path)
        if old_path and old_path != "/" and old_path not in normalised:
            normalised.append(old_path)
    return normalised
