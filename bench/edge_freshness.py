"""Edge freshness: how soon after a change does a reader see it through Varnish, and how often does Varnish answer?

Runs the production-like stack (gunicorn, the django-tasks database worker and the embargo sweep, PostgreSQL,
Redis, DEBUG off) behind Varnish with the deployment's VCL, builds a small press centre, and makes four changes
the way the product makes them: publish a media appearance with a recording, edit a published item's title and
publish, lift an embargo, approve a held comment. Around each change it polls the index, a category and a person
archive, every kind of feed, both sitemaps, the API list, a document and the item itself through Varnish every
50 ms, each request on a fresh connection as a reader's would be, and reports the seconds from the change's
commit (or the embargo instant) to the first answer that shows it. Then a minute of mixed reading while a change
is made every 10 s gives Varnish's hit ratio. Exits 1 when a change took longer than the target anywhere, an
embargoed item showed early, or the hit ratio is under its target.

    .venv/bin/python bench/edge_freshness.py      # or: make bench

Everything it creates is thrown away at the end: the PostgreSQL database presscentre_bench_edge, Redis database
11, a temporary folder for media, static files, Varnish's working folder and process logs (kept, and named, when
the run fails). Ports are picked free at run time; traffic goes only to 127.0.0.1.
"""

import argparse
import html
import random
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (  # noqa: E402 - bench/ is not a package; its helper sits beside this script
    REPO,
    Response,
    Stack,
    free_port,
    get,
    machine_description,
    out,
    prepare_database,
    press_centre_site,
    run_guarded,
    stack_environment,
    start_app,
    start_varnish,
    varnish_counters,
    wait_for_health,
)

RESULTS_FILE = REPO / "bench" / "results" / "edge_freshness.md"
DB_NAME = "presscentre_bench_edge"
REDIS_URL = "redis://127.0.0.1:6379/11"

TARGET_SECONDS = 1.0  # every change visible at every URL that shows it, through Varnish
HIT_RATIO_TARGET = 0.95  # Varnish hits / (hits + misses) during the mixed load
POLL_INTERVAL = 0.05  # seconds between requests to one URL
LIFT_POLL_BEFORE = 1.0  # poll this long before an embargo instant, to catch anything showing early
RUN_LIMIT = 240  # seconds: the whole run, setup and teardown included, is cut off after this

COUNTERS = ["MAIN.cache_hit", "MAIN.cache_miss", "MAIN.cache_hitmiss", "MAIN.cache_hitpass", "MAIN.s_pass"]


# -- what is watched --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    label: str
    path: str
    kind: str  # listing, feed, sitemap, api, document, item: decides what each change must show there


@dataclass
class Content:
    """What the setup built; paths are relative to the site root."""

    category: str  # slug of the category every watched change is filed under
    person: str  # slug of the person named on every watched change
    other_category: str
    edited_pk: int  # a media appearance with a recording, filed under `category` and `person`
    commented_pk: int  # an article open for comments, with no approved comment yet
    commented_path: str
    held_comments: list[int]  # held comments on the commented article: the first for the event, the rest for load
    document_path: str  # a public report's PDF
    item_paths: list[str] = field(default_factory=list)

    def urls(self) -> list[Url]:
        category, person = f"/category/{self.category}/", f"/author/{self.person}/"
        return [
            Url("index", "/", "listing"),
            Url("category archive", category, "listing"),
            Url("person archive", person, "listing"),
            Url("feed: site RSS", "/feed/", "feed"),
            Url("feed: site Atom", "/feed/atom/", "feed"),
            Url("feed: site JSON", "/feed/json/", "feed"),
            Url("feed: one type", "/feed/?type=media-appearance", "feed"),
            Url("feed: podcast", "/feed/podcast/", "feed"),
            Url("feed: category", f"{category}feed/", "feed"),
            Url("feed: person", f"{person}feed/", "feed"),
            Url("feed: comments", "/comments/feed/", "comments-feed"),
            Url("feed: one item's comments", f"/comments/feed/{self.commented_pk}/", "comments-feed"),
            # A small site: every item is on the first items page of the sitemap index.
            Url("sitemap (items page)", "/sitemap-items-0.xml", "sitemap"),
            Url("news sitemap", "/news-sitemap.xml", "news-sitemap"),
            Url("API list", "/api/v2/pages/", "api"),
            Url("document (a public report's PDF)", self.document_path, "document"),
        ]


Check = Callable[[Response], bool]


