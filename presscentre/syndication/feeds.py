"""The press centre's feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of its items, and a podcast of its recordings.

Every feed draws its items from the embargo rule's `public_items` at the instant of the request, so an
embargoed item appears in none of them before its lift. Feeds are the same for every reader (staff included),
carry people's names only, and answer conditional requests with 304 so feed readers polling every few minutes
cost one small query.
"""

import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from functools import cached_property

import nh3
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, SyndicationFeed
from django.utils.http import http_date
from wagtail.images import get_image_model
from wagtail.models import Site

from presscentre.core.site_memo import memoised
from presscentre.core.text import xml_safe
from presscentre.core.urls_public import public_base_url, public_page_url, public_url
from presscentre.newsroom.models import (
    ITEM_TYPES,
    ArticlePage,
    Category,
    MediaAppearancePage,
    NewsItemPage,
    Person,
    PressCentrePage,
    PressCentreSettings,
    PressReleasePage,
)
from presscentre.newsroom.models.items import category_links_with_categories, person_links_with_people
from presscentre.newsroom.templatetags.newsroom_tags import release_line_at
from presscentre.pagecache import tags as cache_tags
from presscentre.syndication.models import SyndicationSettings

FEED_LENGTH = 20
# Podcast apps want a square cover of at least 1400 pixels, as JPEG or PNG; a transparent logo gets white behind it.
PODCAST_IMAGE_FILTER = "fill-1400x1400|bgcolor-ffffff|format-jpeg"

# Links in rendered bodies are site-relative; a feed reader shows them on another site, so they are made absolute.
_RELATIVE_LINK = re.compile(r'\b(href|src)="/(?!/)')


def feed_html(markup: str) -> str:
    """Rendered item HTML made fit for a feed reader: nh3's allowlist (no script, no svg, no on* attributes,
    no javascript: links), then site-relative links made absolute on the public base.

    This is the one place feed HTML is made safe; the feed's XML (or JSON) serialiser then escapes it once more
    for transport, and a reader unescapes that once to get this HTML back.
    """
    cleaned = nh3.clean(markup)
    return _RELATIVE_LINK.sub(lambda match: f'{match.group(1)}="{public_base_url()}/', cleaned)


def text_as_html(text: str) -> str:
    """Plain text (a summary, an excerpt) for an HTML-typed feed field: escaped, so "<svg>" reads as text."""
    return html.escape(text, quote=False)


def podcast_image_url(site_settings: PressCentreSettings) -> str:
    """The show's cover for podcast apps: the default social image or else the logo, cropped square; the site's
    touch icon (the favicon's, or the press centre's own) when it has neither."""
    image_id = site_settings.default_social_image_id or site_settings.logo_id

    def square_rendition_url() -> str | None:
        image = get_image_model().objects.filter(pk=image_id).first()
        return image.get_rendition(PODCAST_IMAGE_FILTER).url if image is not None else None

    url = memoised(("podcast-image", site_settings.pk, image_id), square_rendition_url) if image_id else None
    return public_url(url or site_settings.brand.touch_icon_url)


def podcast_owner_email(site_settings: PressCentreSettings) -> str:
    """The address podcast directories write to about the show: the press office's, else the site's sender."""
    return site_settings.press_office_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


