"""The alerts app's tasks for the worker."""

from django.utils import timezone
from django_tasks import task


@task()
def send_confirmation_task(subscription_id: int, stamp: str, attempt: int = 1) -> str:
    """Send a sign-up's confirmation email, queued at `stamp`, or queue its next try (see
    subscribing.deliver_confirmation; safe to run again)."""
    from presscentre.alerts.subscribing import deliver_confirmation

    return deliver_confirmation(subscription_id, stamp=stamp, attempt=attempt, at=timezone.now())
