from django.urls import reverse
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from presscentre.alerts.admin_views import AlertsViewSetGroup, SubscriberPermissionPolicy
from presscentre.alerts.models import Subscription
from presscentre.distribution.models import Distribution

# Before any admin code asks for the subscribers' policy (Wagtail would otherwise make a plain model policy).
register_permission_policy(Subscription, SubscriberPermissionPolicy(Subscription))


@hooks.register("register_admin_viewset")
def register_alerts_viewsets():
    return AlertsViewSetGroup()


@hooks.register("register_page_header_buttons")
def alert_send_button(page, user, view_name, next_url=None):
    """On an item's page in the admin: its alert send, once there is one."""
    if user.has_perm("distribution.view_distribution") and (
        Distribution.objects.filter(kind=Distribution.Kind.ALERT, item_id=page.pk).exists()
    ):
        yield Button("Alert send", url=reverse("alert_sends:for_item", args=[page.pk]), icon_name="mail", priority=80)