def shows_text(text: str) -> Check:
    """The answer is a 200 whose body (HTML, XML or JSON, entities decoded) contains `text`."""
    return lambda response: response.status == 200 and text in html.unescape(response.text)


def is_public(response: Response) -> bool:
    return response.status == 200


def sitemap_lastmod_changed(before: Response, path: str) -> Check:
    """The sitemap entry for `path` carries another <lastmod> than it did before the change."""

    def lastmod(response: Response) -> str | None:
        found = re.search(rf"<loc>[^<]*{re.escape(path)}</loc>\s*<lastmod>([^<]+)</lastmod>", response.text)
        return found.group(1) if found else None

    old = lastmod(before)
    if old is None:
        raise RuntimeError(f"the sitemap does not list {path} before the edit")
    return lambda response: response.status == 200 and lastmod(response) not in (None, old)


# -- polling ----------------------------------------------------------------------------------------------------


@dataclass
class Watch:
    """Polling one URL for one change."""

    url: Url
    check: Check | None  # None: the change does not show at this URL ("n/a")
    edge_before: str = ""  # X-Cache of the second of two warming requests: "hit" when Varnish held a copy
    polls: int = 0
    shown_at: float | None = None  # epoch seconds the first answer showing the change was received
    shown_cache: str = ""
    early: int = 0  # answers showing the change received before the embargo instant
    last: Response | None = None
    statuses: Counter = field(default_factory=Counter)

    def poll(self, port: int, event: "Event", stop_at: Callable[[], float]) -> None:
        next_at = time.time()
        while time.time() < stop_at():
            response = get(port, self.url.path)
            received = time.time()
            self.polls += 1
            self.statuses[response.status] += 1
            self.last = response
            if self.check(response):
                if event.instant is not None and received < event.instant:
                    self.early += 1
                else:
                    self.shown_at, self.shown_cache = received, response.headers.get("x-cache", "")
                    return
            next_at = max(next_at + POLL_INTERVAL, received)
            time.sleep(max(0.0, next_at - time.time()))


@dataclass
class Event:
    name: str
    why: str  # which URLs must show it, and why the others are n/a
    watches: list[Watch]
    zero: float | None = None  # commit time or embargo instant: what the seconds count from
    instant: float | None = None  # an embargo instant: nothing may show the change before it
    notes: list[str] = field(default_factory=list)

    def seconds(self, watch: Watch) -> float | None:
        return None if watch.shown_at is None else watch.shown_at - self.zero


def warm(port: int, urls: list[Url]) -> dict[str, Response]:
    """Request every URL twice, so Varnish holds each cacheable one; the second answers, by path."""
    seen = {}
    for url in urls:
        first = get(port, url.path)
        if first.status != 200:
            raise RuntimeError(f"{url.label} ({url.path}) answered {first.status} while warming")
        seen[url.path] = get(port, url.path)
    return seen


def watch_event(
    port: int, event: Event, before: dict[str, Response], change: Callable[[], float], *, give_up: float
) -> None:
    """Poll every URL the change shows at, from just before `change()` until each shows it or `give_up` passes.

    `change` makes the change and returns the time to count from (its commit, or the embargo instant).
    """
    for watch in event.watches:
        if watch.check is None:
            continue
        previous = before.get(watch.url.path)
        if previous is not None:
            watch.edge_before = previous.headers.get("x-cache", "")
            if watch.check(previous):
                raise RuntimeError(f"{event.name}: {watch.url.label} shows the change before it was made")
    polled = [watch for watch in event.watches if watch.check is not None]

    def stop_at() -> float:
        return float("inf") if event.zero is None else event.zero + give_up

    threads = [threading.Thread(target=watch.poll, args=(port, event, stop_at), daemon=True) for watch in polled]
    for thread in threads:
        thread.start()
    event.zero = change()
    for thread in threads:
        thread.join(timeout=max(0.0, event.zero + give_up - time.time()) + 5.0)


# -- content and changes ----------------------------------------------------------------------------------------


def at_commit(action: Callable[[], object]) -> float:
    """Run `action` in a transaction and return the moment it committed.

    The timestamp is the first of the transaction's on-commit callbacks, so it runs before anything the product
    itself does after the commit (purges among them).
    """
    from django.db import transaction

    stamps = []
    with transaction.atomic():
        transaction.on_commit(lambda: stamps.append(time.time()))
        action()
    return stamps[0]


