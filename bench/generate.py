"""Generate the benchmark archive: items with people, categories and comments on PostgreSQL.

    .venv/bin/python bench/generate.py                          # 100,000 items, 200,000 comments
    .venv/bin/python bench/generate.py --items 500000           # 500,000 items, 1,000,000 comments
    .venv/bin/python bench/generate.py --items 2000             # a small archive while developing

Each size has its own PostgreSQL database, so the sizes live side by side: `presscentre_bench_archive` for the
100,000 items, `presscentre_bench_archive_500k` for 500,000, `presscentre_bench_archive_2k` for 2,000 (never
`presscentre_bench`, which bench/lift_latency.py drops and recreates on every run). Comments default to two per
item. Idempotent: when the database already holds an archive of the requested size it does nothing; any other
content there is dropped and generated again. Everything is inserted in one transaction, so an interrupted run
leaves no half-made archive.

Fast because it does what Wagtail would do, in bulk: page rows with their treebeard paths computed up front
(the index's path plus a four-character step per child), written with PostgreSQL's COPY table by table down the
page type's inheritance chain, and the search index computed by PostgreSQL from the same text Wagtail's indexer
would use, so no page is read back. Items are built and written in batches of BATCH, so memory stays flat
whatever the size. On a 2-core machine: about two minutes for 100,000 items; 10 min 41 s for 500,000 (migrations
included, other work sharing the cores), at most 257 MB resident.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_DATABASE = "presscentre_bench_archive"  # the 100,000-item archive; other sizes: database_for()
DEFAULT_ITEMS = 100_000
BATCH = 10_000  # items built in Python and written by COPY at a time

CATEGORIES = 40
PEOPLE = 400
EMBARGOED_SHARE = 0.001  # a few items still under a future embargo, hidden as in real life
COMMENTED_SHARE = 0.3  # the share of items carrying the comments
STEP_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's alphabet in Wagtail, 4 characters a level

WORDS = (
    "economy budget housing climate energy health schools transport trade growth report minister council data "
    "survey policy reform prices wages pensions water rivers coast cities rural science research evidence tax "
    "jobs skills digital privacy justice courts prisons migration borders farming food markets banks inflation"
).split()


def out(line: str = "") -> None:
    print(line, flush=True)


def database_for(items: int) -> str:
    """The database holding an archive of `items` items: one per size, so a quick run keeps the large ones."""
    if items == DEFAULT_ITEMS:
        return DEFAULT_DATABASE
    label = f"{items // 1000}k" if items % 1000 == 0 else str(items)
    return f"{DEFAULT_DATABASE}_{label}"


def default_comments(items: int) -> int:
    return 2 * items


def marker(items: int, comments: int) -> str:
    return f"bench-archive-v2:{items}:{comments}"


def step(number: int) -> str:
    """The treebeard path step of the `number`-th child (1-based)."""
    digits = []
    for _ in range(4):
        number, digit = divmod(number, 36)
        digits.append(STEP_ALPHABET[digit])
    if number:
        raise ValueError("too many children for a four-character step")
    return "".join(reversed(digits))


def _vocabulary(size: int) -> list[str]:
    """Made-up words of two to four syllables, standing in for the long tail of a real archive's vocabulary."""
    rng = random.Random(1)  # noqa: S311 - fixed test data
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    found: set[str] = set()
    while len(found) < size:
        found.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    ordered = sorted(found)
    rng.shuffle(ordered)
    return ordered


VOCABULARY = _vocabulary(8000)
TOPIC_SHARE = 0.02  # one word in fifty is a topic word: a topic word then appears in about one item in ten


def words(rng: random.Random, count: int) -> str:
    """Text with a realistic spread: topic words are common, the rest follow a long-tailed (Zipf-like) curve,
    so a search for a topic word matches a minority of items, as in a real archive."""
    chosen = []
    for _ in range(count):
        if rng.random() < TOPIC_SHARE:
            chosen.append(rng.choice(WORDS))
        else:
            # A log-uniform rank gives Zipf's 1/rank curve: the commonest word is about 8% of the text.
            chosen.append(VOCABULARY[int(len(VOCABULARY) ** rng.random()) - 1])
    return " ".join(chosen)


# -- database ---------------------------------------------------------------------------------------------------


