"""Sending a distribution: claim a batch of deliveries, send each, record each outcome.

The at-most-once rule. A delivery is handed to the mail server only by the worker that moved it from
`queued` to `sending` with a conditional UPDATE (`... WHERE status = 'queued'`): two workers, a retried task or
a restarted worker can never both win the same row. Within a batch messages go out in primary-key order and
each outcome is written the moment the server answers. So if a worker dies, among its batch's rows still in
`sending` only the lowest one can have reached the server (it was in flight); the rest were never tried.
Recovery, once the batch's claim is older than the lease, marks that one row `interrupted` (not sent again:
it may have arrived) and puts the rest back in the queue. A connection that drops in the middle of a message
is treated the same way. A temporary refusal (4xx) is a definite "not accepted", so it is retried with backoff.

Queries: a batch costs a fixed number of queries plus exactly one UPDATE per recipient (the outcome write
that makes the rule above exact).
"""

import logging
import smtplib
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from wagtail.log_actions import log

from presscentre.distribution.models import Delivery, Distribution, MediaContact
from presscentre.distribution.release_email import PreparedMessage, ReleaseEmail, compose_release_email
from presscentre.distribution.tokens import unsubscribe_token, unsubscribe_url

logger = logging.getLogger(__name__)

INTERRUPTED_REASON = "The worker stopped while handing this message to the mail server; it may have arrived, "
INTERRUPTED_REASON += "so it is not sent again automatically."
CONNECTION_LOST_REASON = "The connection dropped while sending; the message may have arrived, so it is not sent again."


def batch_size() -> int:
    return getattr(settings, "PRESSCENTRE_DISTRIBUTION_BATCH_SIZE", 50)


