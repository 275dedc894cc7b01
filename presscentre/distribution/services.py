"""Distribution workflows: confirm, schedule, cancel, test send, unsubscribe, and the report's figures.

The sending itself (claims, retries, the at-most-once rule) lives in `sending.py`.
"""

import hashlib
import logging
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from presscentre.core.dates import admin_instant
from presscentre.distribution.models import Delivery, Distribution, MediaContact, normalise_email
from presscentre.distribution.release_email import TEST_SUBJECT_PREFIX, compose_release_email
from presscentre.distribution.sending import RecipientCount, count_recipients, recipients_of
from presscentre.distribution.tokens import contact_id_from_token, unsubscribe_url
from presscentre.newsroom.dates import embargo_line

logger = logging.getLogger(__name__)

CONFIRMATION_SALT = "presscentre.distribution.confirm"
TEST_UNSUBSCRIBE_NOTE = (
    "This test went to an address that is not a media contact, so it has no unsubscribe link. "
    "Each journalist's copy ends with a link that unsubscribes them alone."
)


def format_instant(at: datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """'09:30 GMT, Friday 4 December 2026' in `zone` (the current zone if None), as every admin screen writes it."""
    return admin_instant(at, zone)


def releases_newest_first():
    """Every press release for the release picker, newest first, each with `scheduled_for` (the go-live time of
    a revision approved for scheduled publishing, or None), read in the same query."""
    from wagtail.models import Revision

    from presscentre.newsroom.models import PressReleasePage

    scheduled = Revision.page_revisions.filter(
        object_id=Cast(OuterRef("pk"), output_field=CharField()), approved_go_live_at__isnull=False
    ).order_by("-created_at")
    return PressReleasePage.objects.annotate(
        scheduled_for=Subquery(scheduled.values("approved_go_live_at")[:1])
    ).order_by("-published_at", "-pk")


def release_state(release, *, at: datetime) -> str:
    """'draft', 'scheduled for ...', 'embargoed until ...' or 'live': what a release is at `at`, as the picker
    says it. Reads `scheduled_for` when `releases_newest_first` annotated it."""
    if not release.live:
        scheduled_for = getattr(release, "scheduled_for", None)
        return f"scheduled for {format_instant(scheduled_for)}" if scheduled_for else "draft"
    if release.is_embargoed_at(at):
        return embargo_line(release, "status")
    return "live"


def sending_refusal(distribution: Distribution, *, at: datetime, recipients: RecipientCount | None = None) -> str:
    """Why `distribution` cannot be sent (or scheduled) now, or '' when it can. Pass `recipients` when they
    have been counted already."""
    release = distribution.release
    if distribution.status != Distribution.Status.DRAFT:
        return f"This distribution is already {distribution.get_status_display().lower()}."
    if not release.live:
        return "Publish the release first: a journalist's link only opens a published release."
    if not distribution.lists.exists() and not distribution.topics.exists():
        return "Choose at least one list or topic."
    if recipients is None:
        if not recipients_of(distribution).exists():
            return "The chosen lists and topics have no contacts."
        recipients = count_recipients(distribution)
    if not recipients.matched:
        return "The chosen lists and topics have no contacts."
    if not recipients.reachable:
        return (
            f"Nobody would receive it: all {recipients.matched} contacts in the chosen lists and topics have "
            "opted out or their addresses bounce."
        )
    return ""


@dataclass(frozen=True)
class SendingSummary:
    """What a distribution would send, as the confirmation screen names it before anything is queued."""

    distribution: Distribution
    list_names: list[str]
    topic_names: list[str]
    recipients: RecipientCount
    send_at: datetime | None
    embargo: str
    subject: str
    refusal: str

    @property
    def headline(self) -> str:
        return self.distribution.release.title

    @property
    def send_time(self) -> str:
        return format_instant(self.send_at) if self.send_at else ""

    def fingerprint(self) -> list:
        """Everything the press officer is shown and agrees to; a change to any of it means confirming again."""
        distribution = self.distribution
        release = distribution.release
        return [
            distribution.pk,
            release.pk,
            release.title,
            release.embargo_until.isoformat() if release.embargo_until else "",
            sorted(distribution.lists.values_list("pk", flat=True)),
            sorted(distribution.topics.values_list("pk", flat=True)),
            self.send_at.isoformat() if self.send_at else "",
            self.recipients.reachable,
        ]

    def token(self) -> str:
        """The signed fingerprint the confirmation form carries: only that form can ask for the send."""
        return signing.dumps(self.fingerprint(), salt=CONFIRMATION_SALT)

    def confirmed_by(self, token: str) -> bool:
        try:
            return signing.loads(token or "", salt=CONFIRMATION_SALT) == self.fingerprint()
        except signing.BadSignature:
            return False


def summarise_sending(distribution: Distribution, *, at: datetime, send_at: datetime | None = None) -> SendingSummary:
    """The confirmation screen's facts: release, lists and topics, recipients after opt-outs and bounces (counted
    by the sending's own `count_recipients`), the embargo instant as the email will state it, and any refusal."""
    release = distribution.release.specific
    sends_at = send_at if send_at is not None and send_at > at else at
    recipients = count_recipients(distribution)
    if release.is_embargoed_at(sends_at):
        embargo = embargo_line(release, "sentence")
    else:
        embargo = "For immediate release"
    return SendingSummary(
        distribution=distribution,
        list_names=list(distribution.lists.order_by("name").values_list("name", flat=True)),
        topic_names=list(distribution.topics.order_by("name").values_list("name", flat=True)),
        recipients=recipients,
        send_at=send_at if send_at is not None and send_at > at else None,
        embargo=embargo,
        subject=compose_release_email(release, at=sends_at).subject,
        refusal=sending_refusal(distribution, at=at, recipients=recipients),
    )


def send_confirmed(distribution: Distribution, *, token: str, by, at: datetime, send_at: datetime | None) -> None:
    """Queue the send the press officer confirmed. Raises ValueError, changing nothing, if the token is not from
    the confirmation screen or what it confirmed has changed since (lists, topics, recipients, embargo, time)."""
    summary = summarise_sending(distribution, at=at, send_at=send_at)
    if summary.refusal:
        raise ValueError(summary.refusal)
    if not summary.confirmed_by(token):
        raise ValueError("What this distribution would send has changed since it was shown: check it again.")
    schedule_distribution(distribution, by=by, at=at, send_at=summary.send_at, recipients=summary.recipients)


def queue_sending(
    distribution_id: int, *, at: datetime | None = None, after: str = "", now: datetime | None = None
) -> bool:
    """Queue a sending run of the distribution (for `at`, if the queue can wait; else at once) as its next run.

    The distribution names one next run (`next_run`, `next_run_at`): the run that keeps it going. A press officer's
    Send or Resume, or `resume_stalled_sends`, queue a run that always takes that place. A run passing the send on
    (`after` = its own token) queues its successor only if it holds the place, or no run is queued, or the queued
    one is due later or is overdue by a lease (lost); otherwise the queued one carries on and nothing is queued.
    Returns whether a run was queued. The queue row is written in the same transaction when the queue is this
    database's table, so the send and its next run commit together; with another backend, after the commit.
    """
    from presscentre.distribution.sending import claim_lease
    from presscentre.distribution.tasks import send_distribution_task

    backend = send_distribution_task.get_backend()
    if at is not None and not backend.supports_defer:
        return False  # the immediate backend (tests) cannot wait; its single run already sent what was due
    now = now or timezone.now()
    due = at or now
    takes_place = Q()
    if after:
        takes_place = (
            Q(next_run=after)
            | Q(next_run="")
            | Q(next_run_at__isnull=True)
            | Q(next_run_at__gt=due)
            | Q(next_run_at__lt=now - claim_lease())
        )
    token = uuid.uuid4().hex
    with transaction.atomic():
        placed = Distribution.objects.filter(
            takes_place, pk=distribution_id, status__in=[Distribution.Status.SCHEDULED, Distribution.Status.SENDING]
        ).update(next_run=token, next_run_at=due)
        if placed:
            _enqueue(
                send_distribution_task if at is None else send_distribution_task.using(run_after=at),
                distribution_id,
                token,
            )
    return bool(placed)


def _enqueue(task, distribution_id: int, token: str) -> None:
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(distribution_id, run=token)
    else:
        transaction.on_commit(lambda: task.enqueue(distribution_id, run=token))


def follow_up_sending(distribution_id: int, *, run: str, at: datetime) -> str | None:
    """Called as a sending run starts at `at`, before it sends anything: queue its own successor for when the run
    should long be over (its budget and half a lease), so that the send goes on even if this run's worker dies.

    Returns the successor's token, which the run passes on when it ends. None when the run should do nothing: the
    distribution is not scheduled or sending, or another run has taken this run's place since it was queued (then
    that run carries the send). A run without a token (queued by a press officer or an older version) always goes.
    The same run started again (the task worker runs a task again after a lost database connection) finds its
    successor already queued, since the successor's token derives from its own, and goes on without another.
    """
    from presscentre.distribution.sending import claim_lease
    from presscentre.distribution.tasks import RUN_BUDGET, send_distribution_task

    wake = at + RUN_BUDGET + claim_lease() / 2
    successor = hashlib.sha256(f"successor of {run}".encode()).hexdigest()[:32] if run else uuid.uuid4().hex
    active = Distribution.objects.filter(
        pk=distribution_id, status__in=[Distribution.Status.SCHEDULED, Distribution.Status.SENDING]
    )
    with transaction.atomic():
        if active.filter(Q(next_run=run) if run else Q()).update(next_run=successor, next_run_at=wake):
            _enqueue(send_distribution_task.using(run_after=wake), distribution_id, successor)
            return successor
    return successor if run and active.filter(next_run=successor).exists() else None


def resume_stalled_sends(*, at: datetime) -> list[int]:
    """Queue a run for every distribution that should be sending at `at` but that nothing moves: sending (or
    scheduled and due) for over a lease, with no claim renewed within the lease and no next run due within it
    (its worker died before queueing one, or the queued run was lost). Returns their ids.

    Each run queues its successor before it sends, so a send goes on by itself; this is the safety net for the
    task worker's periodic chores. Safe to call often and from several processes: a queued run is due at `at`,
    so the same distribution is not queued again for a lease, and a run more than is needed sends nothing twice.
    """
    from presscentre.distribution.sending import claim_lease

    cutoff = at - claim_lease()
    live_claims = Delivery.objects.filter(
        distribution=OuterRef("pk"), status=Delivery.Status.SENDING, claimed_at__gte=cutoff
    )
    stalled = (
        Distribution.objects.filter(
            Q(status=Distribution.Status.SENDING, started_at__lt=cutoff)
            | Q(status=Distribution.Status.SCHEDULED, send_at__lt=cutoff)
        )
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lt=cutoff))
        .exclude(Exists(live_claims))
    )
    resumed = []
    for distribution_id in stalled.values_list("pk", flat=True):
        if queue_sending(distribution_id, now=at):
            resumed.append(distribution_id)
    if resumed:
        logger.warning("Distributions %s had stalled: a sending run is queued for each", resumed)
    return resumed