@dataclass
class FeedScope:
    """What one feed request covers: a press centre's public items at an instant, perhaps narrowed."""

    request: HttpRequest
    site: Site
    press_centre: PressCentrePage
    at: datetime
    full_text: bool
    release_full_text: bool = True
    category: Category | None = None
    person: Person | None = None
    item_type: type | None = None
    podcast: bool = False

    @cached_property
    def _items(self):
        # Built once per request: `public()` reads the view restrictions as it builds the queryset.
        items = self.press_centre.items(self.at)
        if self.category is not None:
            items = items.filter(category_links__category=self.category)
        if self.person is not None:
            items = items.filter(person_links__person=self.person)
        if self.item_type is not None:
            items = items.of_type(self.item_type)
        if self.podcast:
            # An episode needs a recording to enclose; the documents come in the same query.
            items = (
                MediaAppearancePage.objects.filter(pk__in=items.of_type(MediaAppearancePage).values("pk"))
                .filter(recording__isnull=False)
                .select_related("recording")
                .order_by("-published_at", "-pk")
            )
        return items

    def cache_tag(self) -> str:
        """The tag of the surfaces this feed belongs to: the podcast, an archive's feeds, or the site's feeds."""
        if self.podcast:
            return cache_tags.PODCAST
        if self.category is not None:
            return cache_tags.category(self.category.pk)
        if self.person is not None:
            return cache_tags.person(self.person.pk)
        return cache_tags.FEEDS

    def items(self):
        """The feed's items, newest first, straight from the visibility rule."""
        return self._items.all()

    def entries(self) -> list:
        """The items the feed shows, with their categories and people, in a fixed number of queries.

        Each entry gets `feed_excerpt` (plain text) and `feed_full_text` (whether its whole text goes in);
        a press release sent whole also gets `feed_release`, its specific page with the release's own fields.
        """
        entries = list(
            self.items().prefetch_related(category_links_with_categories(), person_links_with_people())[:FEED_LENGTH]
        )
        cache_tags.add_items(self.request, entries)
        excerpt_only = set()
        if self.full_text and entries:
            # An article republished under an excerpt-only licence keeps to its excerpt in feeds too.
            excerpt_only = set(
                ArticlePage.objects.filter(pk__in=[entry.pk for entry in entries], rights=ArticlePage.Rights.EXCERPT)
                .exclude(original_url="")
                .values_list("pk", flat=True)
            )
        release_types = {content_type.pk for content_type in PressReleasePage.content_types()}
        whole_releases = (
            {entry.pk for entry in entries if entry.content_type_id in release_types}
            if self.release_full_text
            else set()
        )
        specifics = _specific_entries(entries, also=whole_releases)
        for entry in entries:
            is_release = entry.content_type_id in release_types
            entry.feed_full_text = (
                self.release_full_text if is_release else self.full_text and entry.pk not in excerpt_only
            )
            specific = specifics.get(entry.pk)
            entry.feed_excerpt = (specific or entry).excerpt
            entry.feed_release = specific if is_release and entry.feed_full_text else None
        return entries

    def validators(self, kind: str) -> tuple[str, datetime | None]:
        """The ETag and Last-Modified of this feed now, from one query over the feed's rows.

        An item enters a feed when it is published, republished or its embargo lifts, so the newest of those
        instants is when the feed last changed; the ETag also covers items leaving the feed and the settings.
        """
        rows = list(self.items().values_list("pk", "published_at", "last_published_at", "embargo_until")[:FEED_LENGTH])
        instants = [instant for row in rows for instant in row[1:] if instant is not None and instant <= self.at]
        last_modified = max(instants, default=None)
        site_settings = PressCentreSettings.for_site(self.site)
        # The settings a feed names: the organisation, and the podcast's owner and cover.
        named = (
            site_settings.organisation_name,
            site_settings.press_office_email,
            site_settings.logo_id,
            site_settings.default_social_image_id,
        )
        fingerprint = repr(
            (kind, public_base_url(), self.request.get_full_path(), self.full_text, self.release_full_text, named, rows)
        ).encode()
        return f'"{hashlib.sha256(fingerprint).hexdigest()[:32]}"', last_modified

    @cached_property
    def organisation(self) -> str:
        return PressCentreSettings.for_site(self.site).organisation_name

    def archive_url(self) -> str:
        """The public address of the listing this feed follows."""
        base = public_page_url(self.press_centre, self.request) or public_url("/")
        if self.category is not None:
            return base + self.press_centre.reverse_subpage("category", args=[self.category.slug])
        if self.person is not None:
            return base + self.press_centre.reverse_subpage("person", args=[self.person.slug])
        if self.item_type is not None:
            return f"{base}?type={self.item_type.type_slug}"
        if self.podcast:
            return f"{base}?type={MediaAppearancePage.type_slug}"
        return base


