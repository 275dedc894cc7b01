"""Search over the public items: the query's words, the filters, and highlighting in results.

A narrow query's results are ranked; a broad one's, on PostgreSQL, listed newest first (see `search_items`).
Results come only from `embargo.services.public_items(at)`, so an embargoed item (and the text of its PDF)
cannot be found before the lift.
"""

import logging
import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField, F, IntegerField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import Http404, QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from presscentre.core.pagination import page_or_404
from presscentre.embargo.services import public_items

logger = logging.getLogger(__name__)

# Longer queries are cut, and only the first words used: a search box is not a place for an essay.
MAX_QUERY_LENGTH = 1000
MAX_TERMS = 16
# A newsroom never needs more; the cap keeps a one-letter search on a large archive cheap.
MAX_RESULTS = 1000
# Past this many matches a query is broad, and its matches are listed newest first rather than ranked (see
# `search_items`); up to the second limit they are collected by id, past it found by walking items by date.
# Settings of the same names override them (tests lower them).
SEARCH_LIMITS = {"PRESSCENTRE_SEARCH_RANKED_MATCHES": 500, "PRESSCENTRE_SEARCH_COLLECTED_MATCHES": 2000}
# Of a match too common to collect, the first this many results are looked for among the newest WALK_WINDOW
# items, walked by date (see `_walked_newest_first`).
WALKED_RESULTS = 100
WALK_WINDOW = 1000


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
    """What a search found.

    `item_ids` holds every match best first (`by_date` false), or, for a broad query on PostgreSQL, is empty and
    `by_date` is true: the matches are then listed newest first, a page at a time, by `newest_ids`.
    """

    query: str
    terms: list[str]
    item_ids: list[int]
    by_date: bool = False
    newest_ids: Callable[[int, int], list[int]] | None = field(default=None, repr=False)


@dataclass
class NewestFirstPage:
    """One page of a newest-first listing, known without counting every match: whether there is a next page
    is all that is looked up (one row past the page)."""

    number: int
    object_list: list
    has_next_page: bool
    per_page: int

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.has_next_page

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next_page or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def search_terms(query: str) -> list[str]:
    """The words of `query`: letters, digits and combining marks only, so no search syntax reaches the backend.

    Quotes, brackets, `*`, `-`, NUL bytes and emoji become spaces; what is left is searched as plain words.
    """
    cleaned = "".join(
        char if unicodedata.category(char)[0] in "LNM" else " " for char in (query or "")[:MAX_QUERY_LENGTH]
    )
    return cleaned.split()[:MAX_TERMS]


def read_filters(params: QueryDict, *, at: datetime, time_zone: zoneinfo.ZoneInfo, within=None) -> SearchFilters:
    """The filters named in a search URL (`type`, `category`, `person`, `year`); an unknown one is a 404.

    A category or person no public item (at `at`) uses is unknown too: the filter of an embargoed item's topic
    answers exactly as a mistyped one does, so it cannot confirm the name before the lift.
    """
    from presscentre.newsroom.models import Category, Person
    from presscentre.newsroom.models.index import ITEM_TYPES

    filters = SearchFilters(time_zone=time_zone, within=within)
    public = filtered_items(at=at, filters=SearchFilters(time_zone=time_zone, within=within))
    if params.get("type"):
        filters.item_type = ITEM_TYPES.get(params["type"])
        if filters.item_type is None:
            raise Http404("Unknown item type.")
    if params.get("category"):
        filters.category = Category.objects.linked_to(public).filter(slug=params["category"]).first()
        if filters.category is None:
            raise Http404("Unknown category.")
    if params.get("person"):
        filters.person = Person.objects.linked_to(public).filter(slug=params["person"]).first()
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
    """The public items matching every word of `query`: best match first, or newest first for a broad query.

    With no words (an empty query, or one of punctuation only) nothing matches. A query the search backend
    rejects is logged and treated as matching nothing, never an error page.

    On PostgreSQL the words are first looked up in the GIN indexes of the search index (`matching_entries`),
    reading at most `PRESSCENTRE_SEARCH_COLLECTED_MATCHES` (2,000) + 1 entries. Then, with

    - at most `PRESSCENTRE_SEARCH_RANKED_MATCHES` (500) matches: ranked as the backend ranks them, best first.
      `ts_rank` costs about 12 microseconds a match (it reads each body's compressed vector): a few ms here.
    - more (a broad query: "economy" is in one item in seven of the benchmark archive): ranking them all would
      cost tens to hundreds of milliseconds before the best were known, so they are listed newest first, a page
      at a time, and never counted (a page reads one row past itself to know there is a next). Up to the
      collected limit, the items are walked in `published_at` order and checked against the collected ids;
      past it, see `_walked_newest_first`. Why newest first: for a newsroom's broad query the latest coverage
      is the useful answer, and it is the one order an index (`published_at`) gives without scoring every
      match. The SQLite path (demo, tests) still ranks every match, as the backend does.

    Either way only items of `filtered_items` (the public ones, with the filters) can be listed.
    """
    terms = search_terms(query)
    if not terms:
        return SearchResults(query=query, terms=[], item_ids=[])
    filtered = filtered_items(at=at, filters=filters)
    try:
        with _savepoint():
            if connection.vendor == "postgresql":
                return _search_on_postgresql(query, terms, filtered)
            return SearchResults(query=query, terms=terms, item_ids=_ranked_ids(terms, filtered))
    except DatabaseError:
        logger.warning("Search backend rejected the query %r", query, exc_info=True)
        return SearchResults(query=query, terms=terms, item_ids=[])