def has_archive(database: str, wanted: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/{database}", connect_timeout=5) as connection:
            row = connection.execute("SELECT 1 FROM wagtailcore_site WHERE site_name = %s", [wanted]).fetchone()
            return row is not None
    except psycopg.Error:
        return False


def recreate_and_migrate(database: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
    out(f"migrating {database} ...")
    subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": f"{PG_SERVER}/{database}"},
        check=True,
    )


def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def model_rows(model, objects, connection):
    """Each object's values for `model`'s own table, prepared as Django would save them."""
    fields = model._meta.local_concrete_fields
    columns = [field.column for field in fields]

    rows = ([field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] for obj in objects)
    return model._meta.db_table, columns, rows


def copy_pages(cursor, connection, objects) -> None:
    """Write page objects table by table, from wagtailcore_page down to each type's own table."""
    from wagtail.models import Page

    tables: dict[type, list] = {}
    for obj in objects:
        parents = [parent for parent in reversed(type(obj)._meta.get_parent_list()) if issubclass(parent, Page)]
        for level in [*parents, type(obj)]:
            tables.setdefault(level, []).append(obj)
    for level, group in tables.items():
        copy_rows(cursor, *model_rows(level, group, connection))


# -- content ----------------------------------------------------------------------------------------------------


def generate(items: int, comments: int, seed: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from wagtail.models import Page, Site

    from presscentre.newsroom.models import (
        ArticlePage,
        Category,
        ItemCategory,
        ItemPerson,
        MediaAppearancePage,
        Person,
        PressCentrePage,
        PressReleasePage,
        ReportPage,
    )

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.monotonic()

    with transaction.atomic():
        index = Page.get_first_root_node().add_child(
            instance=PressCentrePage(title="Bench Press Centre", slug="bench-press-centre")
        )
        site = Site.objects.get(is_default_site=True)
        site.root_page, site.site_name = index, marker(items, comments)
        site.save()

        categories = Category.objects.bulk_create(
            Category(name=f"{word.title()} {n}", slug=f"{word}-{n}", description=words(rng, 20))
            for n, word in ((n, WORDS[n % len(WORDS)]) for n in range(CATEGORIES))
        )
        people = Person.objects.bulk_create(
            Person(
                name=f"Fellow {n:03d}", slug=f"fellow-{n:03d}", role="Senior Fellow", available_for_comment=n % 3 == 0
            )
            for n in range(PEOPLE)
        )
        out(f"{len(categories)} categories, {len(people)} people")

        types = [PressReleasePage] * 10 + [ArticlePage] * 5 + [ReportPage] * 3 + [MediaAppearancePage] * 2
        content_types = {model: ContentType.objects.get_for_model(model).pk for model in set(types)}
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM wagtailcore_page")
            first_id = cursor.fetchone()[0] + 1
        commented: list[tuple[int, datetime]] = []  # (id, published) of the items open to comments
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # psycopg's own cursor, for COPY
            cursor.execute(
                "CREATE TEMP TABLE bench_search (content_type_id int, object_id text, title text, body text) "
                "ON COMMIT DROP"
            )
            for first in range(1, items + 1, BATCH):
                pages, category_links, person_links, search_rows = [], [], [], []
                for number in range(first, min(first + BATCH, items + 1)):
                    page = build_item(rng, number, now, index, first_id, types, content_types)
                    page_categories = rng.sample(categories, rng.choice((1, 1, 2)))
                    author = people[rng.randrange(PEOPLE)]
                    category_links += [(page.id, category.pk, n) for n, category in enumerate(page_categories)]
                    person_links.append((page.id, author.pk, 0))
                    if page.comments_open and page.embargo_until is None:
                        commented.append((page.id, page.published_at))
                    pages.append(page)
                    names = [category.name for category in page_categories] + [author.name]
                    search_rows.append((page.content_type_id, str(page.id), page.title, searchable_text(page, names)))
                copy_pages(cursor, connection, pages)
                copy_rows(cursor, ItemCategory._meta.db_table, ["item_id", "category_id", "sort_order"], category_links)
                copy_rows(cursor, ItemPerson._meta.db_table, ["item_id", "person_id", "sort_order"], person_links)
                copy_rows(cursor, "bench_search", ["content_type_id", "object_id", "title", "body"], search_rows)
                done = first + len(pages) - 1
                if done % 50_000 == 0 or done == items:
                    out(f"{done} items written ({time.monotonic() - started:.0f} s)")
            written = copy_rows(cursor, "comments_comment", COMMENT_COLUMNS, comment_rows(rng, commented, comments))
            wrapper.execute("UPDATE wagtailcore_page SET numchild = %s WHERE id = %s", [items, index.pk])
            wrapper.execute(
                "SELECT setval(pg_get_serial_sequence('wagtailcore_page', 'id'), "
                "(SELECT max(id) FROM wagtailcore_page))"
            )
            out(f"{written} comments written ({time.monotonic() - started:.0f} s)")
            build_search_index(cursor)
        out(f"search index built ({time.monotonic() - started:.0f} s)")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out(f"done in {time.monotonic() - started:.0f} s")


def build_item(rng: random.Random, number: int, now: datetime, index, first_id: int, types, content_types):
    """The `number`-th item (1 is the newest), a page object ready for COPY: Wagtail's fields as add_child and
    publishing would set them, one published item every 79 minutes back in time."""
    model = rng.choice(types)
    published = now - timedelta(minutes=number * 79)  # about fifteen years for 100,000 items
    slug = f"item-{number:06d}"
    title = f"{words(rng, 6).capitalize()} ({number})"
    embargoed = rng.random() < EMBARGOED_SHARE
    page = model(
        id=first_id + number - 1,
        title=title,
        draft_title=title,
        slug=slug,
        path=index.path + step(number),
        depth=index.depth + 1,
        numchild=0,
        url_path=f"{index.url_path}{slug}/",
        content_type_id=content_types[model],
        locale_id=index.locale_id,
        translation_key=uuid.uuid4(),
        live=True,
        has_unpublished_changes=False,
        first_published_at=published,
        last_published_at=published,
        published_at=published,
        summary=words(rng, 30).capitalize() + ".",
        body=[
            {"type": "paragraph", "value": f"<p>{words(rng, 60).capitalize()}.</p>", "id": str(uuid.uuid4())}
            for _ in range(3)
        ],
        comments_open=rng.random() < COMMENTED_SHARE,
        embargo_until=now + timedelta(days=rng.randint(1, 30)) if embargoed else None,
    )
    for field in model._meta.concrete_fields:
        if field.remote_field is not None and field.remote_field.parent_link:
            setattr(page, field.attname, page.id)  # save() would fill these; the indexer keys on pk
    if model.__name__ == "PressReleasePage":
        page.lead, page.dateline_place = words(rng, 40).capitalize() + ".", "LONDON"
    return page


def build_search_index(cursor) -> None:
    """Wagtail's database search index for PostgreSQL, as its indexer would fill it, computed by PostgreSQL from
    the rows copied into bench_search: the title (weight B, stemmed), the title for autocomplete (unstemmed) and
    the rest of the text (weight D)."""
    cursor.execute(
        "INSERT INTO wagtailsearch_indexentry "
        "(content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text) "
        "SELECT content_type_id, object_id, setweight(to_tsvector(title), 'B'), "
        "setweight(to_tsvector('simple', title), 'D'), setweight(to_tsvector(body), 'D'), 1.0, title, body "
        "FROM bench_search"
    )


def searchable_text(page, names: list[str]) -> str:
    """The text Wagtail's indexer gathers from an item: its fields, then its categories' and people's names."""
    parts = [page.summary, *(block["value"] for block in page.body.raw_data), *names]
    parts += [getattr(page, name, "") for name in ("subheadline", "lead")]
    return " ".join(part for part in parts if part)


COMMENT_COLUMNS = [
    "item_id",
    "kind",
    "status",
    "author_name",
    "author_email",
    "author_url",
    "body",
    "created_at",
    "approved_at",
    "user_agent",
]


def comment_rows(rng: random.Random, items: list[tuple[int, datetime]], count: int):
    """`count` comments over the commented items (id, published), a few items drawing many (as popular releases
    do)."""
    if not items:
        return
    for number in range(count):
        item_id, published = items[int(len(items) * rng.random() ** 2)]  # skewed towards the newest items
        created = published + timedelta(minutes=rng.randint(5, 60 * 24 * 20))
        approved = rng.random() < 0.9
        yield (
            item_id,
            "comment",
            "approved" if approved else "pending",
            f"Reader {number % 5000}",
            f"reader{number % 5000}@example.com",
            "",
            words(rng, 25).capitalize() + ".",
            created,
            created + timedelta(hours=1) if approved else None,
            "",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=DEFAULT_ITEMS, help="items to generate (default 100,000)")
    parser.add_argument("--comments", type=int, help="comments to generate (default two per item)")
    parser.add_argument(
        "--database", help=f"PostgreSQL database (default {DEFAULT_DATABASE}, with the size for other sizes)"
    )
    parser.add_argument("--seed", type=int, default=8, help="random seed: the same seed gives the same archive")
    args = parser.parse_args()
    if args.comments is None:
        args.comments = default_comments(args.items)
    args.database = args.database or database_for(args.items)
    if not 1 <= args.items <= 1_600_000 or args.comments < 0:
        parser.error("--items must be between 1 and 1,600,000 and --comments at least 0")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        parser.error("--database: lower-case letters, digits and underscores only")

    wanted = marker(args.items, args.comments)
    if has_archive(args.database, wanted):
        out(f"{args.database} already holds {args.items} items and {args.comments} comments: nothing to do")
        return 0
    recreate_and_migrate(args.database)

    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presscentre.settings")
    sys.path.insert(0, str(REPO))
    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    generate(args.items, args.comments, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