def _specific_entries(entries: list, *, also: set[int]) -> dict:
    """The entries that need their own type's fields, as that type, one query per type.

    Entries come as plain items, so each reads its excerpt from the body alone unless its type is asked: a
    type that cuts its excerpt from its own field (a release's lead) is asked for entries without a summary,
    and `also` names entries wanted whole (releases sent in full text).
    """
    specifics = {}
    for model in ITEM_TYPES.values():
        own_excerpt = model.excerpt_source is not NewsItemPage.excerpt_source
        content_type_ids = {content_type.pk for content_type in model.content_types()}
        ids = [
            entry.pk
            for entry in entries
            if entry.content_type_id in content_type_ids
            and (entry.pk in also or (own_excerpt and not entry.summary.strip()))
        ]
        if ids:
            specifics.update((item.pk, item) for item in model.objects.filter(pk__in=ids))
    return specifics


def _press_centre_of(site: Site | None) -> PressCentrePage | None:
    if site is None:
        return None
    root_page = site._state.fields_cache.get("root_page")  # the site memory keeps it, in its specific form
    if isinstance(root_page, PressCentrePage):
        return root_page
    return PressCentrePage.objects.filter(pk=site.root_page_id).first()


def feed_scope(
    request: HttpRequest, *, category_slug: str | None = None, person_slug: str | None = None, podcast: bool = False
) -> FeedScope:
    """Read a feed request: the site's press centre and any category, person or `?type=`; 404 for unknown ones."""
    site = Site.find_for_request(request)
    press_centre = _press_centre_of(site)
    if press_centre is None:
        raise Http404("This site has no press centre.")
    feed_settings = SyndicationSettings.for_site(site)
    scope = FeedScope(
        request=request,
        site=site,
        press_centre=press_centre,
        at=timezone.now(),
        full_text=feed_settings.full_text,
        release_full_text=feed_settings.release_full_text,
        podcast=podcast,
    )
    if category_slug is not None:
        scope.category = Category.objects.linked_to(press_centre.items(scope.at)).filter(slug=category_slug).first()
        if scope.category is None:
            raise Http404("No such category.")
    if person_slug is not None:
        scope.person = Person.objects.linked_to(press_centre.items(scope.at)).filter(slug=person_slug).first()
        if scope.person is None:
            raise Http404("No such person.")
    if "type" in request.GET and not podcast:
        scope.item_type = ITEM_TYPES.get(request.GET["type"])
        if scope.item_type is None:
            raise Http404("Unknown item type.")
    return scope


# Feed formats. Each item carries its excerpt as plain text (`summary`) and escaped as HTML (`description`) and,
# in full-text mode, its whole text as sanitised HTML (`content_html`). Which of them a field takes follows the
# field's type: RSS description, content:encoded and Atom summary and content are HTML; JSON Feed says which.
# The feed's own description likewise comes as HTML (`description`, for RSS) and as text (`description_text`).

CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"


def _xml_safe(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(part) for part in value)
    return value


