"""Distribution workflows: schedule, cancel, test send, unsubscribe, and the report's figures.

The sending itself (claims, retries, the at-most-once rule) lives in `sending.py`.
"""

from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from wagtail.log_actions import log

from presscentre.distribution.models import Delivery, Distribution, MediaContact
from presscentre.distribution.release_email import TEST_SUBJECT_PREFIX, compose_release_email
from presscentre.distribution.sending import recipients_of
from presscentre.distribution.tokens import contact_id_from_token


def sending_refusal(distribution: Distribution, *, at: datetime) -> str:
    """Why `distribution` cannot be sent (or scheduled) now, or '' when it can."""
    release = distribution.release
    if distribution.status != Distribution.Status.DRAFT:
        return f"This distribution is already {distribution.get_status_display().lower()}."
    if not release.live:
        return "Publish the release first: a journalist's link only opens a published release."
    if not distribution.lists.exists() and not distribution.topics.exists():
        return "Choose at least one list or topic."
    if not recipients_of(distribution).exists():
        return "The chosen lists and topics have no contacts."
    return ""


def queue_sending(distribution_id: int, *, at: datetime | None = None) -> None:
    """Put a sending run on the background queue (for `at`, if the queue can wait), after the transaction."""
    from django_tasks import default_task_backend

    from presscentre.distribution.tasks import send_distribution_task

    def enqueue():
        task = send_distribution_task
        if at is not None:
            if not default_task_backend.supports_defer:
                return  # the immediate backend (tests) cannot wait; its single run already sent what was due
            task = task.using(run_after=at)
        task.enqueue(distribution_id)

    transaction.on_commit(enqueue)


def schedule_distribution(distribution: Distribution, *, by, at: datetime, send_at: datetime | None = None) -> None:
    """Send `distribution` now (`send_at` None) or at `send_at`. Raises ValueError with the reason if it cannot
    be sent; a second call finds it no longer a draft and changes nothing."""
    refusal = sending_refusal(distribution, at=at)
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
        queue_sending(distribution.pk, at=send_at)


def resume_distribution(distribution: Distribution) -> bool:
    """Queue another sending run for a distribution that is still sending, e.g. after its worker died.

    Always safe: the run sends only queued rows, and a batch a dead worker left half-sent is settled by the
    at-most-once rule once its lease has passed. Returns False (and queues nothing) unless it is sending.
    """
    if distribution.status != Distribution.Status.SENDING:
        return False
    queue_sending(distribution.pk)
    return True


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
    release the personal link is replaced by the staff page of journalist links: no access link is made."""
    release = distribution.release.specific
    email = compose_release_email(release, at=at)
    if email.embargoed:
        link = f"{settings.WAGTAILADMIN_BASE_URL}{reverse('embargo_admin:links', args=[release.pk])}"
    else:
        link = email.public_url
    message = email.message_for(to=to, link_url=link, unsubscribe_url="(each journalist's own unsubscribe link)")
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
    """Deliveries by status, in one query, with `total` and `done` (no longer queued or in flight)."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for row in distribution.deliveries.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
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