def claim_lease() -> timedelta:
    """How long a batch may stay in `sending` before it counts as abandoned by a dead worker."""
    return timedelta(seconds=getattr(settings, "PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return getattr(settings, "PRESSCENTRE_DISTRIBUTION_MAX_ATTEMPTS", 5)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after a temporary failure: base, 2 x base, 4 x base ..."""
    base = getattr(settings, "PRESSCENTRE_DISTRIBUTION_RETRY_SECONDS", 30)
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


@dataclass
class RunResult:
    """What one run of the sending loop did, and whether the distribution needs another run (and when)."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    finished: bool = False
    run_again_at: datetime | None = None


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


class ConnectionLost(Exception):
    pass


def start_sending(distribution: Distribution, *, at: datetime) -> bool:
    """Move a scheduled distribution that is due at `at` to `sending`; True if it is now sending.

    Several workers may call this at once: the conditional UPDATE lets one of them start it, and every caller
    then sees `sending`. Safe to call again.
    """
    if distribution.status == Distribution.Status.SCHEDULED:
        if distribution.send_at and at < distribution.send_at:
            return False
        Distribution.objects.filter(pk=distribution.pk, status=Distribution.Status.SCHEDULED).update(
            status=Distribution.Status.SENDING, started_at=at
        )
        distribution.refresh_from_db()
    return distribution.status == Distribution.Status.SENDING


def recipients_of(distribution: Distribution):
    """Every contact in the distribution's lists or following its topics, once each."""
    list_ids = list(distribution.lists.values_list("pk", flat=True))
    topic_ids = list(distribution.topics.values_list("pk", flat=True))
    match = Q(lists__in=list_ids) | Q(topics__in=topic_ids)
    matching = MediaContact.objects.filter(match).values("pk")
    return MediaContact.objects.filter(pk__in=matching).order_by("pk")


def plan_deliveries(distribution: Distribution) -> Iterator[Delivery]:
    """One unsaved delivery per recipient, in contact order: `queued`, or `skipped` with the reason for opted-out
    and bouncing contacts. The sending stores exactly these and the confirmation screen counts exactly these, so
    the number a press officer confirms is the number the sending queues. Reads contacts in chunks."""
    contacts = recipients_of(distribution).only("pk", "name", "email", "outlet", "opted_out", "bounce_count")
    for contact in contacts.iterator(chunk_size=1000):
        reason = contact.skip_reason()
        yield Delivery(
            distribution=distribution,
            contact=contact,
            name=contact.name,
            email=contact.email,
            outlet=contact.outlet,
            status=Delivery.Status.SKIPPED if reason else Delivery.Status.QUEUED,
            reason=reason,
        )


@dataclass(frozen=True)
class RecipientCount:
    """Who a distribution would reach now: everyone matched, less those it must not email."""

    matched: int = 0
    opted_out: int = 0
    bouncing: int = 0

    @property
    def reachable(self) -> int:
        return self.matched - self.opted_out - self.bouncing


def count_recipients(distribution: Distribution) -> RecipientCount:
    """Count what `plan_deliveries` would queue and skip for `distribution` if it were sent now."""
    matched = opted_out = bouncing = 0
    for delivery in plan_deliveries(distribution):
        matched += 1
        if delivery.status == Delivery.Status.SKIPPED:
            if delivery.contact.opted_out:
                opted_out += 1
            else:
                bouncing += 1
    return RecipientCount(matched=matched, opted_out=opted_out, bouncing=bouncing)


def create_deliveries(distribution: Distribution, *, at: datetime) -> None:
    """Store `plan_deliveries`: a delivery record per recipient. Idempotent (one record per contact, enforced by
    a unique constraint), so two workers may both run it; memory stays flat because contacts are read in chunks."""
    if distribution.recipients_ready:
        return
    chunk = []
    for delivery in plan_deliveries(distribution):
        chunk.append(delivery)
        if len(chunk) >= 1000:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    if chunk:
        Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    Distribution.objects.filter(pk=distribution.pk).update(recipients_ready=True)
    distribution.recipients_ready = True


def recover_abandoned_batches(distribution: Distribution, *, at: datetime) -> int:
    """Apply the at-most-once rule to batches whose claim is older than the lease at `at` (a dead worker's):
    the lowest row left in `sending` becomes `interrupted`, the others go back to the queue. Returns how
    many rows were requeued. Safe to run from several workers: every UPDATE is conditional on the old claim."""
    stale = (
        Delivery.objects.filter(
            distribution=distribution, status=Delivery.Status.SENDING, claimed_at__lt=at - claim_lease()
        )
        .values("claim")
        .annotate(first=Min("pk"))
    )
    requeued = 0
    for row in list(stale):
        with transaction.atomic():
            in_flight = Delivery.objects.filter(pk=row["first"], claim=row["claim"], status=Delivery.Status.SENDING)
            if not in_flight.update(status=Delivery.Status.INTERRUPTED, reason=INTERRUPTED_REASON):
                continue  # another worker recovered this batch first
            requeued += Delivery.objects.filter(claim=row["claim"], status=Delivery.Status.SENDING).update(
                status=Delivery.Status.QUEUED, claim="", claimed_at=None
            )
    return requeued


def claim_batch(distribution: Distribution, *, at: datetime, size: int) -> list[Delivery]:
    """Take up to `size` due queued deliveries for this worker alone (conditional UPDATE), in pk order.

    The ids are read with SKIP LOCKED (PostgreSQL) inside the claiming transaction, so concurrent workers pick
    different rows rather than racing for the same ones; SQLite's IMMEDIATE transactions serialise claims.
    Either way the conditional UPDATE is what guarantees a row is claimed once.
    """
    due = Delivery.objects.filter(distribution=distribution, status=Delivery.Status.QUEUED).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=at)
    )
    claim = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(due.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return []
        # Only the delivery table's own columns in the WHERE, so PostgreSQL re-checks `status` after waiting
        # on a competing worker's row lock and the loser claims nothing.
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claim=claim, claimed_at=at, attempts=F("attempts") + 1
        )
    claimed = Delivery.objects.filter(claim=claim, status=Delivery.Status.SENDING).select_related("access_link")
    return list(claimed.order_by("pk"))


