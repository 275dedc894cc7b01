"""Fault injection: does a fault in a worker, the mail server, Redis or PostgreSQL lose anything, send anything
twice, serve a stale page once it is over, or take the public site down?

Runs the production-like stack (gunicorn with two workers, two task workers, the embargo sweep, PostgreSQL, DEBUG
off) with its own Redis, a TCP proxy in front of Redis and one in front of PostgreSQL (every process, this one
included, connects through them), and an SMTP sink that logs each message it accepts (bench/faultkit.py). Each
scenario makes one fault around a 2,000-recipient send, a set of embargo lifts or reads with publishes, and counts
from the sink's log and the database: recipients who got the release once, twice or never, `wagtail.publish`
audit entries against publishes, pages stale after recovery, 5xx during and after the fault, and the seconds from
the fault's end to the send finishing or the pages being fresh. Exits 1 on any loss, duplicate, stale page after
recovery, or 5xx other than during the database cut.

    .venv/bin/python bench/faults.py                          # every scenario, about 7 minutes (or: make bench)
    .venv/bin/python bench/faults.py --scenario redis-cut     # one (repeat --scenario for more; a-f work too)
    .venv/bin/python bench/faults.py --recipients 500 --keep-logs

Uses its own PostgreSQL database (`presscentre_faults`, dropped before and after), its own redis-server on a free
port (`--save ''`) and free ports on 127.0.0.1 only. See docs/reliability.md.
"""

import argparse
import contextlib
import json
import logging
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faultkit import Controlled, proxy_argv, sink_argv  # noqa: E402 - bench/ is not a package
from stack import (  # noqa: E402
    PG_SERVER,
    REPO,
    Response,
    RunTimeout,
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
    wait_for_health,
)

RESULTS_FILE = REPO / "bench" / "results" / "faults.md"
DB_NAME = "presscentre_faults"
RUN_LIMIT = 1500  # seconds: the whole run is cut off after this (a full run takes 7 to 11 minutes)

LEASE_SECONDS = 30  # PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS: three 10 s heartbeats, so a stalled worker is found soon
LONGEST_LEASE = 60  # a lease longer than this (the setting was not applied) makes scenario b too long to run
SEND_FRACTION = 0.25  # a send's fault starts once the sink has this share of its recipients
SEND_START_TIMEOUT = 90.0  # seconds for a send to reach that share
RESTART_DELAY = 2.0  # a killed worker comes back after this, as systemd's RestartSec=2 brings it back
RESUME_AFTER = 3.0  # a stopped worker's lease has been over this long when the press officer presses Resume
CONT_AFTER_RESUME = 12.0  # and the stopped worker is continued this long after that
SMTP_OUTAGE = 15.0  # seconds the mail server refuses connections
SMTP_FREEZE = 45.0  # seconds the mail server accepts connections and answers nothing
HANG_LIMIT = 40.0  # a batch still claimed after this long against a frozen mail server is hung (no timeout)
REDIS_OUTAGE = 15.0
REDIS_FREEZE = 20.0
DB_OUTAGE = 5.0
LIFTS = 5  # embargoed releases lifted with Redis and the mail server down
LIFT_LEAD = 14.0  # seconds from publishing them to the first instant
LIFT_SPACING = 3.0  # seconds between instants
LIFT_ON_TIME = 2.0  # a release public later than this after its instant is late
LIFT_EMAIL_WAIT = 90.0  # seconds after the outage for every "is live" email
READ_TIMEOUT = 10.0  # a request unanswered after this counts as an error, like a 5xx
READ_PAUSE = 0.05
UNCACHED_SHARE = 0.3  # of the reads, made with a query string of their own so that the app renders them
PUBLISH_TIMEOUT = 15.0  # a publish still running after this is hung (the admin's request would have failed)
FRESH_SETTLE = 2.0  # after a fault ends, the pages are read this much later to count stale ones
FRESH_GIVE_UP = 30.0  # and re-read until all are fresh or this long after the fault
LINGER = 5.0  # after a send finishes, late or duplicate messages are waited for this long
PAGES_PER_SCENARIO = 8
FINAL_DELIVERY_STATUSES = ("queued", "sent", "failed", "skipped", "cancelled", "interrupted")


@dataclass
class Scenario:
    key: str
    letter: str
    label: str
    run: Callable[["Run", "Row"], None]


@dataclass
class Row:
    """What one scenario measured; `failures` say why it failed (none: it passed)."""

    key: str
    label: str
    once: int | None = None
    twice: int | None = None
    never: int | None = None
    flagged: int = 0  # of `never`, how many the database marks "may have arrived" (interrupted)
    errors_during: int | None = None
    errors_after: int | None = None
    stale: int | None = None
    publishes: str | None = None
    recovery: float | None = None
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        out(f"    FAIL: {reason}")
        self.failures.append(reason)

    def note(self, text: str) -> None:
        out(f"    {text}")
        self.notes.append(text)


def fetch(port: int, path: str) -> Response:
    """A GET like a reader's; any failure to get an answer within READ_TIMEOUT is status 0."""
    try:
        return get(port, path, timeout=READ_TIMEOUT)
    except Exception:  # noqa: BLE001 - http.client raises more than OSError on a connection cut short
        return Response(0, {}, "")


# -- what runs in the background --------------------------------------------------------------------------------


