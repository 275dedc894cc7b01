"""The experts app's tasks for the worker."""

from django.utils import timezone
from django_tasks import task


@task()
def send_interview_request_task(request_id: int, attempt: int = 1) -> str:
    """Email the press office about an interview request, or queue the next try (see requests.deliver)."""
    from presscentre.experts.requests import deliver

    return deliver(request_id, attempt=attempt, at=timezone.now())