def make_document(title: str, filename: str, data: bytes):
    import hashlib

    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model()(title=title, file=ContentFile(data, name=filename))
    document.file_size = len(data)
    document.file_hash = hashlib.sha1(data).hexdigest()  # noqa: S324 - Wagtail's own file fingerprint
    document.save()
    return document


def small_pdf(text: str) -> bytes:
    """A one-page PDF: the document's text is read for the search index, so it must be a real one."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def draft_item(model, *, index, title: str, slug: str, categories, people, published_at, **fields):
    """An item saved as a draft with its category and person, as an editor saves one before publishing."""
    from presscentre.newsroom.models import ItemCategory, ItemPerson

    page = model(title=title, slug=slug, published_at=published_at, **fields)
    page.live = False
    page.category_links = [ItemCategory(category=category, sort_order=n) for n, category in enumerate(categories)]
    page.person_links = [ItemPerson(person=person, sort_order=n) for n, person in enumerate(people)]
    index.add_child(instance=page)
    return page


def recording_fields(name: str) -> dict:
    data = b"ID3" + secrets.token_bytes(2048)  # the feed reads the size and type, never plays it
    return {
        "outlet": "Radio Bench",
        "programme": "The Morning Programme",
        "recording": make_document(f"Recording: {name}", f"{name}.mp3", data),
    }


def build_content(*, varnish_port: int) -> Content:
    """A press centre as the site root with two categories, two people and items of every type, all published
    as the admin publishes them; a report with a PDF, media appearances with recordings, an article open for
    comments holding three comments for moderation."""
    from django.utils import timezone

    from presscentre.comments.models import Comment
    from presscentre.newsroom.models import (
        ArticlePage,
        Category,
        MediaAppearancePage,
        Person,
        PressCentrePage,
        PressReleasePage,
        ReportDocument,
        ReportPage,
    )

    index, site = press_centre_site("Edge Bench Press Centre", "edge-bench", port=varnish_port, site_name="Edge bench")

    energy = Category.objects.create(name="Energy", slug="energy")
    housing = Category.objects.create(name="Housing", slug="housing")
    ada = Person.objects.create(name="Ada Bench", slug="ada-bench", role="Senior Fellow")
    ben = Person.objects.create(name="Ben Marks", slug="ben-marks", role="Economist")
    now = timezone.now()

    def published(model, n: int, title: str, slug: str, categories, people, **fields):
        page = draft_item(
            model, index=index, title=title, slug=slug, categories=categories, people=people,
            published_at=now - timedelta(hours=n), **fields,
        )  # fmt: skip
        page.save_revision().publish()
        return page

    pdf = make_document("Counting the Cost", "counting-the-cost.pdf", small_pdf("Counting the Cost"))
    report = published(
        ReportPage, 6, "Counting the cost of heat", "counting-the-cost", [housing], [ben],
        report_title="Counting the Cost", report_summary="<p>The report in brief.</p>",
        document_links=[ReportDocument(document=pdf, sort_order=0)],
    )  # fmt: skip
    published(
        PressReleasePage, 5, "Budgets under strain", "budgets-under-strain", [energy], [ada],
        lead="The institute today published new figures on household budgets.",
    )  # fmt: skip
    published(
        PressReleasePage, 4, "Rents rise again", "rents-rise-again", [housing], [ben],
        lead="Rents rose for the ninth quarter in a row.",
    )  # fmt: skip
    published(
        MediaAppearancePage, 3, "Talking tariffs on the radio", "talking-tariffs", [energy], [ada, ben],
        **recording_fields("talking-tariffs"),
    )  # fmt: skip
    edited = published(
        MediaAppearancePage, 2, "Morning interview on energy bills", "morning-interview", [energy], [ada],
        **recording_fields("morning-interview"),
    )  # fmt: skip
    commented = published(
        ArticlePage, 1, "What the grid needs next", "what-the-grid-needs", [energy], [ada],
        comments_open=True, original_outlet="The Daily Ledger",
    )  # fmt: skip
    held = [
        Comment.objects.create(
            item=commented, author_name=f"Reader {n}", author_email=f"reader{n}@example.org",
            body=f"Held reader comment {secrets.token_hex(5)}", created_at=now,
        ).pk
        for n in range(8)
    ]  # fmt: skip
    items = PressCentrePage.objects.get(pk=index.pk).get_children().live()
    return Content(
        category=energy.slug,
        person=ada.slug,
        other_category=housing.slug,
        edited_pk=edited.pk,
        commented_pk=commented.pk,
        commented_path=commented.relative_url(site),
        held_comments=held,
        document_path=report.documents[0].url,
        item_paths=[page.relative_url(site) for page in items],
    )


class Changes:
    """The changes, made as the product makes them: Wagtail revisions published as the admin publishes them, and
    the comments app's moderation service as its admin screens call it."""

    def __init__(self, content: Content) -> None:
        from presscentre.newsroom.models import Category, Person, PressCentrePage

        self.content = content
        self.index = PressCentrePage.objects.get(slug="edge-bench")
        self.category = Category.objects.get(slug=content.category)
        self.other_category = Category.objects.get(slug=content.other_category)
        self.person = Person.objects.get(slug=content.person)
        self.comments = list(content.held_comments)
        self.edits = 0

    def publish_appearance(self, name: str, *, embargo_until: datetime | None = None):
        """A new media appearance with a recording, filed under the watched category and person; returns the page
        and the moment its publication committed."""
        from django.utils import timezone

        from presscentre.newsroom.models import MediaAppearancePage

        page = draft_item(
            MediaAppearancePage, index=self.index, title=f"Appearance {name}", slug=name,
            categories=[self.category], people=[self.person], published_at=embargo_until or timezone.now(),
            embargo_until=embargo_until, **recording_fields(name),
        )  # fmt: skip
        revision = page.save_revision()
        return page, at_commit(revision.publish)

    def publish_release(self, name: str) -> str:
        """A new press release in the other category; returns its path once its publication has committed."""
        from django.utils import timezone

        from presscentre.newsroom.models import PressReleasePage

        page = draft_item(
            PressReleasePage, index=self.index, title=f"Release {name}", slug=name,
            categories=[self.other_category], people=[], published_at=timezone.now(), lead="Published under load.",
        )  # fmt: skip
        at_commit(page.save_revision().publish)
        return f"/{name}/"

    def edit_title(self, pk: int, title: str) -> float:
        from wagtail.models import Page

        page = Page.objects.get(pk=pk).specific.get_latest_revision_as_object()
        page.title = title
        revision = page.save_revision()
        return at_commit(revision.publish)

    def approve_next_comment(self) -> tuple[str, float]:
        from django.utils import timezone

        from presscentre.comments.models import Comment
        from presscentre.comments.moderation import set_comments_status

        pk = self.comments.pop(0)
        body = Comment.objects.get(pk=pk).body
        committed = at_commit(
            lambda: set_comments_status(Comment.objects.filter(pk=pk), Comment.Status.APPROVED, at=timezone.now())
        )
        return body, committed