def schedule_distribution(
    distribution: Distribution,
    *,
    by,
    at: datetime,
    send_at: datetime | None = None,
    recipients: RecipientCount | None = None,
) -> None:
    """Send `distribution` now (`send_at` None) or at `send_at`. Raises ValueError with the reason if it cannot
    be sent; a second call finds it no longer a draft and changes nothing. Pass `recipients` if already counted."""
    refusal = sending_refusal(distribution, at=at, recipients=recipients)
    if refusal:
        raise ValueError(refusal)
    if send_at is not None and send_at <= at:
        send_at = None
    with transaction.atomic():
        scheduled = Distribution.objects.filter(pk=distribution.pk, status=Distribution.Status.DRAFT).update(
            status=Distribution.Status.SCHEDULED, send_at=send_at or at
        )
        if not scheduled:
            raise ValueError("This distribution has already been sent or scheduled.")
        distribution.refresh_from_db()
        log(
            instance=distribution.release,
            action="presscentre.distribution.schedule",
            user=by,
            data={"distribution_id": distribution.pk, "send_at": distribution.send_at.isoformat()},
        )
        queue_sending(distribution.pk, at=send_at, now=at)


def resume_distribution(distribution: Distribution, *, at: datetime | None = None) -> bool:
    """Queue another sending run for a distribution that is still sending (a send resumes by itself within a
    minute of its worker dying; this is the press officer's way to ask for it at once).

    Always safe: the run sends only queued rows, and a batch a dead worker left half-sent is settled by the
    at-most-once rule once its lease has passed. Returns False (and queues nothing) unless it is sending.
    """
    if distribution.status != Distribution.Status.SENDING:
        return False
    return queue_sending(distribution.pk, now=at)