class XmlSafeFeed:
    """Every text a feed is given passes through `core.text.xml_safe`: rows saved before input was checked may
    still hold a character XML 1.0 cannot carry (a vertical tab in a name), and one row must not make a feed a 500.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*_xml_safe(args), **{name: _xml_safe(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*_xml_safe(args), **{name: _xml_safe(value) for name, value in kwargs.items()})


class RssFeedGenerator(XmlSafeFeed, Rss201rev2Feed):
    """RSS 2.0 with the content module: the summary in <description>, the whole text in <content:encoded>."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomFeedGenerator(XmlSafeFeed, Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class JsonFeedGenerator(XmlSafeFeed, SyndicationFeed):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written from the same items as the XML feeds."""

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.as_dict(), ensure_ascii=False, indent=2))

    def as_dict(self) -> dict:
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.feed["title"],
            "home_page_url": self.feed["link"],
            "feed_url": self.feed["feed_url"],
            "description": self.feed["description_text"],
            "language": self.feed["language"],
        }
        if self.feed["author_name"]:
            feed["authors"] = [{"name": self.feed["author_name"]}]
        feed["items"] = [self._item(item) for item in self.items]
        return feed

    @staticmethod
    def _item(item: dict) -> dict:
        entry = {"id": item["unique_id"], "url": item["link"], "title": item["title"]}
        # The spec requires content_html or content_text: the excerpt stands in when feeds carry summaries.
        # content_text and summary are plain text, so they take the unescaped excerpt.
        if item.get("content_html"):
            entry["content_html"] = item["content_html"]
        else:
            entry["content_text"] = item["summary"]
        if item["summary"]:
            entry["summary"] = item["summary"]
        entry["date_published"] = item["pubdate"].astimezone(UTC).isoformat()
        if item["updateddate"]:
            entry["date_modified"] = item["updateddate"].astimezone(UTC).isoformat()
        if item.get("author_names"):
            entry["authors"] = [{"name": name} for name in item["author_names"]]
        if item["categories"]:
            entry["tags"] = list(item["categories"])
        return entry


