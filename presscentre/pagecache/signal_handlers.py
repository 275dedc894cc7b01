"""What purges the caches, and which tags (`presscentre.pagecache.tags`) each change purges.

- An item published, republished after an edit, unpublished, moved, renamed (slug) or deleted: the item's own tag
  and every surface it appears on (`registry.item_tags`). The lift and comment moderation purge through the same
  function from their own apps.
- Any other page published, unpublished, moved, renamed or deleted (the press centre itself, a plain page): `site`.
- A row of a registered site-wide model saved or deleted (settings, snippets, sites, redirects): what its app
  registered. A category or person: its archive, the indexes, the sitemaps and each item showing it; the rest
  `site`.
- An image or document edited, its file replaced, or deleted: each item showing it (`item-<id>`), the document's
  own download or the image's own files (`image-<id>`), and `site` if anything else shows it.

Every purge goes through `purge.purge`, which runs after the transaction commits.
"""

from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from presscentre.pagecache import registry, services
from presscentre.pagecache import tags as cache_tags
from presscentre.pagecache.purge import purge

# Rows every page shows or that decide where a URL leads, named here because they are no app's own.
registry.register_model("wagtailcore.Site")
registry.register_model("wagtailredirects.Redirect", lambda redirect: {cache_tags.REDIRECTS})


def page_tags(page) -> set[str]:
    """An item: its own tags and its surfaces. Any other page may be shown under many paths: the whole site."""
    page = getattr(page, "specific_deferred", page)
    if registry.is_item(page):
        return registry.item_tags(page)
    return {cache_tags.SITE}


def purge_changed_page(sender, instance, **kwargs):
    purge(page_tags(instance))


def purge_deleted_page(sender, instance, **kwargs):
    """Before a page is deleted, while its categories and people are still linked to it."""
    from wagtail.models import Page

    if isinstance(instance, Page):
        purge(page_tags(instance))


def purge_site_wide_row(sender, instance, raw=False, created=False, **kwargs):
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

    tags_of = registry.model_tags(sender)
    if tags_of is None or raw or sender.__module__ == "__fake__":
        return  # not shown, a fixture load, or a migration's historical model (before anything is served)
    if created and isinstance(instance, BaseSiteSetting | BaseGenericSetting):
        return  # made with its defaults on first read: what pages showed already
    purge(tags_of(instance))


def purge_media_on_save(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    """An image or document was edited (title, file, focal point...): purge the pages that show it.

    A new one is shown nowhere yet, and a fixture load (raw) or Wagtail noting a file's size changes nothing seen.
    """
    if created or raw or (update_fields and set(update_fields) <= services.MEDIA_BOOKKEEPING_FIELDS):
        return
    _purge_users_of(instance)


def purge_media_on_delete(sender, instance, **kwargs):
    """Before an image or document is deleted, while the reference index still says who shows it."""
    _purge_users_of(instance)


def purge_image_on_rendition_delete(sender, instance, **kwargs):
    """Replacing an image's file deletes its renditions after the image is saved: purge again once they are gone,
    so no page cached in between keeps pointing at a deleted file. One purge per image, however many renditions."""
    from wagtail.images import get_image_model

    _purge_users_of(get_image_model()(pk=instance.image_id))


def _purge_users_of(media) -> None:
    from wagtail.documents import get_document_model

    key = f"media:{media._meta.label_lower}:{media.pk}"
    # Its own files at the edge: a document's download, an image's files and sizes (made public on its own or not).
    own = {cache_tags.document(media.pk) if isinstance(media, get_document_model()) else cache_tags.image(media.pk)}
    users = services.media_users(media)
    if users or own:
        services.on_commit_once(key, purge, media_tags(users) | own)


def media_tags(users: services.MediaUsers) -> set[str]:
    """What shows an image or document: each item (its page, and every listing, feed or podcast showing it); the
    whole site if anything else does (a person's photo, the index page, a setting)."""
    tags = {cache_tags.item(pk) for pk in users.item_ids}
    if users.elsewhere:
        tags.add(cache_tags.SITE)
    return tags


def connect() -> None:
    """The one place the page cache connects to signals: pages, registered site-wide models, images and documents."""
    page_published.connect(purge_changed_page, dispatch_uid="pagecache.published")
    page_unpublished.connect(purge_changed_page, dispatch_uid="pagecache.unpublished")
    page_slug_changed.connect(purge_changed_page, dispatch_uid="pagecache.slug_changed")
    post_page_move.connect(purge_changed_page, dispatch_uid="pagecache.moved")
    pre_delete.connect(purge_deleted_page, dispatch_uid="pagecache.page_deleted")
    # Any model: the registry decides (apps register theirs in ready(), after this runs).
    post_save.connect(purge_site_wide_row, dispatch_uid="pagecache.row_saved")
    pre_delete.connect(purge_site_wide_row, dispatch_uid="pagecache.row_deleted")
    connect_media()


def connect_media() -> None:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    image, document = get_image_model(), get_document_model()
    for model in (image, document):
        post_save.connect(purge_media_on_save, sender=model, dispatch_uid=f"pagecache.media_saved.{model._meta.label}")
        pre_delete.connect(
            purge_media_on_delete, sender=model, dispatch_uid=f"pagecache.media_deleted.{model._meta.label}"
        )
    post_delete.connect(
        purge_image_on_rendition_delete, sender=image.get_rendition_model(), dispatch_uid="pagecache.rendition_deleted"
    )
