"""Sending a distribution: claim a batch of deliveries, send each, record each outcome.

The at-most-once rule. A delivery is handed to the mail server only by the worker that moved it from `queued` to
`sending` with a conditional UPDATE (`... WHERE status = 'queued'`): two workers, a retried task or a restarted
worker can never both win the same row. The claim is also a fencing token. Just before each message goes to the
server, the worker proves it still holds the row with one more conditional UPDATE (`SET handing_over_at = now WHERE
id = .. AND claim = <its claim> AND status = 'sending'`); if that changes no row, the claim was lost (the worker
stalled past the lease and its batch was given to others) and the batch stops at once: nothing more is sent from it.

A live worker renews its claim every PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS (`claimed_at`). A claim not
renewed for PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS is a dead or frozen worker's: recovery marks the rows it had
begun to hand over (`handing_over_at` set, no outcome) `interrupted` (they may have arrived, so they are not sent
again) and puts the rows it never touched back in the queue. Both UPDATEs are conditional on the old claim and on
`claimed_at` still being stale, so a worker that wakes up either finds its next row gone or was never taken over.

What the server answered decides the rest. 250: sent. 4xx: a definite "not now", retried with backoff. 5xx: failed,
and the contact's bounce count goes up. A failure before the message data was handed over (no connection, a refused
or dropped connection during MAIL FROM or RCPT TO) means the server never had it: retried with backoff like a 4xx.
Only a connection lost after DATA began is ambiguous: `interrupted`.

The database can go away too, between any two of these writes, and a write whose reply was lost may or may not have
committed. The worker always knows what it did on the mail side, so it waits for the database to answer (up to
DATABASE_PATIENCE) and writes again: the fence, the heartbeat and every outcome are idempotent single-row UPDATEs. A
fence that had committed while recovery took the batch over (an outage longer than the lease) leaves the row
`interrupted` under this worker's claim although nothing was handed over; the worker takes such a row back into
the queue rather than let it pass for "may have arrived".

Queries: a batch costs a fixed number of queries plus two single-row UPDATEs per recipient (the fence before and the
outcome after), and one heartbeat UPDATE per heartbeat interval.
"""

import logging
import smtplib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F, Min, Q
from django.utils import timezone
from wagtail.log_actions import log

from presscentre.distribution import kinds
from presscentre.distribution.models import Delivery, Distribution, MediaContact
from presscentre.distribution.release_email import PreparedMessage, ReleaseEmail, compose_release_email
from presscentre.distribution.tokens import unsubscribe_token, unsubscribe_url

logger = logging.getLogger(__name__)
T = TypeVar("T")

INTERRUPTED_REASON = "The worker stopped while handing this message to the mail server; it may have arrived, "
INTERRUPTED_REASON += "so it is not sent again automatically."
CONNECTION_LOST_REASON = "The connection dropped while sending; the message may have arrived, so it is not sent again."
UNREACHABLE_REASON = "The mail server could not be reached, so the message was not handed over"


def batch_size() -> int:
    return getattr(settings, "PRESSCENTRE_DISTRIBUTION_BATCH_SIZE", 50)


def claim_lease() -> timedelta:
    """How long a claim may go unrenewed before it counts as a dead (or frozen) worker's."""
    return timedelta(seconds=getattr(settings, "PRESSCENTRE_DISTRIBUTION_LEASE_SECONDS", 60))


def heartbeat_interval() -> timedelta:
    """How often a sending worker renews its claim; settings.py keeps the lease at least three of these."""
    return timedelta(seconds=getattr(settings, "PRESSCENTRE_DISTRIBUTION_HEARTBEAT_SECONDS", 10))


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
    # Why a batch stopped early: "claim lost" (this worker was taken for dead) or "unavailable" (no mail server).
    stopped: str = ""


class TemporaryFailure(Exception):
    """The server answered 4xx: not accepted, try again later."""


class PermanentFailure(Exception):
    """The server answered 5xx: not accepted, ever."""


class NotHandedOver(Exception):
    """No connection, or it failed before the message data was sent: the server never had the message."""