def cancel_distribution(distribution: Distribution, *, by, at: datetime) -> int:
    """Stop a distribution: nothing queued goes out (a batch already being handed to the server finishes).

    Returns how many deliveries were cancelled; cancelling twice changes nothing.
    """
    with transaction.atomic():
        stopped = Distribution.objects.filter(
            pk=distribution.pk, status__in=[Distribution.Status.DRAFT, Distribution.Status.SCHEDULED, "sending"]
        ).update(status=Distribution.Status.CANCELLED, cancelled_at=at, cancelled_by=by)
        if not stopped:
            return 0
        cancelled = Delivery.objects.filter(distribution=distribution, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED, reason="Cancelled before sending", claim=""
        )
        log(
            instance=distribution.release,
            action="presscentre.distribution.cancel",
            user=by,
            data={"distribution_id": distribution.pk, "cancelled": cancelled},
        )
    distribution.refresh_from_db()
    return cancelled


def send_test_email(distribution: Distribution, *, to: str, at: datetime) -> None:
    """Send the press officer the email as a journalist would get it, marked [Test]. For an embargoed
    release the personal link is replaced by the staff page of journalist links: no access link is made.
    If the address belongs to a media contact, its unsubscribe link is that contact's real one; otherwise the
    footer says that each journalist's copy carries their own."""
    release = distribution.release.specific
    contact = MediaContact.objects.filter(email=normalise_email(to)).first()
    email = compose_release_email(release, at=at, unsubscribe_note="" if contact else TEST_UNSUBSCRIBE_NOTE)
    if email.embargoed:
        link = f"{settings.WAGTAILADMIN_BASE_URL}{reverse('embargo_admin:links', args=[release.pk])}"
    else:
        link = email.public_url
    unsubscribe = unsubscribe_url(contact.pk, base_url=email.base_url) if contact else ""
    message = email.message_for(to=to, link_url=link, unsubscribe_url=unsubscribe)
    message.subject = f"{TEST_SUBJECT_PREFIX}{message.subject}"
    message.send()


