"""Search over the public items: the query's words, the filters, and highlighting in results.

Results come only from `embargo.services.public_items(at)`, so an embargoed item (and the text of its PDF)
cannot be found before the lift.
"""

import logging
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, transaction
from django.http import Http404, QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from presscentre.embargo.services import public_items

logger = logging.getLogger(__name__)

# Longer queries are cut, and only the first words used: a search box is not a place for an essay.
MAX_QUERY_LENGTH = 1000
MAX_TERMS = 16
# A newsroom never needs more; the cap keeps a one-letter search on a large archive cheap.
MAX_RESULTS = 1000


@dataclass
class SearchFilters:
    """What a search is narrowed to; None means any."""

    item_type: type | None = None
    category: object | None = None
    person: object | None = None
    year: int | None = None
    time_zone: zoneinfo.ZoneInfo = field(default_factory=lambda: zoneinfo.ZoneInfo("UTC"))
    within: object | None = None  # a press centre page: only its items

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.item_type, self.category, self.person, self.year))


@dataclass
class SearchResults:
    query: str
    terms: list[str]
    item_ids: list[int]


def search_terms(query: str) -> list[str]:
    """The words of `query`: letters, digits and combining marks only, so no search syntax reaches the backend.

    Quotes, brackets, `*`, `-`, NUL bytes and emoji become spaces; what is left is searched as plain words.
    """
    cleaned = "".join(
        char if unicodedata.category(char)[0] in "LNM" else " " for char in (query or "")[:MAX_QUERY_LENGTH]
    )
    return cleaned.split()[:MAX_TERMS]


def read_filters(params: QueryDict, *, time_zone: zoneinfo.ZoneInfo, within=None) -> SearchFilters:
    """The filters named in a search URL (`type`, `category`, `person`, `year`); an unknown one is a 404."""
    from presscentre.newsroom.models import Category, Person
    from presscentre.newsroom.models.index import ITEM_TYPES

    filters = SearchFilters(time_zone=time_zone, within=within)
    if params.get("type"):
        filters.item_type = ITEM_TYPES.get(params["type"])
        if filters.item_type is None:
            raise Http404("Unknown item type.")
    if params.get("category"):
        filters.category = Category.objects.filter(slug=params["category"]).first()
        if filters.category is None:
            raise Http404("Unknown category.")
    if params.get("person"):
        filters.person = Person.objects.filter(slug=params["person"]).first()
        if filters.person is None:
            raise Http404("Unknown person.")
    if params.get("year"):
        year = params["year"]
        if not (year.isascii() and year.isdigit() and 1 <= int(year) <= 9998):
            raise Http404("No such year.")
        filters.year = int(year)
    return filters


def filtered_items(*, at: datetime, filters: SearchFilters):
    """The public items at `at` that pass `filters`."""
    items = public_items(at)
    if filters.within is not None:
        items = items.descendant_of(filters.within)
    if filters.item_type is not None:
        items = items.of_type(filters.item_type)
    if filters.category is not None:
        items = items.filter(category_links__category=filters.category)
    if filters.person is not None:
        items = items.filter(person_links__person=filters.person)
    if filters.year is not None:
        # Years as readers see them: in the site's own time zone.
        start = datetime(filters.year, 1, 1, tzinfo=filters.time_zone)
        end = datetime(filters.year + 1, 1, 1, tzinfo=filters.time_zone)
        items = items.filter(published_at__gte=start, published_at__lt=end)
    return items


def search_items(query: str, *, at: datetime, filters: SearchFilters) -> SearchResults:
    """The ids of public items matching every word of `query`, best match first (at most MAX_RESULTS).

    With no words (an empty query, or one of punctuation only) nothing matches. A query the search backend
    rejects is logged and treated as matching nothing, never an error page.
    """
    from presscentre.newsroom.models import NewsItemPage

    terms = search_terms(query)
    if not terms:
        return SearchResults(query=query, terms=[], item_ids=[])
    # Filters on related objects (categories, people) are not search-index fields, so they narrow the
    # candidates in a subquery and the search runs over those.
    # Only ids come back: the rows to rank and sort stay narrow instead of carrying every item's body.
    candidates = NewsItemPage.objects.only("pk").filter(pk__in=filtered_items(at=at, filters=filters).values("pk"))
    candidates = narrowed_by_search_index(candidates, terms)
    try:
        with transaction.atomic():  # a savepoint: on PostgreSQL a failed query would spoil the transaction
            found = candidates.search(" ".join(terms), operator="and")[:MAX_RESULTS]
            item_ids = [item.pk for item in found]
    except DatabaseError:
        logger.warning("Search backend rejected the query %r", query, exc_info=True)
        item_ids = []
    return SearchResults(query=query, terms=terms, item_ids=list(dict.fromkeys(item_ids)))


def narrowed_by_search_index(candidates, terms: list[str]):
    """On PostgreSQL, keep only items whose search index entry holds every word, in its title or its body.

    Wagtail's PostgreSQL backend matches `title || body` against the query: no index covers that expression, so
    on its own every search reads the whole index (about 0.7 s on 100,000 items). Each word in the title or the
    body is the same match, answered from the GIN index on each column in milliseconds; the backend still makes
    the final match and the ranking among these. Stop words ("the") match nothing on their own and are left out,
    as the backend leaves them out of its query.
    """
    from django.contrib.postgres.search import SearchQuery
    from django.db import connection
    from django.db.models import IntegerField, Q
    from django.db.models.functions import Cast
    from wagtail.search.models import IndexEntry

    from presscentre.newsroom.models import NewsItemPage

    if connection.vendor != "postgresql":
        return candidates
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM unnest(%s::text[]) AS term WHERE numnode(plainto_tsquery(term)) > 0", [terms])
        words = [row[0] for row in cursor.fetchall()]
    if not words:
        return candidates
    entries = IndexEntry.objects.filter(content_type__in=NewsItemPage.content_types())
    for word in words:
        entries = entries.filter(Q(title=SearchQuery(word)) | Q(body=SearchQuery(word)))
    return candidates.filter(pk__in=entries.annotate(item_id=Cast("object_id", IntegerField())).values("item_id"))


def items_in_order(item_ids: list[int]) -> list:
    """The listing entries for `item_ids`, in that order, in a fixed number of queries."""
    from presscentre.newsroom.models import NewsItemPage

    found = {item.pk: item for item in NewsItemPage.objects.filter(pk__in=item_ids).for_listing()}
    return [found[pk] for pk in item_ids if pk in found]


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text`, HTML-escaped, with each word that begins with one of `terms` wrapped in `<mark>`.

    The text is cut at the matches first and every piece escaped on its own, so a match can never fall inside
    an entity such as `&amp;` and nothing in `text` is ever treated as markup.
    """
    text = text or ""
    if not terms:
        return escape(text)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(term) for term in sorted(set(terms), key=len, reverse=True)) + r")\w*",
        re.IGNORECASE,
    )
    pieces = []
    position = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped
