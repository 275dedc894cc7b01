"""What purges the page cache: publishing, unpublishing, moves and deletions, site-wide settings, and edits to
the images and documents pages show.

The lift and comment moderation purge through the item purger embargo registers (`registry`). Every purge runs after
the transaction commits, so a reader cannot cache the old rows again once the tokens have moved on.
"""

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from presscentre.pagecache import registry, services

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
    if registry.is_item(instance):
        services.on_commit(services.purge_item, instance)
    else:
        services.on_commit(services.purge_site)


def purge_everything(sender, **kwargs):
    services.on_commit(services.purge_site)


def purge_deleted_page(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        services.on_commit(services.purge_site)


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
    key = f"media:{media._meta.label_lower}:{media.pk}"
    users = services.media_users(media)
    if users:
        services.on_commit_once(key, services.purge_media_users, users)


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
