"""Taking an interview request and telling the press office.

Requests are counted per client address in the shared cache, under a keyed hash (no IP is stored), at most
`REQUESTS_PER_CLIENT` an hour. When the shared cache cannot be reached the count is unknown and the request is
refused with "try again shortly" (fail closed): each accepted request sends an email, and without the count one
client could flood the press office.

The email goes from the worker once the request is saved (queued with the transaction), and is tried again after
a failure; it names the expert and the requester, and its Reply-To is the requester, so the press office answers
with one click. Nothing here is ever shown on a public page: the expert's own address is never used at all.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac
from wagtail.models import Site

from presscentre.core.urls_public import public_base_url
from presscentre.experts.models import InterviewRequest
from presscentre.newsroom.models import PressCentreSettings
from presscentre.pagecache.cache_backend import CacheUnavailable, strict

logger = logging.getLogger(__name__)

RATE_WINDOW = timedelta(hours=1)
REQUESTS_PER_CLIENT = 5
RATE_PREFIX = "experts:request:"
RATE_LIMITED_MESSAGE = (
    "There have been too many interview requests from here in the last hour. What you typed is kept: please try "
    "again later, or email the press office."
)
PAUSED_MESSAGE = "Requests are paused for a minute while the site recovers. What you typed is kept: please try again."

RETRY_DELAYS = (
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=6),
)


class RequestRefused(Exception):
    """The request was not taken; `message` says why, for the journalist; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def _rate_key(client: str, at: datetime) -> tuple[str, int]:
    window = int(RATE_WINDOW.total_seconds())
    digest = salted_hmac(RATE_PREFIX, f"client:{client}", algorithm="sha256").hexdigest()[:40]
    return f"{RATE_PREFIX}{digest}:{int(at.timestamp()) // window}", window


def _count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: the first of a new window
        cache.set(key, 1, timeout=window)
        return 1


def check_rate(*, client: str, at: datetime) -> None:
    """Count one request from `client`; raise RequestRefused past the limit (429) or when the shared cache cannot
    be reached (503)."""
    key, window = _rate_key(client or "unknown", at)
    try:
        with strict():
            count = _count(key, window)
    except CacheUnavailable:
        raise RequestRefused(PAUSED_MESSAGE, 503) from None
    if count > REQUESTS_PER_CLIENT:
        raise RequestRefused(RATE_LIMITED_MESSAGE, 429)


def take_request(expert, data: dict, *, at: datetime) -> InterviewRequest:
    """Save the request for `expert` (a Person) and queue the press office's email with it."""
    from presscentre.core.worker import enqueue_with_transaction
    from presscentre.experts.tasks import send_interview_request_task

    with transaction.atomic():
        request = InterviewRequest.objects.create(
            expert=expert,
            expert_name=expert.name,
            name=data["name"],
            outlet=data["outlet"],
            email=data["email"],
            phone=data.get("phone", ""),
            deadline=data.get("deadline", ""),
            message=data["message"],
            created_at=at,
        )
        enqueue_with_transaction(send_interview_request_task, request.pk, 1)
    return request


def _default_site():
    return Site.objects.filter(is_default_site=True).first()


def press_office_address() -> str:
    site = _default_site()
    address = PressCentreSettings.for_site(site).press_office_email if site else ""
    return address or settings.DEFAULT_FROM_EMAIL


def request_message(interview_request: InterviewRequest) -> EmailMessage:
    """The press office's email about `interview_request`: who asked, for whom, by when, and the admin link."""
    subject = f"Interview request: {interview_request.expert_name}, from {interview_request.name}"
    subject += f" ({interview_request.outlet})"
    body = render_to_string(
        "experts/email/interview_request.txt",
        {
            "request": interview_request,
            "inbox_url": public_base_url() + reverse("interview_requests:inspect", args=[interview_request.pk]),
        },
    )
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[press_office_address()],
        reply_to=[interview_request.email],
    )


def retry_delay(attempt: int) -> timedelta | None:
    if attempt < 1 or attempt > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempt - 1]


def deliver(request_id: int, *, attempt: int, at: datetime) -> str:
    """Send the press office's email for the request, or queue its next try after a failure.

    Returns "sent", "retrying", "failed" (tries used up; the request stays in the inbox) or "gone" (deleted)."""
    from django_tasks import default_task_backend

    from presscentre.experts.tasks import send_interview_request_task

    interview_request = InterviewRequest.objects.filter(pk=request_id).first()
    if interview_request is None:
        return "gone"
    try:
        request_message(interview_request).send()
    except Exception as error:
        delay = retry_delay(attempt)
        if delay is None or not default_task_backend.supports_defer:
            logger.error("An interview request email could not be sent (try %d: %s); giving up", attempt, error)
            return "failed"
        send_interview_request_task.using(run_after=at + delay).enqueue(request_id, attempt + 1)
        logger.warning("An interview request email failed (try %d: %s); trying again in %s", attempt, error, delay)
        return "retrying"
    return "sent"