class Readers:
    """Reader threads requesting `paths` one after another, each answer recorded with when it was asked; some
    reads carry a query string no one asked before, so that they are rendered rather than served from a cache."""

    def __init__(self, port: int, paths: list[str], *, threads: int = 2) -> None:
        self.port, self.paths = port, paths
        self.records: list[tuple[float, float, int, str]] = []  # sent, received, status, path
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.read, daemon=True) for _ in range(threads)]

    def __enter__(self) -> "Readers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=READ_TIMEOUT + 2)

    def read(self) -> None:
        while not self.stopped.is_set():
            path = random.choice(self.paths)  # noqa: S311 - a load pattern, not a secret
            if random.random() < UNCACHED_SHARE:  # noqa: S311
                # A query string of its own is a page cache miss: the page is rendered from the database.
                path += f"?reader={random.randrange(10**9)}"  # noqa: S311
            sent = time.time()
            status = fetch(self.port, path).status
            self.records.append((sent, time.time(), status, path))
            self.stopped.wait(READ_PAUSE)

    def errors(self, start: float, end: float) -> tuple[int, int, Counter]:
        """5xx and unanswered requests overlapping the fault [start, end), and outside it; statuses of each."""
        during = after = 0
        kinds: Counter = Counter()
        for sent, received, status, _path in list(self.records):
            if status and status < 500:
                continue
            if sent < end and received > start:
                during += 1
                kinds[f"{status or 'no answer'} during"] += 1
            else:
                after += 1
                kinds[f"{status or 'no answer'} outside"] += 1
        return during, after, kinds


@dataclass
class Publish:
    """One publish of a new title, made as the admin makes it, in a thread of its own so a hang can be seen."""

    page_id: int
    title: str
    started: float = 0.0
    ended: float | None = None
    revision_id: int | None = None
    error: str = ""

    def start(self) -> "Publish":
        self.started = time.time()
        threading.Thread(target=self.publish, daemon=True).start()
        return self

    def publish(self) -> None:
        from django.db import connection
        from wagtail.models import Page

        try:
            page = Page.objects.get(pk=self.page_id).specific.get_latest_revision_as_object()
            page.title = self.title
            revision = page.save_revision()
            self.revision_id = revision.pk
            revision.publish()
        except Exception as error:  # noqa: BLE001 - whatever the admin's request would have died of
            self.error = f"{type(error).__name__}: {error}"[:200]
        finally:
            self.ended = time.time()
            with contextlib.suppress(Exception):
                connection.close()

    def wait(self, until: float) -> None:
        while self.ended is None and time.time() < until:
            time.sleep(0.1)

    @property
    def hung(self) -> bool:
        return (self.ended or time.time()) - self.started > PUBLISH_TIMEOUT

    @property
    def failed(self) -> bool:
        return bool(self.error) or self.hung


@dataclass
class FaultPage:
    id: int
    path: str


@dataclass
class Send:
    """A distribution of one release to `recipients` (addresses of their own domain, so the sink's log splits)."""

    tag: str
    domain: str
    distribution_id: int
    recipients: list[str]