def give_access_links(distribution: Distribution, deliveries: list[Delivery], *, at: datetime) -> None:
    """Give the batch's deliveries their personal journalist links, made by embargo's `create_access_links` in one
    insert, with one audit entry for the batch.

    Only a hash of each token is stored, so the token lives in memory on the batch's deliveries until their
    messages are built, moments later. A delivery that already has a link (a retry after the mail server
    refused it, or a batch put back untried) keeps it, so a journalist never holds two links, but gets a new
    token: the old one was never delivered, and is no longer known. Once the embargo has lifted (between the
    check before the batch and now) no link is made: the message points at the public page.
    """
    from presscentre.embargo.services import access_link_refusal, create_access_links

    _renew_tokens([delivery.access_link for delivery in deliveries if delivery.access_link_id is not None])
    missing = [delivery for delivery in deliveries if delivery.access_link_id is None]
    release = distribution.release
    if not missing or access_link_refusal(release, at=at):
        return
    links = create_access_links(
        release,
        [(delivery.name, delivery.email, delivery.outlet) for delivery in missing],
        by=distribution.created_by,
        at=at,
    )
    for delivery, link in zip(missing, links, strict=True):
        delivery.access_link = link
    Delivery.objects.bulk_update(missing, ["access_link"])
    log(
        instance=release,
        action="presscentre.distribution.links",
        user=distribution.created_by,
        data={"distribution_id": distribution.pk, "links": len(links)},
    )


def _renew_tokens(links: list) -> None:
    """A fresh token for each link whose token is not in memory (only its hash is stored)."""
    from presscentre.embargo.models import AccessLink

    stale = [link for link in links if not link.token]
    for link in stale:
        link.issue_token()
    if stale:
        AccessLink.objects.bulk_update(stale, ["token_hash", "token_prefix"])