class ConnectionLost(Exception):
    """The connection failed after DATA began: the message may have arrived."""


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
    the number a press officer confirms is the number the sending queues. Reads contacts in chunks.

    A distribution of another kind (an alert, a digest) has the recipients its kind plans (kinds.py)."""
    if distribution.kind != Distribution.Kind.RELEASE:
        yield from kinds.kind_of(distribution).recipients(distribution)
        return
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
    """Settle the batches of `distribution` whose claim has not been renewed within the lease before `at` (a dead or
    frozen worker's): rows it had begun to hand over become `interrupted`, rows it never touched go back to the
    queue. Returns how many rows were requeued.

    Safe to run from several workers at once, and against a worker that wakes up: every UPDATE is conditional on the
    old claim and on its stale `claimed_at`, and the fence a worker sets before each send is a single-row UPDATE, so
    each row is either marked by its worker first (and interrupted here) or requeued here first (and the worker's
    fence then fails, stopping its batch).
    """
    cutoff = at - claim_lease()
    sending = Delivery.objects.filter(distribution=distribution, status=Delivery.Status.SENDING, claimed_at__lt=cutoff)
    requeued = 0
    for claim in sorted(set(sending.values_list("claim", flat=True))):
        with transaction.atomic():
            abandoned = sending.filter(claim=claim)
            requeued += abandoned.filter(handing_over_at__isnull=True).update(
                status=Delivery.Status.QUEUED, claim="", claimed_at=None, attempts=F("attempts") - 1
            )
            abandoned.filter(handing_over_at__isnull=False).update(
                status=Delivery.Status.INTERRUPTED, reason=INTERRUPTED_REASON
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
            status=Delivery.Status.SENDING, claim=claim, claimed_at=at, handing_over_at=None, attempts=F("attempts") + 1
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


def _refusal(code: int, message) -> Exception:
    """The server's definite answer as a temporary (4xx) or permanent failure."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    reason = f"{code} {text}"[:480]
    return TemporaryFailure(reason) if 400 <= code < 500 else PermanentFailure(reason)


def _classify(error: Exception) -> Exception:
    """What a backend other than SMTP raised: the server's answer if it carries one, otherwise ambiguous."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()), (550, b"refused"))
        return _refusal(code, message)
    if isinstance(error, smtplib.SMTPResponseException):
        return _refusal(error.smtp_code, error.smtp_error)
    return ConnectionLost(_describe(error))


def _describe(error: Exception) -> str:
    return str(error) or error.__class__.__name__


def _is_smtp(connection) -> bool:
    from django.core.mail.backends.smtp import EmailBackend

    return isinstance(connection, EmailBackend)


def _reset(smtp: smtplib.SMTP, code: int) -> None:
    """Make the connection ready for the next message after a refusal (smtplib's sendmail does the same)."""
    if code == 421:  # the server is closing the connection
        smtp.close()
        return
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def hand_over(connection, from_address: str, recipients: list[str], data: bytes) -> None:
    """Send one message with MAIL FROM, RCPT TO and DATA on Django's SMTP backend `connection`, opening it if needed.

    smtplib's `sendmail` does the same steps, but its errors do not say how far it got, and that decides the rule:
    a failure before DATA (no connection, refused, dropped) raises NotHandedOver, since the server never had the
    message; a connection lost once DATA began raises ConnectionLost (it may have arrived); a refusal from the
    server raises TemporaryFailure or PermanentFailure.
    """
    try:
        if connection.connection is None:
            connection.open()
        smtp = connection.connection
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, reply = smtp.mail(from_address, options)
        if code != 250:
            _reset(smtp, code)
            raise _refusal(code, reply)
        refused = {}
        for address in recipients:
            code, reply = smtp.rcpt(address)
            if code not in (250, 251):
                refused[address] = (code, reply)
        if len(refused) == len(recipients):
            code, reply = next(iter(refused.values()))
            _reset(smtp, code)
            raise _refusal(code, reply)
    except (smtplib.SMTPException, OSError) as error:
        raise NotHandedOver(f"{UNREACHABLE_REASON} ({_describe(error)})"[:480]) from error
    try:
        code, reply = smtp.data(data)
    except smtplib.SMTPDataError as refused:  # the DATA command itself was refused: no data was sent
        _reset(smtp, refused.smtp_code)
        raise _refusal(refused.smtp_code, refused.smtp_error) from refused
    except (smtplib.SMTPException, OSError) as error:
        raise ConnectionLost(_describe(error)) from error
    if code != 250:
        _reset(smtp, code)
        raise _refusal(code, reply)


def _wire_form(message) -> tuple[str, list[str], bytes]:
    """Envelope sender, recipients and bytes of a Django email, exactly as Django's SMTP backend sends them."""
    from django.core.mail.message import sanitize_address

    encoding = message.encoding or settings.DEFAULT_CHARSET
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    return sanitize_address(message.from_email, encoding), recipients, message.message().as_bytes(linesep="\r\n")


def send_one(email: ReleaseEmail, delivery: Delivery, *, connection, prepared: PreparedMessage | None = None) -> str:
    """Hand one recipient's message to the mail server; returns its Message-ID or raises a classified error.

    On Django's SMTP backend the message goes out step by step (`hand_over`), from the `prepared` bytes when they
    serve (an ASCII address); other backends (console, locmem, a provider's) send it the usual way, and an error
    from them that is not the server's answer counts as "may have arrived"."""
    # The email's base is the public base (core.urls_public) that the link's own get_full_url() uses too.
    link_url = (
        f"{email.base_url}{delivery.access_link.get_absolute_url()}" if delivery.access_link_id else email.public_url
    )
    token = unsubscribe_token(delivery.contact_id) if delivery.contact_id else ""
    if _is_smtp(connection) and prepared is not None and prepared.ready and token and delivery.email.isascii():
        data, message_id = prepared.render(to=delivery.email, link_url=link_url, unsubscribe_token=token)
        hand_over(connection, prepared.from_address, [delivery.email], data)
        return message_id
    message = email.message_for(
        to=delivery.email,
        link_url=link_url,
        unsubscribe_url=unsubscribe_url(delivery.contact_id, base_url=email.base_url) if token else "",
        connection=connection,
        delivery=delivery,
    )
    if _is_smtp(connection):
        hand_over(connection, *_wire_form(message))
    else:
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            raise _classify(error) from error
    return message.extra_headers["Message-ID"]


def prepare(email: ReleaseEmail, connection) -> PreparedMessage | None:
    """A prepared message when the connection is Django's SMTP backend (whose socket it writes to)."""
    return PreparedMessage(email) if _is_smtp(connection) and isinstance(email, ReleaseEmail) else None


DATABASE_PATIENCE = timedelta(minutes=10)
DATABASE_ERRORS = (OperationalError, InterfaceError)


def until_the_database_answers(write: Callable[..., T], *args, **kwargs) -> T:
    """Run an idempotent `write(*args, **kwargs)`; while the database connection is lost, reconnect and run it again,
    waiting 0.5 s, then 1 s, 2 s and at most 5 s between tries, for up to DATABASE_PATIENCE, then let the error go."""
    waited, pause = 0.0, 0.5
    while True:
        try:
            return write(*args, **kwargs)
        except DATABASE_ERRORS as error:
            if waited >= DATABASE_PATIENCE.total_seconds():
                raise
            logger.warning("Database unavailable while sending (%s); trying again in %.1f s", error, pause)
        if not db_connection.in_atomic_block:
            db_connection.close()  # the next query opens a fresh connection
        time.sleep(pause)
        waited += pause
        pause = min(pause * 2, 5.0)


def fence(delivery: Delivery, *, at: datetime) -> bool:
    """Mark `delivery` as being handed over at `at`, if this batch still holds it; False means the claim was lost."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim, status=Delivery.Status.SENDING).update(
            handing_over_at=at
        )
    )


def take_back(delivery: Delivery) -> bool:
    """Put back in the queue a row this batch fenced but never handed over, which recovery may meanwhile have marked
    `interrupted` (its fence committed while the database's reply was lost). Changes nothing if the row is no longer
    under this batch's claim."""
    return record(
        delivery,
        status=Delivery.Status.QUEUED,
        reason="",
        claim="",
        claimed_at=None,
        handing_over_at=None,
        attempts=F("attempts") - 1,
    )


def renew_claim(claim: str, *, at: datetime) -> int:
    """The heartbeat: this batch's rows still in `sending` were claimed by a live worker at `at`."""
    return Delivery.objects.filter(claim=claim, status=Delivery.Status.SENDING).update(claimed_at=at)


def record(delivery: Delivery, **fields) -> bool:
    """Write one outcome, only if this batch still holds the row, waiting for the database if it is away: the
    worker knows what happened to the message, and that must not be lost with a connection.

    A worker that stalled past the lease may find the row it was handing over marked `interrupted` by recovery.
    Its outcome then replaces that guess: only this batch could have sent the row, and nobody sends it again. If
    the outcome puts the row back in the queue (the server never had it) and the distribution was meanwhile marked
    sent, the distribution goes back to sending so that the row is not dropped.
    """
    return until_the_database_answers(_record, delivery, **fields)


def _record(delivery: Delivery, **fields) -> bool:
    mine = Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim)
    if mine.filter(status=Delivery.Status.SENDING).update(**fields):
        return True
    if not mine.filter(status=Delivery.Status.INTERRUPTED, handing_over_at__isnull=False).update(**fields):
        return False
    if fields.get("status") == Delivery.Status.QUEUED:
        Distribution.objects.filter(pk=delivery.distribution_id, status=Distribution.Status.SENT).update(
            status=Distribution.Status.SENDING, finished_at=None
        )
    return True


def _retry_or_fail(delivery: Delivery, reason: str, *, at: datetime) -> str:
    if delivery.attempts >= max_attempts():
        record(delivery, status=Delivery.Status.FAILED, reason=f"Gave up after {delivery.attempts} attempts: {reason}")
        return "failed"
    record(
        delivery,
        status=Delivery.Status.QUEUED,
        reason=f"Will retry: {reason}"[:500],
        claim="",
        claimed_at=None,
        handing_over_at=None,
        not_before=at + retry_delay(delivery.attempts),
    )
    return "retrying"


def release_unsent(deliveries: list[Delivery], *, at: datetime | None = None) -> None:
    """Put claimed but untried deliveries back in the queue (optionally not before `at`), untouched."""
    for claim in {delivery.claim for delivery in deliveries}:
        Delivery.objects.filter(
            claim=claim,
            status=Delivery.Status.SENDING,
            handing_over_at__isnull=True,
            pk__in=[d.pk for d in deliveries],
        ).update(status=Delivery.Status.QUEUED, claim="", claimed_at=None, not_before=at, attempts=F("attempts") - 1)


def send_batch(email: ReleaseEmail, batch: list[Delivery], *, connection, clock: Callable[[], datetime]) -> RunResult:
    """Send a claimed batch in pk order: fence each row, hand it over, write its outcome as soon as the server
    answers, and renew the claim every heartbeat. Stops at once if the claim was lost, and puts the untried rest
    back in the queue if the mail server cannot be reached."""
    result = RunResult()
    prepared = prepare(email, connection)
    renewed_at = min((delivery.claimed_at for delivery in batch if delivery.claimed_at), default=clock())
    for index, delivery in enumerate(batch):
        now = clock()
        if now - renewed_at >= heartbeat_interval():
            until_the_database_answers(renew_claim, delivery.claim, at=now)
            renewed_at = now
        if not until_the_database_answers(fence, delivery, at=now):
            # Taken for dead (stalled past the lease): the rest of the batch is someone else's now. This row was
            # not handed over; if a fence of ours committed unseen before recovery took it, it comes back here.
            take_back(delivery)
            logger.warning(
                "Distribution %s: claim %s was lost, its batch stops", delivery.distribution_id, delivery.claim
            )
            result.stopped = "claim lost"
            return result
        try:
            message_id = send_one(email, delivery, connection=connection, prepared=prepared)
        except TemporaryFailure as failure:
            _count(result, _retry_or_fail(delivery, str(failure), at=clock()))
            if not _usable(connection) and not _reconnect(connection):
                return _stop_unavailable(result, batch[index + 1 :], at=clock())
            continue
        except PermanentFailure as failure:
            record(delivery, status=Delivery.Status.FAILED, reason=str(failure))
            MediaContact.objects.filter(pk=delivery.contact_id).update(bounce_count=F("bounce_count") + 1)
            result.failed += 1
            if not _usable(connection) and not _reconnect(connection):
                return _stop_unavailable(result, batch[index + 1 :], at=clock())
            continue
        except NotHandedOver as failure:
            _count(result, _retry_or_fail(delivery, str(failure), at=clock()))
            if not _reconnect(connection):
                return _stop_unavailable(result, batch[index + 1 :], at=clock())
            continue
        except ConnectionLost as lost:
            record(delivery, status=Delivery.Status.INTERRUPTED, reason=f"{CONNECTION_LOST_REASON} ({lost})"[:500])
            result.failed += 1
            if not _reconnect(connection):
                return _stop_unavailable(result, batch[index + 1 :], at=clock())
            continue
        except Exception:
            # A bug, not the mail server: this message may have gone, the rest of the batch has not.
            record(delivery, status=Delivery.Status.INTERRUPTED, reason=INTERRUPTED_REASON)
            release_unsent(batch[index + 1 :])
            raise
        record(delivery, status=Delivery.Status.SENT, sent_at=clock(), message_id=message_id[:250], reason="")
        result.sent += 1
    return result


def _count(result: RunResult, outcome: str) -> None:
    result.retrying += outcome == "retrying"
    result.failed += outcome == "failed"


def _stop_unavailable(result: RunResult, untried: list[Delivery], *, at: datetime) -> RunResult:
    release_unsent(untried, at=at + retry_delay(1))
    result.retrying += len(untried)
    result.stopped = "unavailable"
    return result


def _usable(connection) -> bool:
    """False when an SMTP connection was closed (by the server's 421, or a failed reset)."""
    if not _is_smtp(connection):
        return True
    return connection.connection is not None and connection.connection.sock is not None


def _reconnect(connection) -> bool:
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        connection.connection = None  # closing a dead connection can fail: drop it all the same
    return _reopen(connection)


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
    if distribution.kind == Distribution.Kind.RELEASE:
        email = compose_release_email(distribution.release.specific, at=clock())
    else:
        email = kinds.compose(distribution, at=clock())
        if email is None:  # its item is not public (unpublished since, or embargoed again): nothing may go
            _cancel_unsendable(distribution, at=clock())
            return result
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
    if stops & {"budget", "claim lost"}:
        # A thread that lost its claim stalled for a lease: the run ends, and its continuation starts afresh (an
        # embargo may have lifted meanwhile, which changes the email).
        result.run_again_at = clock()
        return result
    return _finish_or_wait(distribution, result, at=clock())


def connections() -> int:
    return max(1, getattr(settings, "PRESSCENTRE_DISTRIBUTION_CONNECTIONS", 4))


@dataclass
class _LoopResult(RunResult):
    stop: str = "done"  # done, budget, cancelled, unavailable, claim lost


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
            if done.stopped:
                loop.stop = done.stopped
                return
    finally:
        if connection is not None:
            try:
                connection.close()
            except (smtplib.SMTPException, OSError) as error:
                logger.warning("Closing the mail server connection failed: %s", error)


def _cancel_unsendable(distribution: Distribution, *, at: datetime) -> None:
    logger.warning("Distribution %s cancelled: its item is not public at %s", distribution.pk, at.isoformat())
    with transaction.atomic():
        Distribution.objects.filter(pk=distribution.pk, status=Distribution.Status.SENDING).update(
            status=Distribution.Status.CANCELLED, cancelled_at=at, next_run="", next_run_at=None
        )
        distribution.deliveries.filter(status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED, reason="Not sent: the item is not public."
        )


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
        # Another worker's batch: look again just after its lease would end if it stopped renewing its claim.
        lease_end = in_flight and in_flight + claim_lease() + timedelta(seconds=1)
        candidates = [moment for moment in (next_retry, lease_end) if moment]
        result.run_again_at = max(min(candidates), at) if candidates else at
        return result
    finished = Distribution.objects.filter(pk=distribution.pk, status=Distribution.Status.SENDING).update(
        status=Distribution.Status.SENT, finished_at=at, next_run="", next_run_at=None
    )
    result.finished = bool(finished)
    return result