def _search_on_postgresql(query: str, terms: list[str], filtered) -> SearchResults:
    words = indexable_words(terms)
    if not words:  # only stop words: the backend's query would hold nothing, and match nothing
        return SearchResults(query=query, terms=terms, item_ids=[])
    matching = matching_entries(words, limit=search_limit("PRESSCENTRE_SEARCH_COLLECTED_MATCHES"))
    if matching is not None and len(matching) <= search_limit("PRESSCENTRE_SEARCH_RANKED_MATCHES"):
        return SearchResults(query=query, terms=terms, item_ids=_ranked_items(matching, terms, filtered))
    if matching is not None:
        newest = _newest_first(_among(filtered, matching.values()))
    else:
        newest = _walked_newest_first(filtered, words)
    return SearchResults(query=query, terms=terms, item_ids=[], by_date=True, newest_ids=newest)


def _among(filtered, item_ids):
    """`filtered` restricted to `item_ids`, given as one array parameter, which PostgreSQL hashes: walking the
    items in `published_at` order, each is checked against it until a page is full."""
    among = RawSQL(
        '"newsroom_newsitempage"."page_ptr_id" = ANY(%s::integer[])', (_integer_array(item_ids),), BooleanField()
    )
    return filtered.filter(among)


# A walk for a newest-first page: the newest items (`window`), in order, each checked for its own index entry
# holding every word (`own_entry`), until the page is full. Both parts are SQL compiled by Django.
_WALK = (
    "SELECT walk.pk FROM ({window}) AS walk WHERE EXISTS ({own_entry})"
    " ORDER BY walk.published_at DESC, walk.pk DESC LIMIT %s OFFSET %s"
)


def _walked_newest_first(filtered, words: list[str]) -> Callable[[int, int], list[int]]:
    """Newest first for a match too common to collect cheaply.

    Within the first `WALKED_RESULTS`, a page is looked for by walking the newest `WALK_WINDOW` items in
    `published_at` order and checking each one's own index entry until the page is full: for "economy", in one
    item in seven, about 150 checks, 2 ms. The window bounds the walk (each check reads an entry's compressed
    body vector, about 10 microseconds) whatever the archive's size; a page the window cannot fill, or a deeper
    one, comes from every match collected by id. The walk runs without parallel workers: with them, each worker
    walked its own share far past the page before the leader stopped it (6,800 checks rather than 150, 80 ms).
    """
    from wagtail.search.models import IndexEntry

    window = filtered.order_by("-published_at", "-pk").values_list("pk", "published_at", "content_type_id")
    own = RawSQL(
        '"wagtailsearch_indexentry"."content_type_id" = walk.content_type_id'
        ' AND "wagtailsearch_indexentry"."object_id" = walk.pk::varchar(50)',
        (),
        BooleanField(),
    )
    window_sql, window_params = window[:WALK_WINDOW].query.sql_with_params()
    entry_sql, entry_params = _holding(IndexEntry.objects.filter(own), words).values("pk").query.sql_with_params()
    walk = _WALK.format(window=window_sql, own_entry=entry_sql)

    def walked(offset: int, limit: int) -> list[int]:
        with _planned_for_these_values() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute(walk, [*window_params, *entry_params, limit, offset])
            return list(dict.fromkeys(row[0] for row in cursor.fetchall()))

    def newest_ids(offset: int, limit: int) -> list[int]:
        try:
            if offset + limit <= WALKED_RESULTS:
                found = walked(offset, limit)
                if len(found) == limit:
                    return found
            with _savepoint():
                every_match = matching_entries(words, limit=None).values()
        except DatabaseError:
            logger.warning("Search backend rejected a newest-first page", exc_info=True)
            return []
        return _newest_first(_among(filtered, every_match))(offset, limit)

    return newest_ids


