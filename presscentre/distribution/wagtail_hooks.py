from wagtail import hooks

from presscentre.distribution.admin_views import DistributionViewSetGroup


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
