"""The small pictures listings and bylines show: items' thumbnails and people's headshots.

A listing or byline shows several at once; each is worked out once per process (the site memory, forgotten when
a person, an image or a rendition changes) and, when not yet known, all of a page's are read together: one query
for their renditions, whatever the number of entries.
"""

from collections.abc import Callable, Hashable, Iterable
from functools import partial

from django.db.models import Prefetch
from wagtail.images import get_image_model

from presscentre.core.site_memo import memoised
from presscentre.newsroom.branding import Picture, picture

THUMBNAIL_FILTER = "fill-150x100"
THUMBNAIL_FILTER_2X = "fill-300x200"
HEADSHOT_FILTER = "fill-48x48"
HEADSHOT_FILTER_2X = "fill-96x96"


def remembered(kind: str, keys: Iterable[Hashable], load: Callable[[list], dict]) -> dict:
    """key -> value for `keys`, from the site memory; `load(keys)` runs once, for all of them, on a miss.

    A key `load` does not return is remembered as having nothing (False), so it is not looked up again.
    """
    keys = list(dict.fromkeys(keys))
    loaded = None

    def compute(key):
        nonlocal loaded
        if loaded is None:
            loaded = load(keys)
        return loaded.get(key, False)

    found = {}
    for key in keys:
        value = memoised((kind, key), partial(compute, key))
        if value:
            found[key] = value
    return found


def _pictures(images, one_x: str, two_x: str) -> dict[int, Picture]:
    """Image id -> Picture at `one_x` with a 2x source, for images with the two renditions prefetched."""
    found = {}
    for image in images:
        renditions = image.get_renditions(one_x, two_x)  # reads the prefetched ones; makes any missing
        found[image.pk] = picture(renditions[one_x], alt=image.description.strip(), double=renditions[two_x])
    return found


def _images_with_renditions(ids, *filters: str):
    return get_image_model().objects.filter(pk__in=ids).prefetch_renditions(*filters)


# Listing thumbnails -----------------------------------------------------------------------------------------------


def _load_thumbnails(image_ids: list[int]) -> dict[int, Picture]:
    return _pictures(
        _images_with_renditions(image_ids, THUMBNAIL_FILTER, THUMBNAIL_FILTER_2X), THUMBNAIL_FILTER, THUMBNAIL_FILTER_2X
    )


def thumbnails_of(items) -> dict[int, Picture]:
    """Item id -> its featured image's listing thumbnail, with the alt text the item gives it."""
    image_of = {item.pk: item.featured_image_id for item in items if item.featured_image_id is not None}
    if not image_of:
        return {}
    pictures = remembered("thumbnail", image_of.values(), _load_thumbnails)
    found = {}
    for item in items:
        thumbnail = pictures.get(image_of.get(item.pk))
        if thumbnail is not None:
            alt = item.featured_image_alt.strip() or thumbnail.alt
            found[item.pk] = Picture(thumbnail.url, thumbnail.width, thumbnail.height, alt, thumbnail.srcset)
    return found


# Headshots --------------------------------------------------------------------------------------------------------


def _load_headshots(slugs: list[str]) -> dict[str, Picture]:
    from presscentre.newsroom.models import Person

    people = list(
        Person.objects.filter(slug__in=slugs, photo__isnull=False)
        .select_related("photo")
        .prefetch_related(
            Prefetch(
                "photo__renditions",
                queryset=get_image_model()
                .get_rendition_model()
                .objects.filter(filter_spec__in=[HEADSHOT_FILTER, HEADSHOT_FILTER_2X]),
                to_attr="prefetched_renditions",
            )
        )
    )
    pictures = _pictures([person.photo for person in people], HEADSHOT_FILTER, HEADSHOT_FILTER_2X)
    # A headshot's alternative text is the person's name, whatever the photo's own description says.
    return {person.slug: _named(pictures[person.photo.pk], person.name) for person in people}


def _named(found: Picture, name: str) -> Picture:
    return Picture(found.url, found.width, found.height, name, found.srcset)


def headshots_of(people) -> dict[str, Picture]:
    """Person slug -> their small headshot, for the people of a byline (Person objects or their names and slugs).

    People known to have no photo (a `photo_id` of None) are not looked up.
    """
    slugs = [person.slug for person in people if getattr(person, "photo_id", "unknown") is not None]
    return remembered("headshot", slugs, _load_headshots) if slugs else {}