class SinkLog:
    """The SMTP sink's log, read as it grows: messages per recipient and per subject."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.by_recipient: Counter = Counter()
        self.by_domain: Counter = Counter()
        self.subjects: list[tuple[float, str]] = []

    def refresh(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as log:
            log.seek(self.offset)
            data = log.read()
        complete = data.rpartition(b"\n")[0]
        if not complete:
            return
        self.offset += len(complete) + 1
        for line in complete.decode().splitlines():
            entry = json.loads(line)
            for recipient in entry["rcpt"]:
                self.by_recipient[recipient] += 1
                self.by_domain[recipient.rpartition("@")[2]] += 1
            self.subjects.append((entry["t"], entry["subject"]))


class Database:
    """Direct connection to the benchmark's database, never through the proxy: the counting must not see faults."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connection = None

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        for attempt in (1, 2):
            try:
                if self.connection is None:
                    self.connection = psycopg.connect(self.url, autocommit=True)
                with self.connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall() if cursor.description else []
            except psycopg.OperationalError:
                self.connection = None
                if attempt == 2:
                    raise
        return []

    def value(self, sql: str, params: tuple = ()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None


# -- the stack --------------------------------------------------------------------------------------------------


class Run:
    """The running stack, its fault makers and the content shared by the scenarios."""

    ROLES = ("web", "worker", "worker2", "sweep")
    WORKERS = ("worker", "worker2")

    def __init__(self, args: argparse.Namespace, stack: Stack, tmp: Path) -> None:
        self.args, self.stack, self.tmp = args, stack, tmp
        self.app_port, self.smtp_port = free_port(), free_port()
        self.names: dict[str, str] = {}  # role -> the stack's name of its current process
        self.argv: dict[str, list[str]] = {}
        self.restarts = 0
        self.sink_log = SinkLog(tmp / "smtp.jsonl")
        self.db = Database(f"{PG_SERVER}/{DB_NAME}")

    # processes

    def start(self) -> None:
        redis_port, redis_proxy_port, pg_proxy_port = free_port(), free_port(), free_port()
        self.stack.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        self.redis = self.controlled("redis-proxy", proxy_argv(redis_proxy_port, f"127.0.0.1:{redis_port}"))
        self.postgres = self.controlled("pg-proxy", proxy_argv(pg_proxy_port, PG_SERVER.rpartition("@")[2]))
        self.sink = self.controlled("smtp-sink", sink_argv(self.smtp_port, self.sink_log.path))
        stack_environment(
            DB_NAME,
            self.tmp,
            DATABASE_CONN_MAX_AGE="60",
            REDIS_URL=f"redis://127.0.0.1:{redis_proxy_port}/0",
            STATIC_ROOT=str(self.tmp / "static"),
            PRESSCENTRE_PUBLIC_URL=f"http://127.0.0.1:{self.app_port}",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp_port),
            DEFAULT_FROM_EMAIL="press-office@faults.example",
            PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS=str(LEASE_SECONDS),
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="4",
            GUNICORN_ACCESS_LOG=str(self.tmp / "access.log"),
        )
        # Every process, this one included, reaches PostgreSQL through the proxy; the counting does not (Database).
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{pg_proxy_port}/{DB_NAME}"
        prepare_database(self.stack, DB_NAME, timeout=180)
        # This process publishes through the faults too: what the product logs about them goes to a file of its own.
        handler = logging.FileHandler(self.tmp / "bench-process.log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().handlers = [handler]
        start_app(self.stack, self.app_port, ["-c", "deploy/gunicorn.conf.py"])
        for role in ("web", "worker", "sweep"):
            self.names[role] = role
            self.argv[role] = list(self.stack.processes[role].args)
        self.argv["worker2"] = self.argv["worker"]
        self.stack.start("worker2", self.argv["worker2"])
        self.names["worker2"] = "worker2"
        wait_for_health(self.stack, self.app_port, timeout=60, log="web")

    def controlled(self, name: str, argv: list[str]) -> Controlled:
        made = Controlled(name, argv, log=self.tmp / f"{name}.log", cwd=REPO)
        self.stack.processes[name] = made.process
        return made

    def process(self, role: str) -> subprocess.Popen:
        return self.stack.processes[self.names[role]]

    def restart(self, role: str) -> None:
        """Start `role` again (it exited or was killed), as systemd's Restart=always would."""
        old = self.stack.processes.pop(self.names[role])
        if old.poll() is None:
            os.killpg(old.pid, signal.SIGKILL)
            old.wait()
        self.restarts += 1
        name = f"{role}-{self.restarts}"
        self.stack.start(name, self.argv[role])
        self.names[role] = name

    def dead_roles(self) -> dict[str, int]:
        return {role: code for role in self.ROLES if (code := self.process(role).poll()) is not None}

    def check_fault_makers(self) -> None:
        for made in (self.redis, self.postgres, self.sink):
            if made.process.poll() is not None:
                raise RuntimeError(f"{made.name} exited with {made.process.returncode}; see {self.tmp}")

    def sending_worker(self, timeout: float = 10.0) -> str | None:
        """The task worker holding connections to the mail server (the one sending), found through /proc."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sockets = _client_sockets_to(self.smtp_port)
            for role in self.WORKERS:
                if any(_holds_socket(pid, sockets) for pid in _group(self.process(role).pid)):
                    return role
            time.sleep(0.05)
        return None

    def settle(self) -> None:
        """Put everything back for the next scenario: faults off, stopped or dead processes running again."""
        self.check_fault_makers()
        for made, word in ((self.redis, "restore"), (self.postgres, "restore"), (self.sink, "restore")):
            made.command(word)
        for role in self.WORKERS:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process(role).pid, signal.SIGCONT)
        for role, code in self.dead_roles().items():
            out(f"    restarting {role} (it exited with {code})")
            self.restart(role)
        from django.db import connections

        connections.close_all()
        wait_for_health(self.stack, self.app_port, timeout=60, log=self.names["web"])

    # content

    def build(self) -> None:
        self.index, self.site = press_centre_site(
            "Faults Press Centre", "faults-press-centre", port=self.app_port, site_name="Faults"
        )
        self.base = self.create_pages("base", 5)
        self.tables = _tables()

    def create_pages(self, tag: str, count: int) -> list[FaultPage]:
        """Published press releases, newest of all, made as the admin makes them (a draft, then its revision)."""
        from django.utils import timezone

        from presscentre.newsroom.models import PressReleasePage

        pages = []
        for number in range(1, count + 1):
            page = PressReleasePage(
                title=f"Fault {tag} page {number:02d} edition 1",
                slug=f"fault-{tag}-page-{number:02d}",
                published_at=timezone.now(),
                lead=f"A page read while the {tag} scenario makes its fault.",
            )
            page.live = False
            self.index.add_child(instance=page)
            page.save_revision().publish()
            pages.append(FaultPage(page.pk, page.relative_url(self.site)))
        return pages

    def create_send(self, tag: str, count: int) -> Send:
        """An embargoed release, `count` contacts in one list and a draft distribution to them."""
        from django.utils import timezone

        from presscentre.distribution.models import Distribution, MediaContact, MediaList
        from presscentre.newsroom.models import PressReleasePage

        domain = f"{tag}.faults.example"
        embargo = timezone.now() + timedelta(days=1)
        release = PressReleasePage(
            title=f"Fault {tag} release sent to {count} journalists",
            slug=f"fault-{tag}-release",
            subheadline="Sent while something fails",
            lead="Every journalist on the list should get this exactly once.",
            published_at=embargo,
            embargo_until=embargo,
        )
        release.live = False
        self.index.add_child(instance=release)
        release.save_revision().publish()
        media_list = MediaList.objects.create(name=f"Faults {tag}")
        contacts = MediaContact.objects.bulk_create(
            [
                MediaContact(name=f"Journalist {n}", email=f"journalist{n}@{domain}", outlet="Faults Daily")
                for n in range(count)
            ],
            batch_size=1000,
        )
        through = MediaContact.lists.through
        through.objects.bulk_create(
            [through(mediacontact_id=contact.pk, medialist_id=media_list.pk) for contact in contacts], batch_size=1000
        )
        distribution = Distribution.objects.create(release=release)
        distribution.lists.add(media_list)
        return Send(tag, domain, distribution.pk, [contact.email for contact in contacts])

    def schedule(self, send: Send) -> None:
        """ "Send now", as the admin's confirmation does."""
        from django.utils import timezone

        from presscentre.distribution.models import Distribution
        from presscentre.distribution.services import schedule_distribution

        schedule_distribution(Distribution.objects.get(pk=send.distribution_id), by=None, at=timezone.now())

    # measuring a send

    def received(self, send: Send) -> int:
        self.sink_log.refresh()
        return self.sink_log.by_domain[send.domain]

    def wait_received(self, send: Send, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.received(send) >= count:
                return True
            time.sleep(0.05)
        return False

    def start_send(self, send: Send, row: Row) -> bool:
        """Schedule the send and wait until a quarter of it has arrived: the moment for the fault."""
        self.schedule(send)
        wanted = max(1, int(len(send.recipients) * SEND_FRACTION))
        if self.wait_received(send, wanted, SEND_START_TIMEOUT):
            return True
        row.fail(
            f"the send had reached {self.received(send)} recipients after {SEND_START_TIMEOUT:.0f} s, not {wanted}"
        )
        return False

    def send_deadline(self, send: Send) -> float:
        """How long after a fault a send may take to finish: a minute to notice, the lease, then the sending.

        The run's lease, not the product's: a product that ignores the setting gets no longer to recover."""
        return 60.0 + LEASE_SECONDS + len(send.recipients) / 40

    def wait_finished(self, send: Send, deadline: float) -> float | None:
        """The epoch second the distribution was marked sent, or None if it was not by `deadline`."""
        table = self.tables["distribution"]
        while True:
            status, finished = self.db.rows(
                f"SELECT status, finished_at FROM {table} WHERE id = %s",  # noqa: S608 - a model's table name
                (send.distribution_id,),
            )[0]
            if status == "sent" and finished is not None:
                return finished.timestamp()
            if time.time() > deadline:
                return None
            time.sleep(0.3)

    def deliveries(self, send: Send) -> dict[str, str]:
        table = self.tables["delivery"]
        rows = self.db.rows(f"SELECT email, status FROM {table} WHERE distribution_id = %s", (send.distribution_id,))  # noqa: S608
        return dict(rows)

    def oldest_claim_age(self, send: Send) -> float | None:
        """Seconds since the oldest claim still held on a delivery (none: nothing is being sent)."""
        table = self.tables["delivery"]
        return self.db.value(
            f"SELECT EXTRACT(EPOCH FROM now() - MIN(claimed_at)) FROM {table} "  # noqa: S608
            "WHERE distribution_id = %s AND claimed_at IS NOT NULL AND NOT status = ANY(%s)",
            (send.distribution_id, list(FINAL_DELIVERY_STATUSES)),
        )

    def tally(self, send: Send, row: Row, *, in_flight_allowance: int, finished: float | None) -> None:
        """Received once, twice, never, from the sink's log against the contacts; the verdict on losses."""
        time.sleep(LINGER)  # late messages, and a duplicate sent after the distribution said it was done
        self.sink_log.refresh()
        counts = [self.sink_log.by_recipient[address] for address in send.recipients]
        row.once = sum(1 for count in counts if count == 1)
        row.twice = sum(1 for count in counts if count > 1)
        never = [address for address, count in zip(send.recipients, counts, strict=True) if count == 0]
        statuses = self.deliveries(send)
        row.never = len(never)
        row.flagged = sum(1 for address in never if statuses.get(address) == "interrupted")
        row.note("deliveries: " + ", ".join(f"{n} {s}" for s, n in Counter(statuses.values()).most_common()))
        if finished is None:
            row.fail(f"the distribution was not marked sent within {self.send_deadline(send):.0f} s of the fault's end")
        if row.twice:
            row.fail(f"{row.twice} recipients got the release more than once")
        silent = row.never - row.flagged
        if silent:
            row.fail(f"{silent} recipients never got it and their delivery does not say it may have failed")
        if row.flagged > in_flight_allowance:
            row.fail(
                f"{row.flagged} recipients never got it, marked 'may have arrived' (interrupted); at most "
                f"{in_flight_allowance} messages can have been in flight at the fault"
            )

    # pages

    def warm(self, pages: list[FaultPage]) -> None:
        for _ in range(2):
            for path in [page.path for page in pages] + ["/"]:
                fetch(self.app_port, path)

    def stale_pages(self, pages: list[FaultPage]) -> list[str]:
        """URLs not showing the title their page has in the database: each page, and the index listing them."""
        table = self.tables["page"]
        titles = dict(self.db.rows(f"SELECT id, title FROM {table} WHERE id = ANY(%s)", ([p.id for p in pages],)))  # noqa: S608
        stale = [page.path for page in pages if titles[page.id] not in fetch(self.app_port, page.path).text]
        index = fetch(self.app_port, "/").text
        if any(title not in index for title in titles.values()):
            stale.append("/ (the index)")
        return stale

    def freshness(self, pages: list[FaultPage], row: Row, after: float) -> float | None:
        """Count the stale pages `FRESH_SETTLE` s after `after` (the fault's end, or the last change), then re-read
        until every page is fresh; returns when they were (None: not within `FRESH_GIVE_UP` s)."""
        time.sleep(max(0.0, after + FRESH_SETTLE - time.time()))
        stale = self.stale_pages(pages)
        row.stale = len(stale)
        fresh_at = time.time() if not stale else None
        while fresh_at is None and time.time() < after + FRESH_GIVE_UP:
            time.sleep(0.5)
            if not self.stale_pages(pages):
                fresh_at = time.time()
        if stale:
            row.fail(f"{len(stale)} pages stale {FRESH_SETTLE:.0f} s after the fault ended: {', '.join(stale[:4])}")
        if fresh_at is None:
            row.note(f"still stale {FRESH_GIVE_UP:.0f} s after the fault ended")
        return fresh_at

    def check_publishes(self, row: Row, publishes: list[Publish], *, excused: Callable[[Publish], bool]) -> None:
        """Each publish that went live has its audit entry; one that failed or hung is a failure unless excused."""
        page_table, log_table = self.tables["page"], self.tables["page_log"]
        live = audited = 0
        for publish in publishes:
            publish.wait(publish.started + PUBLISH_TIMEOUT + 5)
            went_live = publish.revision_id is not None and publish.revision_id == self.db.value(
                f"SELECT live_revision_id FROM {page_table} WHERE id = %s",  # noqa: S608
                (publish.page_id,),
            )
            entries = self.db.value(
                f"SELECT COUNT(*) FROM {log_table} WHERE action = 'wagtail.publish' AND revision_id = %s",  # noqa: S608
                (publish.revision_id,),
            )
            live += went_live
            audited += went_live and entries > 0
            if went_live and not entries:
                row.fail(f"page {publish.page_id} went live without its wagtail.publish audit entry")
            if publish.failed and not excused(publish):
                what = publish.error or f"still running after {PUBLISH_TIMEOUT:.0f} s"
                row.fail(f"a publish of page {publish.page_id} failed: {what}")
        row.publishes = f"{len(publishes)} / {live} / {audited}"

    def count_errors(
        self, row: Row, readers: Readers, start: float, end: float, *, extra_during: int = 0, during_allowed=False
    ) -> None:
        """5xx (and requests unanswered within READ_TIMEOUT) during the fault [start, end) and outside it."""
        during, after, kinds = readers.errors(start, end)
        row.errors_during, row.errors_after = during + extra_during, after
        listed = ", ".join(f"{count} × {kind}" for kind, count in kinds.items())
        row.note(f"reads: {len(readers.records)}" + (f" ({listed})" if listed else ", none failed"))
        if row.errors_during and not during_allowed:
            row.fail(f"{row.errors_during} requests answered 5xx or not within {READ_TIMEOUT:.0f} s during the fault")
        if row.errors_after:
            row.fail(f"{row.errors_after} requests answered 5xx or not within {READ_TIMEOUT:.0f} s outside the fault")

    def check_processes(self, row: Row) -> None:
        for role, code in self.dead_roles().items():
            row.fail(f"{role} exited with {code} (see its log)")

    def lease_seconds(self) -> float:
        from django.conf import settings

        return float(getattr(settings, "PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS", 300))

    def connections(self) -> int:
        from django.conf import settings

        return max(1, int(getattr(settings, "PRESSCENTRE_DISTRIBUTION_CONNECTIONS", 4)))


def _tables() -> dict[str, str]:
    from wagtail.models import Page, PageLogEntry

    from presscentre.distribution.models import Delivery, Distribution
    from presscentre.newsroom.models import NewsItemPage

    return {
        "distribution": Distribution._meta.db_table,
        "delivery": Delivery._meta.db_table,
        "page": Page._meta.db_table,
        "page_log": PageLogEntry._meta.db_table,
        "item": NewsItemPage._meta.db_table,
    }


def _group(pgid: int) -> list[int]:
    """The processes of one process group (a worker and anything it started)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
                if int(fields[2]) == pgid:
                    pids.append(int(entry.name))
    return pids


def _client_sockets_to(port: int) -> set[str]:
    """Inodes of established TCP connections whose far end is `port` on this machine."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[3] == "01" and int(parts[2].rpartition(":")[2], 16) == port:
                    inodes.add(parts[9])
    return inodes


def _holds_socket(pid: int, inodes: set[str]) -> bool:
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return True
    return False


# -- the scenarios ----------------------------------------------------------------------------------------------


def worker_kill(run: Run, row: Row) -> None:
    """kill -9 the worker that is sending; it comes back 2 s later, as systemd restarts it. The send must resume
    by itself and finish, nobody getting it twice; only a message in flight at the kill may be lost, flagged."""
    send = run.create_send("a", run.args.recipients)
    with Readers(run.app_port, [page.path for page in run.base] + ["/"]) as readers:
        if not run.start_send(send, row):
            return
        role = run.sending_worker()
        if role is None:
            row.fail("no task worker held a connection to the mail server")
            return
        start = time.time()
        os.killpg(run.process(role).pid, signal.SIGKILL)
        row.note(f"killed {role} after {run.received(send)} messages")
        time.sleep(RESTART_DELAY)
        run.restart(role)
        end = time.time()
        finished = run.wait_finished(send, end + run.send_deadline(send))
    run.tally(send, row, in_flight_allowance=run.connections(), finished=finished)
    run.count_errors(row, readers, start, end)
    row.recovery = None if finished is None else max(0.0, finished - end)
    run.check_processes(row)


def worker_stop(run: Run, row: Row) -> None:
    """SIGSTOP the sending worker past its lease; the press officer presses Resume, the other worker takes over;
    then SIGCONT. The stopped worker must not send what it still holds: nobody gets the release twice."""
    lease = run.lease_seconds()
    if lease > LONGEST_LEASE:
        row.fail(
            f"the distribution lease is {lease:.0f} s: PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS={LEASE_SECONDS} from the "
            "environment was not applied, and stopping a worker past that lease would make the run too long; not run"
        )
        return
    from presscentre.distribution.models import Distribution
    from presscentre.distribution.services import resume_distribution

    send = run.create_send("b", run.args.recipients)
    with Readers(run.app_port, [page.path for page in run.base] + ["/"]) as readers:
        if not run.start_send(send, row):
            return
        role = run.sending_worker()
        if role is None:
            row.fail("no task worker held a connection to the mail server")
            return
        group = run.process(role).pid
        start = time.time()
        os.killpg(group, signal.SIGSTOP)
        row.note(f"stopped {role} after {run.received(send)} messages, lease {lease:.0f} s")
        time.sleep(lease + RESUME_AFTER)
        resumed = resume_distribution(Distribution.objects.get(pk=send.distribution_id))
        outcome = "queued a run" if resumed else "no new run queued"
        row.note(f"pressed Resume {lease + RESUME_AFTER:.0f} s into the stop ({outcome})")
        time.sleep(CONT_AFTER_RESUME)
        os.killpg(group, signal.SIGCONT)
        end = time.time()
        row.note(f"continued {role} after {end - start:.0f} s, {run.received(send)} messages in")
        finished = run.wait_finished(send, end + run.send_deadline(send))
    run.tally(send, row, in_flight_allowance=run.connections(), finished=finished)
    run.count_errors(row, readers, start, end)
    row.recovery = None if finished is None else max(0.0, finished - end)
    run.check_processes(row)


def smtp_outage(run: Run, row: Row) -> None:
    """The mail server goes down for 15 s mid-send (connections refused, sessions closed or answered 421): every
    refusal is definite, so every recipient must get the release exactly once after it returns."""
    send = run.create_send("c1", run.args.recipients)
    with Readers(run.app_port, [page.path for page in run.base] + ["/"]) as readers:
        if not run.start_send(send, row):
            return
        start = time.time()
        run.sink.command("refuse")
        row.note(f"mail server down after {run.received(send)} messages")
        time.sleep(SMTP_OUTAGE)
        run.sink.command("restore")
        end = time.time()
        finished = run.wait_finished(send, end + run.send_deadline(send))
    run.tally(send, row, in_flight_allowance=0, finished=finished)
    run.count_errors(row, readers, start, end)
    row.recovery = None if finished is None else max(0.0, finished - end)
    run.check_processes(row)


def smtp_freeze(run: Run, row: Row) -> None:
    """The mail server accepts connections and answers nothing for 45 s mid-send. The sender must give up within
    its timeouts (no batch held longer than 40 s) and finish afterwards with nobody lost or sent twice: a message
    whose data went out before the freeze is accepted when the server resumes."""
    from django.conf import settings

    send = run.create_send("c2", run.args.recipients)
    with Readers(run.app_port, [page.path for page in run.base] + ["/"]) as readers:
        if not run.start_send(send, row):
            return
        start = time.time()
        run.sink.command("freeze")
        row.note(f"mail server frozen after {run.received(send)} messages; EMAIL_TIMEOUT is {settings.EMAIL_TIMEOUT}")
        time.sleep(SMTP_FREEZE)
        age = run.oldest_claim_age(send)
        run.sink.command("restore")
        end = time.time()
        if age is not None and age > HANG_LIMIT:
            row.fail(f"a batch was still claimed after {age:.0f} s against the frozen mail server: it hung")
        else:
            row.note(f"oldest claim at the end of the freeze: {'none' if age is None else f'{age:.0f} s'}")
        finished = run.wait_finished(send, end + run.send_deadline(send))
    run.tally(send, row, in_flight_allowance=0, finished=finished)
    run.count_errors(row, readers, start, end)
    row.recovery = None if finished is None else max(0.0, finished - end)
    run.check_processes(row)


def redis_fault(run: Run, row: Row, *, word: str, seconds: float, publishes: int, tag: str) -> None:
    pages = run.create_pages(tag, PAGES_PER_SCENARIO)
    run.warm(pages)
    baseline = run.stale_pages(pages)
    if baseline:
        row.fail(f"the benchmark's freshness check fails before any fault: {', '.join(baseline)}")
        return
    made: list[Publish] = []
    with Readers(run.app_port, [page.path for page in pages] + ["/"], threads=4) as readers:
        time.sleep(1.0)
        start = time.time()
        run.redis.command(word)
        for number, page in enumerate(pages[:publishes]):
            time.sleep(max(0.0, start + (number + 1) * seconds / (publishes + 1) - time.time()))
            made.append(Publish(page.id, f"Fault {tag} page {number + 1:02d} edition 2").start())
        time.sleep(max(0.0, start + seconds - time.time()))
        run.redis.command("restore")
        end = time.time()
        fresh_at = run.freshness(pages, row, end)
    run.check_publishes(row, made, excused=lambda publish: False)
    failed_publishes = sum(1 for publish in made if publish.failed)
    if failed_publishes:
        row.note(f"{failed_publishes} of {len(made)} publishes failed during the fault (counted as 5xx during)")
    # The admin's publish answering 500, or not at all, is a 5xx too.
    run.count_errors(row, readers, start, end, extra_during=failed_publishes)
    row.recovery = None if fresh_at is None else max(0.0, fresh_at - end)
    run.check_processes(row)


def redis_cut(run: Run, row: Row) -> None:
    """Redis unreachable for 15 s (connections reset, new ones refused) while readers read and editors publish
    new titles: no 5xx, every publish audited, and every page showing its latest title once Redis is back."""
    redis_fault(run, row, word="cut", seconds=REDIS_OUTAGE, publishes=4, tag="d1")


def redis_freeze(run: Run, row: Row) -> None:
    """Redis accepts connections and answers nothing for 20 s: every request still answers within 10 s."""
    redis_fault(run, row, word="freeze", seconds=REDIS_FREEZE, publishes=3, tag="d2")


def database_cut(run: Run, row: Row) -> None:
    """PostgreSQL unreachable for 5 s during reads, publishes and a send: 5xx only during the cut; afterwards no
    5xx, every process alive, the send finished with nobody lost or sent twice, the pages fresh."""
    pages = run.create_pages("e", PAGES_PER_SCENARIO)
    run.warm(pages)
    send = run.create_send("e", run.args.recipients)
    made: list[Publish] = []

    def publish_one_a_time(first: float) -> None:
        # One page every 1.5 s, from 1.5 s before the cut until about 5 s after it.
        for number, page in enumerate(pages):
            time.sleep(max(0.0, first + number * 1.5 - time.time()))
            made.append(Publish(page.id, f"Fault e page {number + 1:02d} edition 2").start())

    with Readers(run.app_port, [page.path for page in pages + run.base] + ["/"], threads=3) as readers:
        if not run.start_send(send, row):
            return
        first = time.time()
        publisher = threading.Thread(target=publish_one_a_time, args=(first,), daemon=True)
        publisher.start()
        time.sleep(max(0.0, first + 1.5 - time.time()))
        start = time.time()
        run.postgres.command("cut")
        row.note(f"database cut after {run.received(send)} messages")
        time.sleep(DB_OUTAGE)
        run.postgres.command("restore")
        end = time.time()
        publisher.join()
        for publish in made:
            publish.wait(publish.started + PUBLISH_TIMEOUT + 5)
        fresh_at = run.freshness(pages, row, max([end] + [publish.ended or end for publish in made]))
        finished = run.wait_finished(send, end + run.send_deadline(send))
    run.check_publishes(row, made, excused=lambda p: p.started < end and (p.ended or time.time()) > start)
    run.tally(send, row, in_flight_allowance=0, finished=finished)
    run.count_errors(row, readers, start, end, during_allowed=True)
    if finished is not None and fresh_at is not None:
        row.recovery = max(0.0, finished - end, fresh_at - end)
    run.check_processes(row)


def lift_outage(run: Run, row: Row) -> None:
    """Five embargoes lift, 3 s apart, with Redis and the mail server both down at their instants: each release
    public on time, no 5xx, exactly one "is live" email per release once the mail server is back, and the sweep
    still running."""
    from presscentre.newsroom.models import PressReleasePage

    token = secrets.token_hex(3)
    first = int(time.time() + LIFT_LEAD)
    releases = []
    for number in range(LIFTS):
        instant = first + number * LIFT_SPACING
        at = datetime.fromtimestamp(instant, UTC)
        release = PressReleasePage(
            title=f"Fault lift {number + 1} {token}",
            slug=f"fault-lift-{number + 1}-{token}",
            published_at=at,
            embargo_until=at,
            lead="Lifts while Redis and the mail server are down.",
        )
        release.live = False
        run.index.add_child(instance=release)
        release.save_revision().publish()
        releases.append((release.pk, release.title, release.relative_url(run.site), instant))
    polls = {pk: LiftPoll(run.app_port, path, instant) for pk, _title, path, instant in releases}
    threads = [threading.Thread(target=poll.run, daemon=True) for poll in polls.values()]
    with Readers(run.app_port, [page.path for page in run.base] + ["/"]) as readers:
        time.sleep(max(0.0, first - 4.0 - time.time()))
        start = time.time()
        run.redis.command("cut")
        run.sink.command("refuse")
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, releases[-1][3] + 5.0 - time.time()))
        run.sink.command("restore")
        run.redis.command("restore")
        end = time.time()
        for thread in threads:
            thread.join(timeout=READ_TIMEOUT + 15)
        titles = {title: 0 for _pk, title, _path, _instant in releases}
        last_email = None
        deadline = end + LIFT_EMAIL_WAIT
        while time.time() < deadline and not all(titles.values()):
            time.sleep(0.5)
            run.sink_log.refresh()
            titles, last_email = _live_emails(run.sink_log, titles)
        time.sleep(LINGER)
        run.sink_log.refresh()
        titles, last_email = _live_emails(run.sink_log, titles)
    late, leaks, errors = [], 0, Counter()
    for pk, title, _path, instant in releases:
        poll = polls[pk]
        leaks += poll.early
        errors.update(poll.errors)
        if poll.public_at is None or poll.public_at - instant > LIFT_ON_TIME:
            late.append(f"{title}: {'not public' if poll.public_at is None else f'{poll.public_at - instant:.1f} s'}")
    row.once = sum(1 for count in titles.values() if count == 1)
    row.twice = sum(1 for count in titles.values() if count > 1)
    row.never = sum(1 for count in titles.values() if count == 0)
    poll_errors = sum(errors.values())
    run.count_errors(row, readers, start, end, extra_during=poll_errors)  # every poll ran inside the outage
    item_table = run.tables["item"]
    lifted = run.db.rows(
        f"SELECT page_ptr_id, EXTRACT(EPOCH FROM embargo_lifted_at - embargo_until) FROM {item_table} "  # noqa: S608
        "WHERE page_ptr_id = ANY(%s)",
        ([pk for pk, *_ in releases],),
    )
    delays = [delay for _pk, delay in lifted if delay is not None]
    row.note(
        f"lifts recorded {len(delays)}/{LIFTS}, latest {max(delays):.1f} s after its instant"
        if delays
        else "no lift recorded"
    )
    if poll_errors:
        row.note("release polls: " + ", ".join(f"{n} × {status or 'no answer'}" for status, n in errors.items()))
    if late:
        row.fail(f"releases not public within {LIFT_ON_TIME:.0f} s of their instant: {'; '.join(late)}")
    if leaks:
        row.fail(f"{leaks} answers showed a release before its instant")
    if row.never:
        row.fail(f"{row.never} releases got no 'is live' email within {LIFT_EMAIL_WAIT:.0f} s of the outage's end")
    if row.twice:
        row.fail(f"{row.twice} releases got more than one 'is live' email")
    row.recovery = None if last_email is None or row.never else max(0.0, last_email - end)
    run.check_processes(row)