def preview(distribution: Distribution, *, at: datetime) -> dict:
    """Subject, HTML and text of the email as it would be sent at `at`, with sample links."""
    email = compose_release_email(distribution.release.specific, at=at)
    personal = f"{email.base_url}{reverse('embargo:link', args=['each-journalists-own-token'])}"
    sample = email.message_for(
        to="journalist@example.org",
        link_url=personal if email.embargoed else email.public_url,
        unsubscribe_url=f"{email.base_url}{reverse('distribution:unsubscribe', args=['each-journalists-own-token'])}",
    )
    return {"subject": email.subject, "text": sample.body, "html": sample.alternatives[0][0], "email": email}


def unsubscribe(token: str, *, at: datetime) -> MediaContact | None:
    """Opt the token's contact out of all mail. Returns the contact (None for a bad token); twice is harmless."""
    contact_id = contact_id_from_token(token)
    if contact_id is None:
        return None
    contact = MediaContact.objects.filter(pk=contact_id).first()
    if contact is None:
        return None
    MediaContact.objects.filter(pk=contact.pk, opted_out=False).update(opted_out=True, opted_out_at=at)
    contact.refresh_from_db()
    return contact


def contact_for_token(token: str) -> MediaContact | None:
    contact_id = contact_id_from_token(token)
    return MediaContact.objects.filter(pk=contact_id).first() if contact_id is not None else None


def delivery_counts(distribution: Distribution) -> dict[str, int]:
    """Deliveries by status, in one query, with `total` and `done` (no longer queued or in flight). Recipients who
    were erased since ("forget me") still count, by the status their delivery had."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for status, erased in (distribution.erased or {}).items():
        if status in counts:
            counts[status] += int(erased)
    for row in distribution.deliveries.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] += row["n"]
    counts["total"] = sum(counts[status] for status in Delivery.Status.values)
    counts["done"] = counts["total"] - counts[Delivery.Status.QUEUED] - counts[Delivery.Status.SENDING]
    counts["percent"] = round(100 * counts["done"] / counts["total"]) if counts["total"] else 0
    return counts


def journalist_activity(distribution: Distribution) -> list:
    """Recipients who opened their personal link or downloaded through it, from the embargo access log."""
    access_link = apps.get_model("embargo", "AccessLink")
    links = (
        access_link.objects.filter(
            pk__in=distribution.deliveries.filter(access_link__isnull=False).values("access_link")
        )
        .with_activity()
        .filter(Q(views__gt=0) | Q(downloads__gt=0))
        .order_by("-last_viewed_at", "name")
    )
    return list(links)


def failures(distribution: Distribution, *, limit: int = 500) -> list[Delivery]:
    problem = [Delivery.Status.FAILED, Delivery.Status.INTERRUPTED]
    return list(distribution.deliveries.filter(status__in=problem).order_by("pk")[:limit])
