from django.utils import timezone

from presscentre.embargo.services import announce_public, schedule_lift


def schedule_lift_on_publish(sender, instance, **kwargs):
    """Publishing an embargoed item queues its lift for the embargo instant."""
    if getattr(instance, "embargo_until", None) is None:
        return
    if instance.embargo_lifted_at is not None and instance.embargo_until > instance.embargo_lifted_at:
        # Embargoed again after an earlier lift: the new instant needs a lift of its own.
        type(instance).objects.filter(pk=instance.pk).update(embargo_lifted_at=None)
        instance.embargo_lifted_at = None
    schedule_lift(instance)


def announce_public_on_publish(sender, instance, **kwargs):
    """An item published with no embargo still running is public from now: say so (alerts go out)."""
    if not hasattr(instance, "embargo_until"):
        return
    at = timezone.now()
    if instance.live and not instance.is_embargoed_at(at) and not instance.get_view_restrictions().exists():
        announce_public(instance, at=at)