# -- the four events --------------------------------------------------------------------------------------------


def expectations(urls: list[Url], rule: Callable[[Url], Check | None]) -> list[Watch]:
    return [Watch(url, rule(url)) for url in urls]


def publish_event(port: int, content: Content, changes: Changes, *, give_up: float) -> Event:
    urls = content.urls()
    before = warm(port, urls)
    name = f"edge-publish-{secrets.token_hex(4)}"
    item = Url("the item's own page", f"/{name}/", "item")
    watches = expectations(
        urls, lambda url: shows_text(f"/{name}/") if url.kind in ("listing", "feed", "sitemap", "news-sitemap", "api")
        else None
    )  # fmt: skip
    watches.append(Watch(item, shows_text(f"Appearance {name}")))
    event = Event(
        "Publish",
        "A new media appearance with a recording, filed under the watched category and person, published now. "
        "Its URL must appear in every listing, every item feed (the podcast's too: it has a recording), both "
        "sitemaps and the API list, and its own page must answer. The comment feeds and the document do not show it.",
        watches,
    )
    watch_event(port, event, before, lambda: changes.publish_appearance(name)[1], give_up=give_up)
    return event


def edit_event(port: int, content: Content, changes: Changes, *, give_up: float) -> Event:
    urls = content.urls()
    before = warm(port, urls)
    item_path = next(path for path in content.item_paths if path.endswith("/morning-interview/"))
    title = f"Morning interview revised {secrets.token_hex(4)}"

    def rule(url: Url) -> Check | None:
        if url.kind in ("listing", "feed", "news-sitemap", "api"):
            return shows_text(title)
        if url.kind == "sitemap":
            return sitemap_lastmod_changed(before[url.path], item_path)
        return None

    watches = expectations(urls, rule)
    item_before = warm(port, [Url("the item's own page", item_path, "item")])
    watches.append(Watch(Url("the item's own page", item_path, "item"), shows_text(title)))
    event = Event(
        "Edit",
        "A published media appearance (watched category and person, with a recording, two hours old) gets a new "
        "title and is published again. The new title must show in every listing, every item feed, the news "
        "sitemap (which names titles), the API list and the item's page; the sitemap must carry the item's new "
        "<lastmod>. The item has no comments, so the comment feeds do not name it; the document is another item's.",
        watches,
    )
    watch_event(
        port, event, before | item_before, lambda: changes.edit_title(content.edited_pk, title), give_up=give_up
    )
    return event


