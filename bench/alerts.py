"""Alerts at the lift, and a daily digest, to thousands of subscribers (issue 18).

For each size (5,000 then 20,000 confirmed subscribers by default), on the production-like stack (gunicorn, one
`manage.py run_worker`, the embargo sweep, PostgreSQL) with an SMTP sink of its own that notes when it accepted each
message:

1. Brings the subscribers up to the size (bulk: a media contact and an active, immediate subscription each) following
   a mix of topics that all match the release: everything; its type; its category with another; its person; or its
   type, category and person at once (one email each all the same).
2. Publishes an embargoed press release whose embargo lifts about 10 s later, on a whole second, as the admin does,
   and waits for its alert to be sent, sampling the worker's memory every 0.1 s.
3. Switches the same subscribers to a daily digest, moves the site's daily digest time to now and queues the due
   digest as the worker's chore would, and waits for it to be sent.

Reports, from the lift instant: seconds to the first and the last alert the sink accepted, messages per second
(alerts over the time from the lift to the last one), messages accepted before the lift (must be none) and anyone
emailed twice; for the digest, seconds from queueing it to its last message and messages per second; and the
worker's peak resident memory (VmHWM, a fresh worker per size). Target: first alert within 5 s of the lift, at least
100 messages/s, no early message, and peak memory at the largest size at most 1.25x that at the smallest.

    .venv/bin/python bench/alerts.py                     # or: make bench
    .venv/bin/python bench/alerts.py --sizes 500 2000    # a quicker look
    .venv/bin/python bench/alerts.py --keep-logs          # keep web, worker, sweep and sink logs

Needs PostgreSQL at 127.0.0.1:5432; uses (and drops, before and after) the database `presscentre_bench_alerts`.
"""

import argparse
import math
import os
import platform
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import (  # noqa: E402 - the benchmarks' shared helpers sit beside this file
    REPO,
    Stack,
    free_port,
    machine_description,
    out,
    prepare_database,
    press_centre_site,
    run_guarded,
    stack_environment,
    start_app,
    wait_for_health,
)

DB_NAME = "presscentre_bench_alerts"
RESULTS_FILE = REPO / "bench" / "results" / "alerts.md"
RUN_LIMIT = 1500  # seconds for the whole run
SEND_LIMIT = 400.0  # seconds one send may take before the run gives up
LEAD = 10  # seconds from publishing to the lift
TARGET_FIRST = 5.0  # seconds from the lift to the first alert
TARGET_RATE = 100.0  # messages per second
MEMORY_GROWTH_LIMIT = 1.25  # worker peak memory at the largest size over the smallest
CATEGORIES = 10
PEOPLE = 10
SUBSCRIBER_DOMAIN = "@bench.example.com"


# -- the SMTP sink (this file run with --sink, as a process of its own) ------------------------------------------


def run_sink(port: int, path: Path) -> None:
    """Accept every message and write one line per recipient: the time it was accepted, the address, the subject."""
    from email.parser import BytesHeaderParser
    from email.policy import default

    from aiosmtpd.controller import Controller

    parser = BytesHeaderParser(policy=default)
    lock = threading.Lock()
    log = path.open("a", encoding="utf-8")

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            accepted = time.time()
            subject = str(parser.parsebytes(envelope.original_content or b"").get("Subject", "")).replace("\t", " ")
            with lock:
                for recipient in envelope.rcpt_tos:
                    log.write(f"{accepted:.6f}\t{recipient}\t{subject}\n")
                log.flush()
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    controller.stop()
    log.close()


