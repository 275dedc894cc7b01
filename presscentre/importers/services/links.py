"""Internal links: every post, page and attachment a link may name, and old-site links pointed at where
their target is now."""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from wagtail.contrib.redirects.models import Redirect

from presscentre.importers.services.identity import IMPORTED_STATUSES, POST_ID_PARAMETERS
from presscentre.importers.wxr import WXRItem

PUBLIC_STATUS = "publish"
HREF = re.compile(r'\bhref="(/(?!/)[^"]*)"')


@dataclass
class LinkTarget:
    """A post, page or attachment of the file, as the internal links of other posts may name it."""

    post_type: str
    slug: str
    path: str  # its permalink's path and query as WordPress wrote it; '' if it has none
    public: bool
    parent: int | None
    imported: bool


class LinksMixin:
    """Reads link targets in the first pass; rewrites links in bodies in the second."""

    def index_target(self, item: WXRItem, post_type: str) -> None:
        wp_post_id = int(item.post_id)
        imported = post_type == "attachment" or (
            (post_type in ("post", "page") or post_type in self.type_map) and item.status in IMPORTED_STATUSES
        )
        path = _permalink_path(item)
        parts = urlsplit(item.link)
        target = LinkTarget(
            post_type=post_type,
            slug=unquote(item.post_name).lower(),
            path=(parts.path + (f"?{parts.query}" if parts.query else "")) if path else "",
            public=item.status == PUBLIC_STATUS and not item.post_password,
            parent=int(item.post_parent) if item.post_parent.isdigit() and item.post_parent != "0" else None,
            imported=imported,
        )
        self.targets.setdefault(wp_post_id, target)
        if post_type == "attachment":
            self.attachment_urls.setdefault(wp_post_id, item.attachment_url)
        if path:
            self.target_by_path.setdefault(path, wp_post_id)
        if target.slug and post_type != "attachment" and imported:
            known = self.target_by_slug.get(target.slug, wp_post_id)
            self.target_by_slug[target.slug] = wp_post_id if known == wp_post_id else None

    def resolve_links(self, value: str) -> str:
        """Old-site links (already made root-relative) pointed at where their target is now."""
        if 'href="/' not in value:
            return value
        return HREF.sub(self.resolve_href, value)

    def resolve_href(self, match: re.Match) -> str:
        """One link's new form: unchanged unless the file names a public target for it.

        An old address may be a permalink whose date is not the post's (the post was re-dated after the link was
        written), `?p=`, `?page_id=` or `?attachment_id=`, or an attachment's page. Posts and pages are found by
        id, by permalink, or by the slug at the end of the path, and the link goes to their old permalink (a
        redirect to the new page, made by this import); an attachment's page goes to its imported file, else
        to the post it belongs to, else to its original file. Targets the public may not see keep the link.
        """
        old = html.unescape(match.group(1))
        parts = urlsplit(old)
        query = parse_qs(parts.query)
        wp_post_id = next(
            (int(query[name][0]) for name in POST_ID_PARAMETERS if query.get(name, [""])[0].isdigit()), None
        )
        if wp_post_id is None:
            wp_post_id = self.target_by_path.get(
                Redirect.normalise_path(parts.path + (f"?{parts.query}" * bool(parts.query)))
            )
        if wp_post_id is None and not parts.query:
            # Only a permalink's shape (/slug/, /2019/03/05/slug/, /2019/03/slug/) is read as naming a post by its
            # slug: /category/news/ names a category, whatever post is called "news".
            *dates, slug = unquote(parts.path).strip("/").split("/")
            if slug and all(part.isdigit() for part in dates):
                wp_post_id = self.target_by_slug.get(slug.lower())
        new = self.link_to(wp_post_id)
        if new is None:
            return match.group(0)
        if new.startswith("linktype="):
            return new
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return f'href="{html.escape(new + fragment)}"'

    def link_to(self, wp_post_id: int | None, *, depth: int = 0) -> str | None:
        target = self.targets.get(wp_post_id) if wp_post_id is not None else None
        if target is None or depth > 1:
            return None
        if target.post_type == "attachment":
            found = self.media.lookup("", str(wp_post_id)) if self.media else None
            if found is not None and found.kind == "document":
                return f'linktype="document" id="{found.pk}"'  # Wagtail's stored form of a document link
            if found is not None and found.url:
                return found.url
            return self.link_to(target.parent, depth=depth + 1) or self.original_file(wp_post_id)
        if not (target.public and target.imported):
            return None
        return target.path or f"/?p={wp_post_id}"

    def original_file(self, wp_post_id: int) -> str | None:
        url = self.attachment_urls.get(wp_post_id, "")
        return url if urlsplit(url).scheme in ("http", "https") else None


def _permalink_path(item: WXRItem) -> str:
    """A post's permalink as a redirect's old path ('' for none or the site's root)."""
    if not item.link:
        return ""
    parts = urlsplit(item.link)
    path = Redirect.normalise_path(parts.path + (f"?{parts.query}" if parts.query else ""))
    return path if path and path != "/" else ""