def lift_event(port: int, content: Content, changes: Changes, *, give_up: float, lead: float) -> Event:
    from presscentre.newsroom.models import NewsItemPage

    urls = content.urls()
    name = f"edge-lift-{secrets.token_hex(4)}"
    instant = datetime.fromtimestamp(int(time.time() + lead) + 1, UTC)  # a whole second, as an editor sets it
    page, _ = changes.publish_appearance(name, embargo_until=instant)
    recording = Url("the item's recording (a document)", page.recording.url, "document")
    watches = expectations(
        urls, lambda url: shows_text(f"/{name}/") if url.kind in ("listing", "feed", "sitemap", "news-sitemap", "api")
        else None
    )  # fmt: skip
    watches += [
        Watch(Url("the item's own page", f"/{name}/", "item"), shows_text(f"Appearance {name}")),
        Watch(recording, is_public),
    ]
    event = Event(
        "Embargo lift",
        "A media appearance with a recording, watched category and person, published with an embargo a few "
        "seconds ahead; seconds count from the embargo instant. Its URL must appear where a published item's "
        "does, its page and its recording must answer 200. Anything showing it before the instant is a leak.",
        watches,
        instant=instant.timestamp(),
    )
    # Warmed after publishing: the embargoed item's publication may have purged pages, which must be back in
    # Varnish (without the item) when the instant comes.
    before = warm(port, urls)
    margin = instant.timestamp() - LIFT_POLL_BEFORE - time.time()
    if margin < 0.2:
        raise RuntimeError(f"publishing and warming took too long (instant {margin:.1f} s away); raise --lead")

    def wait_for_instant() -> float:
        time.sleep(max(0.0, instant.timestamp() - time.time()))
        return instant.timestamp()

    # Pollers start now, about LIFT_POLL_BEFORE ahead of the instant, and count from the instant.
    time.sleep(max(0.0, instant.timestamp() - LIFT_POLL_BEFORE - time.time()))
    watch_event(port, event, before, wait_for_instant, give_up=give_up)
    lifted = NewsItemPage.objects.get(pk=page.pk).embargo_lifted_at
    event.notes.append(
        "Lift recorded (`embargo_lifted_at`) "
        + (f"{(lifted - instant).total_seconds():.2f} s after the instant." if lifted else "never (not lifted).")
    )
    return event


def approve_event(port: int, content: Content, changes: Changes, *, give_up: float) -> Event:
    from presscentre.comments.models import Comment

    urls = content.urls()
    item = Url("the item's own page", content.commented_path, "item")
    before = warm(port, [*urls, item])
    body = Comment.objects.get(pk=changes.comments[0]).body
    # A listing entry reads "Leave a comment" until the item's first approved comment, then "1 Comment".
    count = re.compile(rf'href="[^"]*{re.escape(content.commented_path)}#comments">1 Comment<')

    def rule(url: Url) -> Check | None:
        if url.kind == "comments-feed":
            return shows_text(body)
        if url.kind == "listing":
            return lambda response: response.status == 200 and bool(count.search(response.text))
        return None

    watches = [*expectations(urls, rule), Watch(item, shows_text(body))]
    event = Event(
        "Comment approval",
        "A held comment on an article (watched category and person) with no approved comment yet is approved "
        "through the moderation service the admin's approve action calls. Its text must show on the article's "
        'page and in both comment feeds; the listings\' entry for the article must change from "Leave a comment" '
        'to "1 Comment". Item feeds, sitemaps, the API and the document show no comments or counts.',
        watches,
    )
    watch_event(port, event, before, lambda: changes.approve_next_comment()[1], give_up=give_up)
    return event


# -- mixed load -------------------------------------------------------------------------------------------------

