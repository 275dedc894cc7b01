"""RSS 2.0 comment feeds: the whole site's latest comments and one item's.

Approved comments on items the public may see now only (the embargo rule's `public_items`), and commenters by
name alone: no email address appears in any field. Links are on the configured public base (core.urls_public).

Titles and names are text; a channel's description is read as HTML, so an item title in it is escaped; a comment
is sanitised HTML. Every text passes through `core.text.xml_safe`: a comment, name or title saved before input was
checked may hold a character XML 1.0 cannot carry, and one row must not make the feed a 500.
"""

import html

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from wagtail.models import Site

from presscentre.comments.services import comment_body_html, latest_public_comments
from presscentre.core.text import xml_safe
from presscentre.core.urls_public import public_page_url, public_url
from presscentre.embargo.services import public_items
from presscentre.pagecache import tags as cache_tags

FEED_LENGTH = 50
MAX_ID = 2**63 - 1


class _CommentFeed(Feed):
    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, **kwargs):
        self.request = request
        self.now = timezone.now()
        return super().__call__(request, *args, **kwargs)

    def _site_name(self) -> str:
        from presscentre.newsroom.models import PressCentreSettings

        site = Site.find_for_request(self.request)
        return PressCentreSettings.for_site(site).organisation_name if site else ""

    def item_title(self, comment) -> str:
        return xml_safe(f"Comment on {comment.item.title} by {comment.author_name}")

    def item_description(self, comment) -> str:
        return xml_safe(comment_body_html(comment.body))

    def item_link(self, comment) -> str:
        return f"{public_page_url(comment.item, self.request) or public_url('/')}#comment-{comment.pk}"

    def item_guid(self, comment) -> str:
        return self.item_link(comment)

    item_guid_is_permalink = True

    def item_author_name(self, comment) -> str:
        return xml_safe(comment.author_name)

    def item_pubdate(self, comment):
        return comment.created_at


class SiteCommentsFeed(_CommentFeed):
    description = "The latest comments from readers."

    def title(self) -> str:
        return xml_safe(f"Comments for {self._site_name() or 'the press centre'}")

    def link(self) -> str:
        return public_url("/")

    def feed_url(self) -> str:
        return public_url(reverse("comments:feed"))

    def items(self):
        comments = latest_public_comments(at=self.now, limit=FEED_LENGTH)
        # Each comment names its item: the feed changes when one of them is edited or hidden.
        cache_tags.add(self.request, cache_tags.COMMENTS)
        cache_tags.add_items(self.request, {comment.item_id for comment in comments})
        return comments


class ItemCommentsFeed(_CommentFeed):
    def get_object(self, request, item_id: int):
        if item_id > MAX_ID:  # the URL takes any digits; a database integer does not
            raise Http404("No such item.")
        item = public_items(self.now).filter(pk=item_id).first()
        if item is None:
            raise Http404("No such item.")
        cache_tags.add(request, cache_tags.item(item.pk))
        return item

    def title(self, item) -> str:
        return xml_safe(f"Comments on: {item.title}")

    def link(self, item) -> str:
        return public_page_url(item, self.request) or public_url("/")

    def feed_url(self, item) -> str:
        return public_url(reverse("comments:item_feed", args=[item.pk]))

    def description(self, item) -> str:
        return xml_safe(html.escape(f"Readers' comments on {item.title}.", quote=False))

    def items(self, item):
        return latest_public_comments(at=self.now, limit=FEED_LENGTH, item=item)