def read_sink(path: Path) -> list[tuple[float, str, str]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        accepted, recipient, subject = line.split("\t", 2)
        rows.append((float(accepted), recipient, subject))
    return rows


# -- content --------------------------------------------------------------------------------------------------


def create_topics():
    from presscentre.newsroom.models import Category, Person

    categories = [Category.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(CATEGORIES)]
    people = [Person.objects.create(name=f"Fellow {n}", slug=f"fellow-{n}") for n in range(PEOPLE)]
    return categories, people


def add_subscribers(first: int, count: int, categories, people) -> None:
    """Subscribers number `first` to `first + count - 1`, confirmed and immediate, each following the release in one
    of five ways (the fifth matches it three times over)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from presscentre.alerts.models import Subscription
    from presscentre.distribution.models import MediaContact

    release_type = ContentType.objects.get(app_label="newsroom", model="pressreleasepage")
    article_type = ContentType.objects.get(app_label="newsroom", model="articlepage")
    now = timezone.now()
    numbers = range(first, first + count)
    with transaction.atomic():
        contacts = MediaContact.objects.bulk_create(
            [
                MediaContact(
                    name="",
                    email=f"subscriber{n}{SUBSCRIBER_DOMAIN}",
                    consent_basis=MediaContact.ConsentBasis.CONSENT,
                    consent_date=now.date(),
                )
                for n in numbers
            ],
            batch_size=2000,
        )
        subscriptions = Subscription.objects.bulk_create(
            [
                Subscription(
                    email=contact.email,
                    contact_id=contact.pk,
                    state=Subscription.State.ACTIVE,
                    frequency=Subscription.Frequency.IMMEDIATE,
                    everything=(n % 5 == 0),
                    confirmed_at=now,
                    consent_at=now,
                    consent_text="Bench consent.",
                    consent_source="bench",
                )
                for n, contact in zip(numbers, contacts, strict=True)
            ],
            batch_size=2000,
        )
        types, topics, persons = [], [], []
        for n, subscription in zip(numbers, subscriptions, strict=True):
            way = n % 5
            if way == 1:
                types.append((subscription.pk, release_type.pk))
            elif way == 2:
                topics += [(subscription.pk, categories[0].pk), (subscription.pk, categories[1 + n % 9].pk)]
            elif way == 3:
                persons.append((subscription.pk, people[0].pk))
            elif way == 4:
                types += [(subscription.pk, release_type.pk), (subscription.pk, article_type.pk)]
                topics.append((subscription.pk, categories[0].pk))
                persons.append((subscription.pk, people[0].pk))
        Subscription.types.through.objects.bulk_create(
            [Subscription.types.through(subscription_id=s, contenttype_id=t) for s, t in types], batch_size=5000
        )
        Subscription.categories.through.objects.bulk_create(
            [Subscription.categories.through(subscription_id=s, category_id=c) for s, c in topics], batch_size=5000
        )
        Subscription.people.through.objects.bulk_create(
            [Subscription.people.through(subscription_id=s, person_id=p) for s, p in persons], batch_size=5000
        )


def publish_embargoed_release(index, size: int, categories, people) -> tuple:
    """A press release on the first topic and by the first fellow, embargoed until a whole second LEAD s ahead,
    published as the admin does (which queues its lift). Returns the release and its lift instant."""
    from presscentre.newsroom.models import ItemCategory, ItemPerson, PressReleasePage

    lift_at = datetime.fromtimestamp(math.ceil(time.time()) + LEAD, UTC)
    release = PressReleasePage(
        title=f"Household budgets under strain: audit of {size:,} homes",
        slug=f"household-budgets-{size}",
        subheadline="Incomes behind the forecast for a third year",
        lead="The typical household is worse off than forecast, the annual audit published today finds.",
        notes_to_editors="<p>The audit covers 2,000 households.</p>",
        embargo_until=lift_at,
    )
    release.category_links = [ItemCategory(category=categories[0])]
    release.person_links = [ItemPerson(person=people[0])]
    index.add_child(instance=release)
    release.save_revision().publish()
    return release, lift_at


# -- measuring ------------------------------------------------------------------------------------------------


def memory_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of process `pid`, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


def wait_until_sent(stack: Stack, find_distribution, *, worker_pid: int, deadline: float) -> tuple:
    """Wait until the distribution `find_distribution()` returns is sent and nothing of it is queued; returns it
    and the highest resident memory the worker had meanwhile (sampled every 0.1 s)."""
    from django.db import close_old_connections

    from presscentre.distribution.models import Delivery

    unfinished = [Delivery.Status.QUEUED, Delivery.Status.SENDING]
    peak = 0.0
    while time.monotonic() < deadline:
        stack.check_alive()
        peak = max(peak, memory_mib(worker_pid)[0])
        close_old_connections()
        distribution = find_distribution()
        if (
            distribution is not None
            and distribution.status == "sent"
            and not distribution.deliveries.filter(status__in=unfinished).exists()
        ):
            return distribution, peak
        time.sleep(0.1)
    raise RuntimeError(f"not sent within {SEND_LIMIT:.0f} s; see {stack.log_dir}")


def status_counts(distribution) -> dict[str, int]:
    from django.db.models import Count

    return dict(distribution.deliveries.order_by().values_list("status").annotate(n=Count("pk")))


def force_daily_digest(site):
    """Every subscriber on the daily digest, the site's daily digest time moved to now (to the second), and the
    due digest queued as the worker's chore would. Returns the instant it was queued and the moment it covers."""
    from django.utils import timezone

    from presscentre.alerts import digests
    from presscentre.alerts.models import AlertSettings, Subscription

    Subscription.objects.update(frequency=Subscription.Frequency.DAILY)
    zone = digests.site_zone(site)
    now = timezone.now()
    alert_settings = AlertSettings.for_site(site)
    alert_settings.daily_digest_time = now.astimezone(zone).time().replace(microsecond=0)
    alert_settings.save()
    queued_at = timezone.now()
    digests.queue_due_digests(at=queued_at)  # the chore may beat us to it: one digest per moment all the same
    moment = digests.latest_moment("daily_digest", at=queued_at, alert_settings=alert_settings, zone=zone)
    return queued_at, moment


def run_size(stack: Stack, *, size: int, port: int, smtp_port: int, index, site, topics, tmp: Path) -> dict:
    from presscentre.distribution.models import Distribution

    categories, people = topics
    sink_file = tmp / f"sink-{size}.tsv"
    sink = stack.start(f"sink-{size}", [sys.executable, __file__, "--sink", str(smtp_port), str(sink_file)])
    deadline = time.monotonic() + 30
    while "ready" not in (stack.log_dir / f"sink-{size}.log").read_text():
        stack.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"the SMTP sink did not start:\n{stack.tail(f'sink-{size}')}")
        time.sleep(0.1)
    start_app(stack, port, ["-c", "deploy/gunicorn.conf.py"])
    wait_for_health(stack, port, log="web")
    worker_pid = stack.processes["worker"].pid

    release, lift_at = publish_embargoed_release(index, size, categories, people)
    out(f"  release published; its embargo lifts at {lift_at:%H:%M:%S} UTC")
    alert, alert_peak = wait_until_sent(
        stack,
        lambda: Distribution.objects.filter(kind="alert", item_id=release.pk).first(),
        worker_pid=worker_pid,
        deadline=time.monotonic() + LEAD + SEND_LIMIT,
    )
    alert_counts = status_counts(alert)
    out(f"  alert sent: {alert_counts}")

    queued_at, moment = force_daily_digest(site)
    digest, digest_peak = wait_until_sent(
        stack,
        lambda: Distribution.objects.filter(kind="daily_digest", period_end=moment).first(),
        worker_pid=worker_pid,
        deadline=time.monotonic() + SEND_LIMIT,
    )
    digest_counts = status_counts(digest)
    out(f"  digest sent: {digest_counts}")
    _, worker_hwm = memory_mib(worker_pid)
    time.sleep(0.5)  # the sink writes a message's line as it accepts it; let the last ones land
    sink.send_signal(signal.SIGTERM)
    stack.stop_all()
    for name in ("web", "worker", "sweep"):  # the next size's processes log under the same names
        log = stack.log_dir / f"{name}.log"
        if log.exists():
            log.rename(stack.log_dir / f"{name}-{size}.log")

    received = read_sink(sink_file)
    lift = lift_at.timestamp()
    alerts = [row for row in received if row[2] == alert.subject]
    # The press office's "is live" notice also reaches the sink: a digest is any other message to a subscriber.
    digests = [row for row in received if row[2] != alert.subject and row[1].endswith(SUBSCRIBER_DOMAIN)]
    alert_times = sorted(row[0] for row in alerts)
    digest_times = sorted(row[0] for row in digests)
    first, last = (alert_times[0] - lift, alert_times[-1] - lift) if alert_times else (math.nan, math.nan)
    digest_last = digest_times[-1] - queued_at.timestamp() if digest_times else math.nan
    return {
        "size": size,
        "alerts": len(alerts),
        "alerts_sent": alert_counts.get("sent", 0),
        "written": alert.created_at.timestamp() - lift,
        "started": alert.started_at.timestamp() - lift if alert.started_at else math.nan,
        "first": first,
        "last": last,
        "rate": len(alerts) / last if last and last > 0 else 0.0,
        "early": sum(1 for row in received if row[0] < lift),
        "twice": (len(alerts) - len({row[1] for row in alerts})) + (len(digests) - len({row[1] for row in digests})),
        "digests": len(digests),
        "digests_sent": digest_counts.get("sent", 0),
        "digest_last": digest_last,
        "digest_rate": len(digests) / digest_last if digest_last and digest_last > 0 else 0.0,
        "alert_peak": alert_peak,
        "digest_peak": digest_peak,
        "hwm": worker_hwm,
    }


