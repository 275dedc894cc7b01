"""What purges the page cache: publishing, unpublishing, moves and deletions, and site-wide settings.

The lift and comment moderation purge through `embargo.services.purge_item_from_caches`. Every purge runs after
the transaction commits, so a reader cannot cache the old rows again once the tokens have moved on.
"""

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from presscentre.pagecache import services

# Rows every page shows (the organisation's name, boilerplate, contacts, categories and people in bylines,
# comment and feed settings) or that decide where a URL leads: a change to one purges the whole site.
SITE_WIDE_MODELS = (
    "newsroom.PressCentreSettings",
    "newsroom.DefaultPressContact",
    "newsroom.Category",
    "newsroom.Person",
    "newsroom.PressContact",
    "newsroom.Boilerplate",
    "comments.CommentSettings",
    "syndication.SyndicationSettings",
    "wagtailcore.Site",
    "wagtailredirects.Redirect",
)


def purge_published_page(sender, instance, **kwargs):
    """An item changed: its own page and every listing. Any other page (the index itself): everything."""
    from presscentre.newsroom.models import NewsItemPage

    if isinstance(instance, NewsItemPage):
        services.on_commit(services.purge_item, instance)
    else:
        services.on_commit(services.purge_site)


def purge_everything(sender, **kwargs):
    services.on_commit(services.purge_site)


def purge_deleted_page(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        services.on_commit(services.purge_site)


def connect() -> None:
    page_published.connect(purge_published_page, dispatch_uid="pagecache.published")
    page_unpublished.connect(purge_published_page, dispatch_uid="pagecache.unpublished")
    page_slug_changed.connect(purge_everything, dispatch_uid="pagecache.slug_changed")
    post_page_move.connect(purge_everything, dispatch_uid="pagecache.moved")
    post_delete.connect(purge_deleted_page, dispatch_uid="pagecache.page_deleted")
    for label in SITE_WIDE_MODELS:
        model = apps.get_model(label)
        post_save.connect(purge_everything, sender=model, dispatch_uid=f"pagecache.saved.{label}")
        post_delete.connect(purge_everything, sender=model, dispatch_uid=f"pagecache.deleted.{label}")