def _classify(error: Exception) -> Exception:
    """Turn what smtplib raised into temporary (retry), permanent (give up) or connection lost (ambiguous)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()), (550, b"refused"))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, message = error.smtp_code, error.smtp_error
    else:
        return ConnectionLost(str(error) or error.__class__.__name__)
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    reason = f"{code} {text}"[:480]
    return TemporaryFailure(reason) if 400 <= code < 500 else PermanentFailure(reason)


def send_one(email: ReleaseEmail, delivery: Delivery, *, connection, prepared: PreparedMessage | None = None) -> str:
    """Hand one recipient's message to the mail server; returns its Message-ID or raises a classified error.

    With an SMTP connection and a `prepared` message the bytes are sent as they are; otherwise (console,
    locmem or a provider's backend, or an address that is not ASCII) the message is built the usual way."""
    # The email's base is the public base (core.urls_public) that the link's own get_full_url() uses too.
    link_url = (
        f"{email.base_url}{delivery.access_link.get_absolute_url()}" if delivery.access_link_id else email.public_url
    )
    token = unsubscribe_token(delivery.contact_id) if delivery.contact_id else ""
    try:
        if prepared is not None and prepared.ready and token and delivery.email.isascii():
            data, message_id = prepared.render(to=delivery.email, link_url=link_url, unsubscribe_token=token)
            if connection.connection is None:
                connection.open()
            connection.connection.sendmail(prepared.from_address, [delivery.email], data)
            return message_id
        message = email.message_for(
            to=delivery.email,
            link_url=link_url,
            unsubscribe_url=unsubscribe_url(delivery.contact_id, base_url=email.base_url) if token else "",
            connection=connection,
        )
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise _classify(error) from error
    return message.extra_headers["Message-ID"]


def prepare(email: ReleaseEmail, connection) -> PreparedMessage | None:
    """A prepared message when the connection is Django's SMTP backend (whose socket it writes to)."""
    from django.core.mail.backends.smtp import EmailBackend

    return PreparedMessage(email) if isinstance(connection, EmailBackend) else None


def record(delivery: Delivery, **fields) -> bool:
    """Write one outcome, only if this batch still holds the row."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim, status=Delivery.Status.SENDING).update(**fields)
    )


def _retry_or_fail(delivery: Delivery, reason: str, *, at: datetime) -> str:
    if delivery.attempts >= max_attempts():
        record(delivery, status=Delivery.Status.FAILED, reason=f"Gave up after {delivery.attempts} attempts: {reason}")
        return "failed"
    record(
        delivery,
        status=Delivery.Status.QUEUED,
        reason=f"Will retry: {reason}",
        claim="",
        claimed_at=None,
        not_before=at + retry_delay(delivery.attempts),
    )
    return "retrying"


def release_unsent(deliveries: list[Delivery], *, at: datetime | None = None) -> None:
    """Put claimed but untried deliveries back in the queue (optionally not before `at`), untouched."""
    for claim in {delivery.claim for delivery in deliveries}:
        Delivery.objects.filter(claim=claim, status=Delivery.Status.SENDING, pk__in=[d.pk for d in deliveries]).update(
            status=Delivery.Status.QUEUED, claim="", claimed_at=None, not_before=at, attempts=F("attempts") - 1
        )


def send_batch(email: ReleaseEmail, batch: list[Delivery], *, connection, clock: Callable[[], datetime]) -> RunResult:
    """Send a claimed batch in pk order, writing each outcome as soon as the server answers."""
    result = RunResult()
    prepared = prepare(email, connection)
    for index, delivery in enumerate(batch):
        try:
            message_id = send_one(email, delivery, connection=connection, prepared=prepared)
        except TemporaryFailure as failure:
            outcome = _retry_or_fail(delivery, str(failure), at=clock())
            result.retrying += outcome == "retrying"
            result.failed += outcome == "failed"
            continue
        except PermanentFailure as failure:
            record(delivery, status=Delivery.Status.FAILED, reason=str(failure))
            MediaContact.objects.filter(pk=delivery.contact_id).update(bounce_count=F("bounce_count") + 1)
            result.failed += 1
            continue
        except ConnectionLost as lost:
            record(delivery, status=Delivery.Status.INTERRUPTED, reason=f"{CONNECTION_LOST_REASON} ({lost})"[:500])
            result.failed += 1
            connection.close()
            if not _reopen(connection):
                release_unsent(batch[index + 1 :], at=clock() + retry_delay(1))
                result.retrying += len(batch) - index - 1
                return result
            continue
        except Exception:
            # A bug, not the mail server: this message may have gone, the rest of the batch has not.
            record(delivery, status=Delivery.Status.INTERRUPTED, reason=INTERRUPTED_REASON)
            release_unsent(batch[index + 1 :])
            raise
        record(delivery, status=Delivery.Status.SENT, sent_at=clock(), message_id=message_id[:250], reason="")
        result.sent += 1
    return result


def _reopen(connection) -> bool:
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Mail server unavailable: %s", error)
        return False
    return True


def run_distribution(
    distribution_id: int, *, clock: Callable[[], datetime] = timezone.now, budget: timedelta | None = None
) -> RunResult:
    """Send what is due of one distribution, batch by batch, until it is done, cancelled, waiting on retries,
    or `budget` has been spent (so one big send does not hold the worker from an embargo lift).

    With PRESSCENTRE_DISTRIBUTION_CONNECTIONS above 1, that many threads each run the batch loop on their own
    SMTP and database connections: they claim batches exactly as separate workers would, so the rule in the
    module docstring holds, and the mail server's and database's round trips overlap.

    Safe to run any number of times, by any number of workers at once.
    """
    result = RunResult()
    distribution = Distribution.objects.select_related("release", "created_by").filter(pk=distribution_id).first()
    if distribution is None or not start_sending(distribution, at=clock()):
        if distribution is not None and distribution.status == Distribution.Status.SCHEDULED:
            result.run_again_at = distribution.send_at
        return result
    create_deliveries(distribution, at=clock())
    email = compose_release_email(distribution.release.specific, at=clock())
    Distribution.objects.filter(pk=distribution.pk, subject="").update(subject=email.subject[:500])
    deadline = clock() + budget if budget is not None else None
    loops = [_LoopResult() for _ in range(connections())]
    if len(loops) == 1:
        _send_batches(distribution, email, loops[0], clock=clock, deadline=deadline)
    else:
        _in_threads(distribution, email, loops, clock=clock, deadline=deadline)
    for loop in loops:
        result.sent += loop.sent
        result.failed += loop.failed
        result.retrying += loop.retrying
    stops = {loop.stop for loop in loops}
    if "cancelled" in stops:
        return result
    if "unavailable" in stops:
        result.run_again_at = clock() + retry_delay(1)
        return result
    if "budget" in stops:
        result.run_again_at = clock()
        return result
    return _finish_or_wait(distribution, result, at=clock())


def connections() -> int:
    return max(1, getattr(settings, "PRESSCENTRE_DISTRIBUTION_CONNECTIONS", 4))


@dataclass
class _LoopResult(RunResult):
    stop: str = "done"  # done, budget, cancelled, unavailable


def _in_threads(distribution, email, loops: list[_LoopResult], *, clock, deadline) -> None:
    errors: list[BaseException] = []

    def loop_in_thread(loop: _LoopResult) -> None:
        try:
            _send_batches(distribution, email, loop, clock=clock, deadline=deadline)
        except BaseException as error:  # re-raised below in the worker's own thread
            errors.append(error)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=loop_in_thread, args=(loop,)) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _send_batches(distribution, email: ReleaseEmail, loop: _LoopResult, *, clock, deadline) -> None:
    """Claim and send batches on one SMTP connection until none is due, or the deadline, or a cancel."""
    connection = None
    try:
        while True:
            if deadline is not None and clock() >= deadline:
                loop.stop = "budget"
                return
            recover_abandoned_batches(distribution, at=clock())
            if _cancelled(distribution):
                loop.stop = "cancelled"
                return
            batch = claim_batch(distribution, at=clock(), size=batch_size())
            if not batch:
                return
            if connection is None:
                connection = get_connection(fail_silently=False)
                if not _reopen(connection):
                    release_unsent(batch, at=clock() + retry_delay(1))
                    loop.stop = "unavailable"
                    return
            if email.embargoed:
                give_access_links(distribution, batch, at=clock())
            done = send_batch(email, batch, connection=connection, clock=clock)
            loop.sent += done.sent
            loop.failed += done.failed
            loop.retrying += done.retrying
    finally:
        if connection is not None:
            connection.close()


def _cancelled(distribution: Distribution) -> bool:
    status = Distribution.objects.filter(pk=distribution.pk).values_list("status", flat=True).first()
    return status != Distribution.Status.SENDING


def _finish_or_wait(distribution: Distribution, result: RunResult, *, at: datetime) -> RunResult:
    """Mark the distribution sent when nothing is queued or in flight; otherwise say when to look again."""
    pending = Delivery.objects.filter(
        distribution=distribution, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    next_retry = pending.filter(status=Delivery.Status.QUEUED).aggregate(at=Min("not_before"))["at"]
    if pending.exists():
        in_flight = pending.filter(status=Delivery.Status.SENDING).aggregate(at=Min("claimed_at"))["at"]
        candidates = [moment for moment in (next_retry, in_flight and in_flight + claim_lease()) if moment]
        result.run_again_at = max(min(candidates), at) if candidates else at
        return result
    finished = Distribution.objects.filter(pk=distribution.pk, status=Distribution.Status.SENDING).update(
        status=Distribution.Status.SENT, finished_at=at
    )
    result.finished = bool(finished)
    return result