# What readers ask for, and how often: item pages most, then the home page, feeds polled by readers' apps, the
# archives, and now and then a sitemap, the API or a document.
LOAD_WEIGHTS = {
    "item": 45,
    "index": 15,
    "category archive": 5,
    "person archive": 3,
    "feed: site RSS": 6,
    "feed: site Atom": 2,
    "feed: site JSON": 1,
    "feed: one type": 1,
    "feed: podcast": 3,
    "feed: category": 2,
    "feed: person": 1,
    "feed: comments": 1,
    "feed: one item's comments": 1,
    "sitemap": 2,
    "news sitemap": 2,
    "API list": 3,
    "document (a public report's PDF)": 4,
}


@dataclass
class Load:
    seconds: float
    readers: int
    changes: list[str] = field(default_factory=list)
    counters_before: dict[str, int] = field(default_factory=dict)
    counters_after: dict[str, int] = field(default_factory=dict)
    by_group: dict[str, Counter] = field(default_factory=dict)  # group -> Counter of hit/miss/other/errors

    def delta(self, name: str) -> int:
        return self.counters_after[name] - self.counters_before[name]

    @property
    def requests(self) -> int:
        return sum(sum(counts.values()) for counts in self.by_group.values())

    @property
    def hit_ratio(self) -> float | None:
        hits, misses = self.delta("MAIN.cache_hit"), self.delta("MAIN.cache_miss")
        return hits / (hits + misses) if hits + misses else None