def _ranked_items(entries: dict[int, int], terms: list[str], filtered) -> list[int]:
    """The items of the index `entries` that `filtered` holds, best first, ranked as Wagtail's PostgreSQL backend
    ranks them (`ts_rank` of the title, times its norm, plus that of the body), without its `title || body`
    match: `matching_entries` has made the same match word by word, and that concatenation of every match's
    vectors cost more than the ranking itself."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from modelsearch.backends.database.postgres.weights import get_sql_weights
    from wagtail.search.models import IndexEntry

    # The words are letters, digits and marks only (`search_terms`): quoted, they are plain lexemes.
    every_word = SearchQuery(" & ".join(f"'{term}'" for term in terms), search_type="raw")
    weights = get_sql_weights()
    rank = SearchRank(F("title"), every_word, weights=weights) * F("title_norm") + SearchRank(
        F("body"), every_word, weights=weights
    )
    ranked = (
        IndexEntry.objects.filter(pk__in=list(entries))
        .annotate(item_id=Cast("object_id", IntegerField()))
        .filter(item_id__in=filtered.values("pk"))
        .order_by(rank.desc(), "-item_id")
        .values_list("item_id", flat=True)
    )
    return list(dict.fromkeys(ranked[:MAX_RESULTS]))


def _ranked_ids(terms: list[str], filtered) -> list[int]:
    """The backend's own match and ranking (SQLite), best first.

    Filters on related objects (categories, people) are not search-index fields, so they narrow the candidates
    in a subquery and the search runs over those.
    """
    from presscentre.newsroom.models import NewsItemPage

    candidates = NewsItemPage.objects.only("pk").filter(pk__in=filtered.values("pk"))
    found = candidates.search(" ".join(terms), operator="and")[:MAX_RESULTS]
    return list(dict.fromkeys(item.pk for item in found))


def _newest_first(items) -> Callable[[int, int], list[int]]:
    """Pages of `items`' ids, newest first."""
    ordered = items.order_by("-published_at", "-pk").values_list("pk", flat=True)

    def newest_ids(offset: int, limit: int) -> list[int]:
        try:
            with _planned_for_these_values():
                return list(dict.fromkeys(ordered[offset : offset + limit]))
        except DatabaseError:
            logger.warning("Search backend rejected a newest-first page", exc_info=True)
            return []

    return newest_ids


@contextmanager
def _planned_for_these_values():
    """A transaction (or savepoint) whose statements PostgreSQL plans for the values they carry.

    Statements are prepared and their plans kept per connection (DATABASE_PREPARED_STATEMENTS); a kept plan
    cannot know how many ids an array parameter holds or how common a word is, and for these queries picked a
    plan six times slower (1 ms to 6 ms for "economy budget").
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield cursor


def _savepoint():
    """A savepoint inside a transaction, where a failed query on PostgreSQL would spoil what follows."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def search_limit(name: str) -> int:
    """`PRESSCENTRE_SEARCH_RANKED_MATCHES` or `PRESSCENTRE_SEARCH_COLLECTED_MATCHES`, from settings if set."""
    return getattr(settings, name, SEARCH_LIMITS[name])


