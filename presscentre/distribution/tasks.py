from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

# Below the default priority, so a lift due in the middle of a big send is picked up first.
PRIORITY = -10
# One run sends for at most this long, then queues its continuation: a single worker stays free for lifts.
RUN_BUDGET = timedelta(seconds=15)


@task(priority=PRIORITY)
def send_distribution_task(distribution_id: int) -> dict:
    """Send what is due of one distribution and queue the next run if more remains (retries, a big list)."""
    from presscentre.distribution.sending import run_distribution
    from presscentre.distribution.services import queue_sending

    # A backend that cannot queue a continuation for later (the immediate one) sends everything in one run.
    budget = RUN_BUDGET if default_task_backend.supports_defer else None
    result = run_distribution(distribution_id, clock=timezone.now, budget=budget)
    if result.run_again_at is not None:
        queue_sending(distribution_id, at=result.run_again_at)
    return {"sent": result.sent, "failed": result.failed, "retrying": result.retrying, "finished": result.finished}