# -- the report -----------------------------------------------------------------------------------------------


def verdicts(rows: list[dict]) -> tuple[list[str], bool]:
    lines, passed = [], True
    for row in rows:
        everyone = row["alerts"] == row["size"] == row["alerts_sent"] and row["digests"] == row["size"]
        ok = (
            everyone
            and row["first"] <= TARGET_FIRST
            and row["rate"] >= TARGET_RATE
            and row["digest_rate"] >= TARGET_RATE
            and row["early"] == 0
            and row["twice"] == 0
        )
        passed &= ok
        lines.append(
            f"- {row['size']:,} subscribers: {'meets' if ok else 'MISSES'} the target (first alert "
            f"{row['first']:.2f} s after the lift, limit {TARGET_FIRST:.0f} s; {row['rate']:.0f} alerts/s and "
            f"{row['digest_rate']:.0f} digests/s, at least {TARGET_RATE:.0f}; {row['early']} accepted before the lift; "
            f"{row['twice']} emailed twice; {row['alerts']:,} alerts and {row['digests']:,} digests received)."
        )
    if len(rows) > 1:
        growth = rows[-1]["hwm"] / rows[0]["hwm"]
        flat = growth <= MEMORY_GROWTH_LIMIT
        passed &= flat
        lines.append(
            f"- Worker peak memory at {rows[-1]['size']:,} is {growth:.2f}x that at {rows[0]['size']:,} "
            f"({rows[-1]['hwm']:.0f} MiB against {rows[0]['hwm']:.0f} MiB: {'flat' if flat else 'GROWS'}; "
            f"limit {MEMORY_GROWTH_LIMIT}x)."
        )
    return lines, passed


