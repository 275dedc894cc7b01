from django.apps import apps
from django.utils import timezone
from django_tasks import task

from presscentre.embargo.services import deliver_lift_notice, lift_embargo


@task()
def lift_embargo_task(item_id: int) -> bool:
    """Lift one item's embargo at its instant; a moved or cancelled embargo makes this a no-op.

    Safe to run again (a retry, a dead worker's task queued again): the lift claims the item with a conditional
    update, so a second run changes nothing."""
    item = apps.get_model("newsroom", "NewsItemPage").objects.filter(pk=item_id).specific().first()
    if item is None:
        return False
    return lift_embargo(item, at=timezone.now())


@task()
def deliver_lift_notice_task(notice_id: int) -> str:
    """Send a lift's "is live" email to the press office, or queue the next try (safe to run again: sent once)."""
    return deliver_lift_notice(notice_id, at=timezone.now())