class PodcastFeedGenerator(RssFeedGenerator):
    """RSS 2.0 with the iTunes podcast namespace, which podcast apps read alongside the enclosures."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:author", self.feed["author_name"] or "")
        handler.addQuickElement("itunes:summary", self.feed["description_text"])
        handler.addQuickElement("itunes:image", attrs={"href": self.feed["image_url"]})
        handler.startElement("itunes:owner", {})
        handler.addQuickElement("itunes:name", self.feed["author_name"] or "")
        handler.addQuickElement("itunes:email", self.feed["owner_email"])
        handler.endElement("itunes:owner")
        handler.addQuickElement("itunes:type", "episodic")
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:category", attrs={"text": "News"})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["author_name"]:
            handler.addQuickElement("itunes:author", item["author_name"])
        if item["summary"]:
            handler.addQuickElement("itunes:summary", item["summary"])
        handler.addQuickElement("itunes:episodeType", "full")
        handler.addQuickElement("itunes:explicit", "false")


# Feed views


class ItemFeed(Feed):
    """The site's items in one format; the scope (category, person, type) comes from the URL."""

    feed_type = RssFeedGenerator
    format_name = "rss"
    podcast = False

    @classmethod
    def as_view(cls):
        # A fresh instance per request: the instance keeps the request's scope while Django builds the feed.
        def view(request, **kwargs):
            return cls()(request, **kwargs)

        return view

    def __call__(self, request, **kwargs):
        self.scope = feed_scope(request, podcast=self.podcast, **kwargs)
        cache_tags.add(request, self.scope.cache_tag())
        etag, last_modified = self.scope.validators(self.format_name)
        timestamp = int(last_modified.timestamp()) if last_modified else None
        response = get_conditional_response(request, etag=etag, last_modified=timestamp)
        if response is None:
            response = super().__call__(request)
        response["ETag"] = etag
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        elif "Last-Modified" in response:
            del response["Last-Modified"]
        # Shared caches may keep a feed but must ask again each time: an ETag check is one small query.
        patch_cache_control(response, public=True, no_cache=True)
        return response

    def get_object(self, request, *args, **kwargs):
        return self.scope

    def title(self, scope: FeedScope) -> str:
        parts = [scope.organisation, scope.press_centre.title]
        if scope.category is not None:
            parts.append(scope.category.name)
        if scope.person is not None:
            parts.append(scope.person.name)
        if scope.item_type is not None:
            parts.append(f"{scope.item_type.type_label}s")
        if scope.podcast:
            parts.append("Media appearances")
        return " \u2013 ".join(part for part in parts if part)

    def link(self, scope: FeedScope) -> str:
        return scope.archive_url()

    def feed_url(self, scope: FeedScope) -> str:
        return public_url(scope.request.get_full_path())

    def description(self, scope: FeedScope) -> str:
        # RSS readers show a channel's description as HTML, as they do an item's: typed text must stay text.
        return text_as_html(self.description_text(scope))

    def description_text(self, scope: FeedScope) -> str:
        if scope.category is not None:
            return scope.category.description or f"The latest items filed under {scope.category.name}."
        if scope.person is not None:
            return f"The latest items by or with {scope.person.name}."
        if scope.podcast:
            return f"Interviews and broadcasts with {scope.organisation}'s people."
        return scope.press_centre.search_description or f"The latest news from {scope.organisation}."

    def author_name(self, scope: FeedScope) -> str:
        return scope.organisation

    def feed_extra_kwargs(self, scope: FeedScope) -> dict:
        return {"description_text": self.description_text(scope)}

    def items(self, scope: FeedScope) -> list:
        return scope.entries()

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str | None:
        # RSS description and Atom summary are HTML: an excerpt is text, so "<svg>" in it must stay text. An item
        # with no text has no summary at all, rather than an empty one.
        return text_as_html(item.feed_excerpt) if item.feed_excerpt else None

    def item_link(self, item) -> str:
        return public_page_url(item, self.scope.request) or public_url("/")

    def item_guid(self, item) -> str:
        return self.item_link(item)

    item_guid_is_permalink = True

    def item_pubdate(self, item) -> datetime:
        return item.published_at

    def item_updateddate(self, item) -> datetime:
        return max(filter(None, [item.published_at, item.last_published_at]))

    def item_author_name(self, item) -> str | None:
        # Names only: people's contact details never go into a feed.
        return " and ".join(person.name for person in item.people) or None

    def item_categories(self, item) -> list[str]:
        return [category.name for category in item.categories]

    def item_extra_kwargs(self, item) -> dict:
        return {
            "content_html": self._full_text(item) if item.feed_full_text else None,
            "author_names": [person.name for person in item.people],
            "summary": item.feed_excerpt,
        }

    def _full_text(self, item) -> str:
        if item.feed_release is not None:
            return feed_html(self._release_html(item.feed_release))
        return feed_html(str(item.body))

    def _release_html(self, release: PressReleasePage) -> str:
        """The release as journalists receive it: release line, dateline and lead, body, ENDS, notes to editors."""
        zone = PressCentreSettings.for_site(self.scope.site).zone
        context = {
            "release": release,
            # Worded as the public page words it: a feed only carries a release after its lift.
            "release_line": release_line_at(release, at=self.scope.at, zone=zone),
            "dateline": release.dateline(zone) if release.published_at else "",
        }
        return render_to_string("syndication/feed_press_release.html", context)


class AtomItemFeed(ItemFeed):
    feed_type = AtomFeedGenerator
    format_name = "atom"

    def subtitle(self, scope: FeedScope) -> str:
        return self.description_text(scope)  # an Atom subtitle without a type is text


class JsonItemFeed(ItemFeed):
    feed_type = JsonFeedGenerator
    format_name = "json"


class PodcastFeed(ItemFeed):
    """Media appearances with a recording, as podcast episodes."""

    feed_type = PodcastFeedGenerator
    format_name = "podcast"
    podcast = True

    def feed_extra_kwargs(self, scope: FeedScope) -> dict:
        site_settings = PressCentreSettings.for_site(scope.site)
        return {
            **super().feed_extra_kwargs(scope),
            "image_url": podcast_image_url(site_settings),
            "owner_email": podcast_owner_email(site_settings),
        }

    def item_enclosures(self, item) -> list[Enclosure]:
        recording = item.recording
        # The size Wagtail recorded at upload; the storage is asked only for files stored before it did.
        length = recording.file_size if recording.file_size is not None else recording.file.size
        url = public_url(recording.url)
        return [Enclosure(url, str(length), item.recording_mime_type)]