def _live_emails(sink_log: SinkLog, titles: dict[str, int]) -> tuple[dict[str, int], float | None]:
    counts = dict.fromkeys(titles, 0)
    last = None
    for at, subject in sink_log.subjects:
        for title in titles:
            if f"{title} is live" in subject:
                counts[title] += 1
                last = at if last is None else max(last, at)
    return counts, last


class LiftPoll:
    """Polls one release's public URL from 2 s before its instant until its first 200 (or 10 s after)."""

    def __init__(self, port: int, path: str, instant: float) -> None:
        self.port, self.path, self.instant = port, path, instant
        self.public_at: float | None = None
        self.early = 0
        self.errors: Counter = Counter()

    def run(self) -> None:
        time.sleep(max(0.0, self.instant - 2.0 - time.time()))
        while time.time() < self.instant + 10.0:
            status = fetch(self.port, self.path).status
            received = time.time()
            if status == 200:
                if received < self.instant:
                    self.early += 1
                else:
                    self.public_at = received
                    return
            elif status != 404:
                self.errors[status] += 1
            time.sleep(0.1)


SCENARIOS = [
    Scenario("worker-kill", "a", "a. worker kill -9 mid-send", worker_kill),
    Scenario("worker-stop", "b", "b. worker SIGSTOP past the lease, SIGCONT", worker_stop),
    Scenario("smtp-outage", "c", "c. SMTP refused for 15 s mid-send", smtp_outage),
    Scenario("smtp-freeze", "c", "c. SMTP frozen for 45 s mid-send", smtp_freeze),
    Scenario("redis-cut", "d", "d. Redis cut for 15 s, reads and publishes", redis_cut),
    Scenario("redis-freeze", "d", "d. Redis frozen for 20 s, reads and publishes", redis_freeze),
    Scenario("db-cut", "e", "e. PostgreSQL cut for 5 s, reads, publishes, a send", database_cut),
    Scenario("lift-outage", "f", "f. 5 lifts with Redis and SMTP down", lift_outage),
]