def table(rows: list[dict]) -> str:
    lines = [
        "| subscribers | alerts received | first alert after the lift (s) | last alert after the lift (s) "
        "| alert written, its sending started (s after the lift) | alerts/s | received before the lift "
        "| emailed twice | digests received | digest: queued to last (s) | digests/s "
        "| worker peak RSS, alert / digest (MiB) | worker VmHWM (MiB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['size']:,} | {row['alerts']:,} | {row['first']:.2f} | {row['last']:.1f} "
            f"| {row['written']:.2f}, {row['started']:.2f} | {row['rate']:.0f} "
            f"| {row['early']} | {row['twice']} | {row['digests']:,} | {row['digest_last']:.1f} "
            f"| {row['digest_rate']:.0f} | {row['alert_peak']:.0f} / {row['digest_peak']:.0f} | {row['hwm']:.0f} |"
        )
    return "\n".join(lines)


def write_results(text: str, *, machine: str, started: datetime) -> None:
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(
        "# Alerts at the lift and a daily digest (`bench/alerts.py`)\n\n"
        f"{started:%Y-%m-%d %H:%M} UTC on {platform.node()}: {machine}.\n"
        "One gunicorn, one `manage.py run_worker --interval 1`, the embargo sweep, PostgreSQL, and an SMTP sink "
        "(aiosmtpd) on 127.0.0.1; the default sending settings (4 SMTP connections, batches of 50). A fresh worker "
        "per size. Alert times are from the embargo's instant to the sink accepting the message; the digest's from "
        "queueing it (its window forced to end now).\n\n" + text + "\n"
    )


# -- the run --------------------------------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, stack: Stack, tmp: Path) -> bool:
    started = datetime.now(UTC)
    port, smtp_port = free_port(), free_port()
    stack_environment(
        DB_NAME,
        tmp,
        STATIC_ROOT=str(tmp / "static"),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        LOG_LEVEL="WARNING",
        REDIS_URL="",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="2",
        GUNICORN_ACCESS_LOG="",
        PRESSCENTRE_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    prepare_database(stack, DB_NAME, timeout=300)
    index, site = press_centre_site("Press Centre", "press-centre", port=port, site_name="Bench Institute")
    topics = create_topics()
    rows, have = [], 0
    for size in sorted(args.sizes):
        out(f"{size:,} subscribers: adding {size - have:,} ...")
        add_subscribers(have, size - have, *topics)
        have = size
        from presscentre.alerts.models import Subscription

        Subscription.objects.update(frequency=Subscription.Frequency.IMMEDIATE)
        rows.append(
            run_size(stack, size=size, port=port, smtp_port=smtp_port, index=index, site=site, topics=topics, tmp=tmp)
        )
        out(table(rows[-1:]))
    lines, passed = verdicts(rows)
    text = table(rows) + "\n\n" + "\n".join(lines) + f"\n\nOverall: **{'PASS' if passed else 'FAIL'}**\n"
    out(text)
    if args.no_write:
        out("Not written (--no-write).")
    else:
        write_results(text, machine=machine_description(), started=started)
        out(f"Written to {RESULTS_FILE.relative_to(REPO)}.")
    return passed


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--sink":
        run_sink(int(sys.argv[2]), Path(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000], help="subscribers (default 5000 20000)")
    parser.add_argument("--no-write", action="store_true", help="print the table without writing bench/results/")
    parser.add_argument("--keep-logs", action="store_true", help="keep the process logs even when the run passes")
    args = parser.parse_args()
    if not all(100 <= size <= 50000 for size in args.sizes):
        parser.error("keep each size between 100 and 50,000 subscribers")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return run_guarded(benchmark, args, database=DB_NAME, run_limit=RUN_LIMIT, tmp_prefix="presscentre-alerts-")


if __name__ == "__main__":
    sys.exit(main())
