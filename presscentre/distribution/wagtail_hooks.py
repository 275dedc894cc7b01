from django.utils import timezone
from wagtail import hooks

from presscentre.distribution.admin_views import DistributionViewSetGroup
from presscentre.distribution.panels import ActiveDistributionsPanel


@hooks.register("register_admin_viewset")
def register_distribution_viewsets():
    return DistributionViewSetGroup()


@hooks.register("register_log_actions")
def register_distribution_log_actions(actions):
    actions.register_action(
        "presscentre.distribution.schedule", "Distribution to journalists scheduled", "Distribution scheduled"
    )
    actions.register_action(
        "presscentre.distribution.cancel", "Distribution to journalists cancelled", "Distribution cancelled"
    )
    actions.register_action(
        "presscentre.distribution.links", "Journalist links created for a distribution", "Journalist links created"
    )


@hooks.register("construct_homepage_panels")
def add_distributions_panel(request, panels):
    if ActiveDistributionsPanel.is_shown_to(request.user):
        panels.append(ActiveDistributionsPanel(request.user, at=timezone.now()))