# -- report -----------------------------------------------------------------------------------------------------


def cell(value) -> str:
    return "—" if value is None else str(value)


def table(rows: list[Row]) -> str:
    lines = [
        "| scenario | received once | twice | never | 5xx during | 5xx after | stale | publishes / live / audited "
        "| recovery (s) | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        never = cell(row.never) + (f" ({row.flagged} flagged)" if row.flagged else "")
        recovery = "—" if row.recovery is None else f"{row.recovery:.1f}"
        lines.append(
            f"| {row.label} | {cell(row.once)} | {cell(row.twice)} | {never} | {cell(row.errors_during)} "
            f"| {cell(row.errors_after)} | {cell(row.stale)} | {cell(row.publishes)} | {recovery} "
            f"| {'pass' if not row.failures else '**FAIL**'} |"
        )
    return "\n".join(lines) + "\n"


def details(rows: list[Row]) -> str:
    lines = []
    for row in rows:
        lines.append(f"- **{row.label}**: " + ("passed" if not row.failures else "; ".join(row.failures)) + ".")
        lines.extend(f"  - {note}" for note in row.notes)
    return "\n".join(lines) + "\n"


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


def write_results(text: str) -> None:
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(text)


# -- the run ----------------------------------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, stack: Stack, tmp: Path) -> bool:
    started = datetime.now(UTC)
    clock = time.monotonic()
    commit = current_commit()
    run = Run(args, stack, tmp)
    out(f"Starting the stack (logs in {tmp}) ...")
    run.start()
    run.build()
    from django.conf import settings

    settings_line = (
        f"lease {run.lease_seconds():.0f} s, {run.connections()} SMTP connections per send, "
        f"EMAIL_TIMEOUT {settings.EMAIL_TIMEOUT}, {args.recipients} recipients per send"
    )
    out(f"Stack up on 127.0.0.1:{run.app_port} after {time.monotonic() - clock:.0f} s; {settings_line}.")
    rows = []
    for scenario in selected(args):
        row = Row(scenario.key, scenario.label)
        out(f"{scenario.label} ...")
        began = time.monotonic()
        try:
            scenario.run(run, row)
        except RunTimeout:
            raise
        except Exception as error:  # noqa: BLE001 - a scenario that crashes is a failed row, not a failed run
            traceback.print_exc()
            row.fail(f"the scenario crashed: {type(error).__name__}: {error}")
        try:
            run.settle()
        except Exception as error:  # noqa: BLE001
            row.fail(f"the stack could not be put back afterwards: {error}")
            rows.append(row)
            break
        out(f"  {'pass' if not row.failures else 'FAIL'} ({time.monotonic() - began:.0f} s)")
        rows.append(row)
    text = (
        "# Fault injection\n\n"
        f"Run {started:%Y-%m-%d %H:%M} UTC at commit {commit}, on {machine_description()}, "
        f"in {time.monotonic() - clock:.0f} s.\n\n"
        "Stack: gunicorn (2 workers × 4 threads, `deploy/gunicorn.conf.py`), two task workers, the embargo sweep, "
        "PostgreSQL and its own redis-server each behind a TCP proxy that can cut or freeze them, an SMTP sink; "
        f"`DEBUG=false`; {settings_line}. See docs/reliability.md.\n\n"
        f"{table(rows)}\n{details(rows)}"
    )
    out()
    out(text)
    if not args.no_write:
        write_results(text)
        out(f"Written to {RESULTS_FILE.relative_to(REPO)}.")
    return bool(rows) and all(not row.failures for row in rows)


def selected(args: argparse.Namespace) -> list[Scenario]:
    if not args.scenario:
        return SCENARIOS
    chosen = [s for s in SCENARIOS if s.key in args.scenario or s.letter in args.scenario]
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [scenario.key for scenario in SCENARIOS]
    parser.add_argument(
        "--scenario",
        action="append",
        choices=names + sorted({scenario.letter for scenario in SCENARIOS}),
        help="run only this scenario (repeatable; a letter runs that group)",
    )
    parser.add_argument("--recipients", type=int, default=2000, help="recipients of each send (default 2000)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the process logs even when the run passes")
    parser.add_argument("--no-write", action="store_true", help=f"print the table without writing {RESULTS_FILE.name}")
    args = parser.parse_args()
    if not 50 <= args.recipients <= 5000:
        parser.error("keep to 50-5,000 recipients so the run stays short")
    return run_guarded(benchmark, args, database=DB_NAME, run_limit=RUN_LIMIT, tmp_prefix="presscentre-faults-")


if __name__ == "__main__":
    sys.exit(main())
