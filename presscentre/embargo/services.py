"""The one visibility rule: what the public may see, and who may see a given item, at an instant.

Every public surface (listings, archives, item pages, and every surface added later) asks these two
functions and nothing else. They take the instant as an argument; only views and the worker read the clock.
"""

from datetime import datetime

from django.apps import apps
from django.db.models import Q


def public_items(at: datetime):
    """Items the public may see at `at`: live, not private, and past any embargo."""
    news_item_page = apps.get_model("newsroom", "NewsItemPage")
    return news_item_page.objects.live().public().filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=at))


def can_view(item, *, at: datetime, viewer=None) -> bool:
    """May `viewer` (a user, or None for an anonymous reader) see `item` at `at`?

    Staff who can use the admin always may; everyone else only once the item is live and past its embargo.
    Wagtail's own view restrictions (private pages) are enforced by Wagtail when the page is served.
    """
    if viewer is not None and viewer.is_authenticated and viewer.has_perm("wagtailadmin.access_admin"):
        return True
    return item.live and not item.is_embargoed_at(at)
