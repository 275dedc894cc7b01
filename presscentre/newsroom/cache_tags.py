"""Which cache tags the newsroom's surfaces carry, and which a change to an item, category or person purges
(the vocabulary is `presscentre.pagecache.tags`)."""

from presscentre.pagecache import tags

# Surfaces that list every public item, whatever its type, category or people.
EVERY_ITEM_SURFACE = frozenset({tags.INDEX, tags.FEEDS, tags.SITEMAPS, tags.SEARCH, tags.API, tags.REDIRECTS})
# Past this many items, a category or person change purges the whole site rather than name each item.
MAX_ITEMS_NAMED = 200


def item_tags(item) -> set[str]:
    """Every surface `item` appears on once public, besides its own page: the index, its category and person
    archives (with their feeds), the site's feeds, the podcast for a recording, the sitemaps, search, the API and
    the downloads of its own files.

    Surfaces it appeared on before this change (an archive it has just left) carry its `item-<id>` tag already.
    """
    from presscentre.newsroom.models import MediaAppearancePage
    from presscentre.newsroom.models.items import ItemCategory, ItemPerson
    from presscentre.newsroom.models.report import ReportDocument

    result = {tags.item(item.pk), *EVERY_ITEM_SURFACE}
    result |= {
        tags.category(pk) for pk in ItemCategory.objects.filter(item_id=item.pk).values_list("category_id", flat=True)
    }
    result |= {tags.person(pk) for pk in ItemPerson.objects.filter(item_id=item.pk).values_list("person_id", flat=True)}
    specific = getattr(item, "specific_deferred", item)
    if isinstance(specific, MediaAppearancePage) and specific.recording_id is not None:
        result |= {tags.PODCAST, tags.document(specific.recording_id)}
    # Its files are downloadable only while it is public: unpublishing or re-embargoing it withdraws them.
    documents = ReportDocument.objects.filter(report_id=item.pk).values_list("document_id", flat=True)
    result |= {tags.document(pk) for pk in documents}
    return result


def category_tags(category) -> set[str]:
    """A category's name and slug show on its archive and feeds, the indexes, the sitemap (its archive's address)
    and on every item in it, and so wherever those items are listed."""
    item_ids = list(category.item_links.values_list("item_id", flat=True)[: MAX_ITEMS_NAMED + 1]) if category.pk else []
    return _with_items({tags.category(category.pk), tags.INDEX, tags.SITEMAPS}, item_ids)


def person_tags(person) -> set[str]:
    """A person's name, photo and biography: their archive and feeds, the indexes, the sitemap and their items."""
    item_ids = list(person.item_links.values_list("item_id", flat=True)[: MAX_ITEMS_NAMED + 1]) if person.pk else []
    return _with_items({tags.person(person.pk), tags.INDEX, tags.SITEMAPS}, item_ids)


def _with_items(result: set[str], item_ids: list[int]) -> set[str]:
    if len(item_ids) > MAX_ITEMS_NAMED:
        return {tags.SITE}
    return result | {tags.item(pk) for pk in item_ids}


def register() -> None:
    """Tell the page cache (below this app) about items and the rows every page shows."""
    from presscentre.newsroom.models import NewsItemPage
    from presscentre.pagecache import registry

    registry.register_item_model(NewsItemPage)
    registry.register_item_tags(item_tags)
    registry.register_model("newsroom.Category", category_tags)
    registry.register_model("newsroom.Person", person_tags)
    # The organisation's name, boilerplate and contacts are on every page.
    for label in (
        "newsroom.PressCentreSettings",
        "newsroom.DefaultPressContact",
        "newsroom.PressContact",
        "newsroom.Boilerplate",
    ):
        registry.register_model(label)