def mixed_load(
    port: int, workdir: Path, content: Content, changes: Changes, *, seconds: float, readers: int, every: float
) -> Load:
    urls = {url.label: url.path for url in content.urls()}
    items = list(content.item_paths)
    groups = list(LOAD_WEIGHTS)
    weights = [LOAD_WEIGHTS[group] for group in groups]
    load = Load(seconds=seconds, readers=readers, by_group={group: Counter() for group in groups})
    lock = threading.Lock()
    warm(port, [Url(label, path, "") for label, path in urls.items()])
    warm(port, [Url("item", path, "item") for path in items])
    stop = threading.Event()

    def read(seed: int) -> None:
        chooser = random.Random(seed)  # noqa: S311 - a mix of pages, not a secret
        while not stop.is_set():
            group = chooser.choices(groups, weights)[0]
            with lock:
                path = chooser.choice(items) if group == "item" else urls[group]
            response = get(port, path)
            outcome = response.headers.get("x-cache", "other") if response.status == 200 else "error"
            with lock:
                load.by_group[group][outcome] += 1

    load.counters_before = varnish_counters(workdir, COUNTERS)
    threads = [threading.Thread(target=read, args=(seed,), daemon=True) for seed in range(readers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    made = 0
    while (next_change := started + every * (made + 1)) < started + seconds:
        time.sleep(max(0.0, next_change - time.monotonic()))
        kind = ("publish", "edit", "approve")[made % 3]
        tag = secrets.token_hex(3)
        if kind == "publish":
            path = changes.publish_release(f"load-release-{tag}")
            with lock:
                items.append(path)  # readers follow the new release from the home page and the feeds
        elif kind == "edit":
            pk = changes.content.edited_pk if made % 2 else changes.content.commented_pk
            changes.edit_title(pk, f"Edited under load {tag}")
        else:
            changes.approve_next_comment()
        load.changes.append(kind)
        made += 1
    time.sleep(max(0.0, started + seconds - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    load.counters_after = varnish_counters(workdir, COUNTERS)
    return load


# -- report -----------------------------------------------------------------------------------------------------


def seconds_cell(event: Event, watch: Watch, give_up: float) -> str:
    if watch.check is None:
        return "n/a"
    seconds = event.seconds(watch)
    if seconds is None:
        return f"not within {give_up:.0f}"
    return f"{max(seconds, 0.0):.2f}"


def event_table(event: Event, give_up: float) -> tuple[str, bool]:
    rows = [
        f"### {event.name}",
        "",
        event.why,
        "",
        "| URL | seconds until visible | edge copy before | answer that showed it | polls |",
        "| --- | ---: | --- | --- | ---: |",
    ]
    passed = True
    for watch in event.watches:
        cell = seconds_cell(event, watch, give_up)
        if watch.check is None:
            rows.append(f"| {watch.url.label} (`{watch.url.path}`) | n/a | | | |")
            continue
        seconds = event.seconds(watch)
        if seconds is None or seconds > TARGET_SECONDS or watch.early:
            passed = False
            cell = f"**{cell}**"
        if watch.early:
            cell += f" ({watch.early} early!)"
        showed = watch.shown_cache or (
            f"still {watch.last.headers.get('x-cache', watch.last.status)}, Age {watch.last.headers.get('age', '-')}"
            if watch.last
            else ""
        )
        rows.append(
            f"| {watch.url.label} (`{watch.url.path}`) | {cell} | {watch.edge_before or '-'} | {showed} "
            f"| {watch.polls} |"
        )
    polled = [watch for watch in event.watches if watch.check is not None]
    seen = [event.seconds(watch) for watch in polled if watch.shown_at is not None]
    summary = (
        f"Visible at {len(seen)} of {len(polled)} URLs"
        + (f", the slowest after {max(seen):.2f} s" if seen else "")
        + f". Target: all within {TARGET_SECONDS:.1f} s"
        + (", nothing before the instant" if event.instant else "")
        + f": **{'PASS' if passed else 'FAIL'}**"
    )
    return "\n".join([*rows, "", *event.notes, summary]) + "\n", passed


def load_table(load: Load) -> tuple[str, bool]:
    ratio = load.hit_ratio
    passed = ratio is not None and ratio >= HIT_RATIO_TARGET
    # The ratio rises with the request rate; the misses each change causes do not, and show how much it purged.
    per_change = f"{load.delta('MAIN.cache_miss') / len(load.changes):.1f}" if load.changes else "-"
    rows = [
        "### Hit ratio under mixed load",
        "",
        f"{load.readers} readers for {load.seconds:.0f} s (a fresh connection per request), changes made: "
        f"{', '.join(load.changes) or 'none'}.",
        "",
        "| Varnish counter (delta over the load) | value |",
        "| --- | ---: |",
        *(f"| `{name}` | {load.delta(name):,} |" for name in COUNTERS),
        f"| **hit ratio** (hits / (hits + misses)) | **{'-' if ratio is None else f'{ratio:.1%}'}** |",
        f"| requests per second through Varnish | {load.requests / load.seconds:,.0f} |",
        f"| misses per change (what each change cost the edge) | {per_change} |",
        "",
        "By what was read (from the `X-Cache` header the VCL adds):",
        "",
        "| requested | share of mix | requests | hit | miss | errors | hit ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total_weight = sum(LOAD_WEIGHTS.values())
    for group, counts in load.by_group.items():
        hits, misses, errors = counts["hit"], counts["miss"], counts["error"]
        requests = sum(counts.values())
        share = f"{hits / (hits + misses):.0%}" if hits + misses else "-"
        rows.append(
            f"| {group} | {LOAD_WEIGHTS[group] / total_weight:.0%} | {requests:,} | {hits:,} | {misses:,} "
            f"| {errors:,} | {share} |"
        )
    errors = sum(counts["error"] for counts in load.by_group.values())
    if errors:
        passed = False
    rows += [
        "",
        f"Target: hit ratio ≥ {HIT_RATIO_TARGET:.0%}, no errors: **{'PASS' if passed else 'FAIL'}**",
    ]
    return "\n".join(rows) + "\n", passed


def headers_table(port: int, content: Content) -> str:
    """What each watched URL tells Varnish about keeping it: what decides how long a stale copy can live."""
    rows = [
        "### Caching headers of the watched URLs (second of two requests, before the changes)",
        "",
        "| URL | Cache-Control | X-Cache | Age |",
        "| --- | --- | --- | ---: |",
    ]
    for url in content.urls():
        get(port, url.path)
        response = get(port, url.path)
        headers = response.headers
        rows.append(
            f"| {url.label} | `{headers.get('cache-control', '(none)')}` | {headers.get('x-cache', '-')} "
            f"| {headers.get('age', '-')} |"
        )
    return "\n".join(rows) + "\n"


def write_results(body: str, *, machine: str, started: datetime, commit: str) -> None:
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(
        "# Edge freshness\n\n"
        f"Run {started:%Y-%m-%d %H:%M} UTC on {machine}, code at commit {commit}.\n\n"
        "Stack: Varnish (`deploy/varnish/presscentre.vcl`) in front of gunicorn (2 workers × 4 threads), "
        "`run_worker --interval 1`, `lift_due_embargoes --every 1`; PostgreSQL, Redis, `DEBUG=false`. Every "
        f"URL polled through Varnish every {POLL_INTERVAL * 1000:.0f} ms on a fresh connection; seconds count "
        "from the change's commit (the embargo instant for the lift) to the first answer received that shows it. "
        "See bench/README.md.\n\n"
        f"{body}"
    )


def current_commit() -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        return "unknown (not a git checkout)"
    dirty = subprocess.run(  # noqa: S603 - fixed argv
        ["git", "status", "--porcelain", "--untracked-files=no", "presscentre", "deploy"],  # noqa: S607
        cwd=REPO, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return result.stdout.strip() + (" (with uncommitted changes to presscentre/ or deploy/)" if dirty else "")


# -- the run ----------------------------------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, stack: Stack, tmp: Path) -> bool:
    started = datetime.now(UTC)
    clock = time.monotonic()
    commit = current_commit()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    app_port, varnish_port = free_port(), free_port()
    stack_environment(
        DB_NAME,
        tmp,
        DATABASE_CONN_MAX_AGE="60",
        REDIS_URL=REDIS_URL,
        PRESSCENTRE_PUBLIC_URL=f"http://127.0.0.1:{varnish_port}",
        PRESSCENTRE_VARNISH_URL=f"http://127.0.0.1:{varnish_port}",  # every process purges Varnish
        STATIC_ROOT=str(tmp / "static"),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        LOG_LEVEL="WARNING",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
        GUNICORN_ACCESS_LOG=str(tmp / "access.log"),
    )
    prepare_database(stack, DB_NAME, timeout=120)
    out(f"  ... {time.monotonic() - clock:.0f} s")

    start_app(stack, app_port, ["-c", "deploy/gunicorn.conf.py"])
    workdir = start_varnish(stack, tmp, port=varnish_port, app_ports=[app_port])
    wait_for_health(stack, app_port)
    wait_for_health(stack, varnish_port)
    out(f"Stack up: app on 127.0.0.1:{app_port}, Varnish on 127.0.0.1:{varnish_port}. Building content ...")

    content = build_content(varnish_port=varnish_port)
    changes = Changes(content)
    headers = headers_table(varnish_port, content)

    sections, passed = [], True
    for run_event in (publish_event, edit_event, lift_event, approve_event):
        extra = {"lead": args.lead} if run_event is lift_event else {}
        event = run_event(varnish_port, content, changes, give_up=args.give_up, **extra)
        stack.check_alive()
        table, ok = event_table(event, args.give_up)
        out(table)
        out(f"  ... {time.monotonic() - clock:.0f} s")
        sections.append(table)
        passed &= ok

    out(f"Mixed load: {args.readers} readers for {args.load_seconds:.0f} s, a change every {args.every:.0f} s ...")
    load = mixed_load(
        varnish_port, workdir, content, changes, seconds=args.load_seconds, readers=args.readers, every=args.every
    )
    stack.check_alive()
    table, ok = load_table(load)
    out(table)
    out(f"  ... {time.monotonic() - clock:.0f} s")
    sections.append(table)
    passed &= ok
    out(headers)
    sections.append(headers)
    sections.append(f"Overall: **{'PASS' if passed else 'FAIL'}**\n")

    if args.no_write:
        out("Not written (--no-write).")
    else:
        write_results("\n".join(sections), machine=machine_description(varnish=True), started=started, commit=commit)
        out(f"Written to {RESULTS_FILE.relative_to(REPO)}.")
    out(f"Overall: {'PASS' if passed else 'FAIL'}")
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--give-up", type=float, default=10.0, help="stop polling a URL after this (default 10 s)")
    parser.add_argument("--lead", type=float, default=5.0, help="seconds from publishing to the embargo instant")
    parser.add_argument("--load-seconds", type=float, default=60.0, help="length of the mixed load (default 60 s)")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between changes under load (default 10)")
    parser.add_argument("--readers", type=int, default=4, help="reader threads under load (default 4)")
    parser.add_argument("--no-write", action="store_true", help="print the tables without writing bench/results/")
    parser.add_argument("--keep-logs", action="store_true", help="keep the process logs even when the run passes")
    args = parser.parse_args()
    if not (
        2 <= args.give_up <= 20 and 3 <= args.lead <= 20 and 10 <= args.load_seconds <= 90
        and 2 <= args.every <= 30 and 1 <= args.readers <= 16
    ):  # fmt: skip
        parser.error("keep to a give-up of 2-20 s, a lead of 3-20 s, 10-90 s of load, changes every 2-30 s, "
                     "1-16 readers, so the run stays short")  # fmt: skip

    return run_guarded(
        benchmark, args, database=DB_NAME, run_limit=RUN_LIMIT, tmp_prefix="presscentre-edge-", forget=_flush_redis
    )


def _flush_redis() -> None:
    """Empty the benchmark's Redis database, whether or not Django got as far as being set up."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


if __name__ == "__main__":
    sys.exit(main())