def results_page(results: SearchResults, page_param: str | None, *, per_page: int):
    """The requested page of `results`: a paginator page of the ranked ids, or a `NewestFirstPage`.

    As everywhere, a missing or non-numeric number gives the first page and zero, negative or past-the-end a 404.
    A newest-first listing stops after `MAX_RESULTS` matches, as a ranked one does.
    """
    if not results.by_date:
        return page_or_404(results.item_ids, page_param, per_page=per_page)
    try:
        number = int(page_param) if page_param else 1
    except ValueError:
        number = 1
    last_page = -(-MAX_RESULTS // per_page)
    if not 1 <= number <= last_page:
        raise Http404("No such page.")
    ids = results.newest_ids((number - 1) * per_page, per_page + 1)
    if not ids and number > 1:
        raise Http404("No such page.")
    return NewestFirstPage(
        number=number,
        object_list=ids[:per_page],
        has_next_page=len(ids) > per_page and number < last_page,
        per_page=per_page,
    )


def indexable_words(terms: list[str]) -> list[str]:
    """`terms` without the stop words ("the"), which match nothing on their own and which the backend leaves
    out of its query. Whether a word is one depends only on the text search configuration, so each answer is
    kept for the life of the process: a repeated search asks the database nothing."""
    unknown = [term for term in dict.fromkeys(terms) if term not in _INDEXABLE]
    if unknown:
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, numnode(plainto_tsquery(term)) > 0 FROM unnest(%s::text[]) AS term", [unknown])
            answers = dict(cursor.fetchall())
        if len(_INDEXABLE) > 10_000:
            _INDEXABLE.clear()
        _INDEXABLE.update(answers)
    return [term for term in terms if _INDEXABLE.get(term)]


_INDEXABLE: dict[str, bool] = {}


# `entries` is SQL compiled by Django, its values passed as parameters.
_MATCHING_ENTRIES = (
    "SELECT count(*), array_agg(found.id) FILTER (WHERE found.content_type_id = ANY(%s))::text,"
    " array_agg(found.object_id::integer) FILTER (WHERE found.content_type_id = ANY(%s))::text"
    " FROM ({entries}) AS found"
)


def matching_entries(words: list[str], *, limit: int | None) -> dict[int, int] | None:
    """The index entries of the items holding every one of `words`, as {entry id: item id}, or None if there are
    more than `limit` (None: no limit).

    One query, answered from the GIN indexes, reading at most `limit` + 1 entries and returning two arrays.
    Entries of other indexed models (documents, images) are told apart after the index scan, not in it: as an
    index condition the content type would read the content type index's 100,000 entries on a large archive.
    """
    from wagtail.search.models import IndexEntry

    from presscentre.newsroom.models import NewsItemPage

    entries = _holding(IndexEntry.objects.all(), words).values_list("id", "content_type_id", "object_id")
    if limit is not None:
        entries = entries[: limit + 1]
    sql, params = entries.query.sql_with_params()
    item_types = [content_type.pk for content_type in NewsItemPage.content_types()]
    with connection.cursor() as cursor:
        cursor.execute(_MATCHING_ENTRIES.format(entries=sql), [item_types, item_types, *params])
        count, entry_ids, item_ids = cursor.fetchone()
    if limit is not None and count > limit:
        return None
    return dict(zip(_integers(entry_ids), _integers(item_ids), strict=True))


def _integers(array: str | None) -> list[int]:
    """PostgreSQL's text form of an integer array, read: for a few thousand ids, much cheaper than adapting
    the array value by value (the same goes for `_integer_array`)."""
    return [int(number) for number in array[1:-1].split(",")] if array else []


def _integer_array(numbers) -> str:
    return "{" + ",".join(str(int(number)) for number in numbers) + "}"


def _holding(entries, words: list[str]):
    """`entries` holding every one of `words` in their title or their body.

    Wagtail's PostgreSQL backend matches `title || body` against the query: no index covers that expression, so
    on its own every search reads the whole index (about 0.7 s on 100,000 items). Each word in the title or the
    body is the same match (the words are single plain words, see `search_terms`), answered from the GIN index
    on each column in milliseconds.
    """
    from django.contrib.postgres.search import SearchQuery

    for word in words:
        entries = entries.filter(Q(title=SearchQuery(word)) | Q(body=SearchQuery(word)))
    return entries


def items_in_order(item_ids: list[int]) -> list:
    """The items `item_ids`, in that order, in one query (`newsroom.listing` reads what their entries show)."""
    from presscentre.newsroom.models import NewsItemPage

    found = {item.pk: item for item in NewsItemPage.objects.filter(pk__in=item_ids)}
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
