"""Categories and tags, and the item type a post's categories choose."""

import html
import re
from urllib.parse import unquote

from django.utils.text import slugify
from taggit.models import Tag

from presscentre.importers.content import plain_text
from presscentre.importers.services.people import coauthor_slug
from presscentre.importers.wxr import WXRItem, WXRTerm
from presscentre.newsroom.models import (
    Category,
    NewsItemPage,
    PressReleasePage,
    ReportPage,
)

PRESS_RELEASE_NAME = re.compile(r"^press[\s_-]*releases?$", re.IGNORECASE)
REPORT_NAME = re.compile(r"^reports?$", re.IGNORECASE)


class TermsMixin:
    """WordPress terms: categories by slug, tags by name, co-author terms as people."""

    def import_term(self, term: WXRTerm) -> None:
        if term.taxonomy == "category":
            self.ensure_category(term.slug, term.name, parent=term.parent)
        elif term.taxonomy == "author":
            self.ensure_person(coauthor_slug(term.slug), term.name)
        elif term.taxonomy == "post_tag":
            self.ensure_tag(term.name or term.slug)
        else:
            self.summary.record("term", "skipped", f"taxonomy {term.taxonomy or '(none)'} not imported")

    def ensure_category(self, slug: str, name: str, *, parent: str = "") -> Category | None:
        """The category with this slug, created if new. WordPress tells categories apart by slug alone, so two
        that share a name stay two; the second's name gets its slug added, as category names are unique here."""
        name = plain_text(name)[:100]
        slug = slugify(unquote(slug), allow_unicode=True)[:100] or slugify(name, allow_unicode=True)[:100]
        name = name or slug
        if not slug:
            self.summary.record("category", "skipped", "no usable slug")
            return None
        if slug in self.categories:
            return self.categories[slug]
        category = Category.objects.filter(slug=slug).first()
        if category is not None:
            self.summary.record("category", "skipped", "already present")
        else:
            if Category.objects.filter(name=name).exists():
                name = _distinct_name(name, slug)
                self.summary.record("category", "note", "name shared with another category: its slug added")
            category = Category.objects.create(slug=slug, name=name)
            self.summary.record("category", "created")
        if parent:
            self.summary.record("category", "note", "hierarchy not kept (categories are flat)")
        self.categories[slug] = category
        return category

    def ensure_tag(self, name: str) -> Tag | None:
        name = re.sub(r"\s+", " ", html.unescape(name)).strip()[:100]
        if not name:
            self.summary.record("tag", "skipped", "no name")
            return None
        if name.lower() in self.tags:
            return self.tags[name.lower()]
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is not None:
            self.summary.record("tag", "skipped", "already present")
        else:
            tag = Tag.objects.create(name=name)
            self.summary.record("tag", "created")
        self.tags[name.lower()] = tag
        return tag

    def choose_type(self, item: WXRItem) -> type[NewsItemPage]:
        terms = [t for t in item.terms if t.domain == "category"]
        for term in terms:
            if term.slug in self.type_map:
                return self.type_map[term.slug]
        for term in terms:
            name = html.unescape(term.name).strip()
            if PRESS_RELEASE_NAME.match(name) or PRESS_RELEASE_NAME.match(term.slug):
                return PressReleasePage
            if REPORT_NAME.match(name) or REPORT_NAME.match(term.slug):
                return ReportPage
        return self.default_type


def _distinct_name(name: str, slug: str) -> str:
    """`name` made unique among categories with the slug that tells it apart: "News (news-uk)"."""
    suffix = f" ({slug})"
    candidate, n = name[: 100 - len(suffix)] + suffix, 2
    while Category.objects.filter(name=candidate).exists():
        suffix = f" ({slug} {n})"
        candidate, n = name[: 100 - len(suffix)] + suffix, n + 1
    return candidate
