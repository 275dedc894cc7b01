from django.apps import apps
from django.utils import timezone
from django_tasks import task

from presscentre.embargo.services import lift_embargo


@task()
def lift_embargo_task(item_id: int) -> bool:
    """Lift one item's embargo at its instant; a moved or cancelled embargo makes this a no-op."""
    item = apps.get_model("newsroom", "NewsItemPage").objects.filter(pk=item_id).specific().first()
    if item is None:
        return False
    return lift_embargo(item, at=timezone.now())
