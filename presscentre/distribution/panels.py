"""The dashboard panel for distributions that are going out: sending now, or scheduled for later."""

from django.db.models import Count, Q

from presscentre.core.panels import DashboardPanel
from presscentre.distribution.admin_views import VIEW_DISTRIBUTIONS
from presscentre.distribution.models import Delivery, Distribution
from presscentre.embargo.panels import countdown


class ActiveDistributionsPanel(DashboardPanel):
    """Distributions sending now (with progress) and those scheduled, next to go first."""

    name = "active_distributions"
    template_name = "distribution/admin/dashboard_distributions.html"
    order = 110
    limit = 10

    @classmethod
    def is_shown_to(cls, user) -> bool:
        return user.has_perm(VIEW_DISTRIBUTIONS)

    def get_context_data(self, parent_context=None):
        # One query for the rows and their progress, one each for lists and topics, however many rows.
        distributions = list(
            Distribution.objects.filter(
                kind=Distribution.Kind.RELEASE, status__in=[Distribution.Status.SENDING, Distribution.Status.SCHEDULED]
            )
            .select_related("release")
            .prefetch_related("lists", "topics")
            .annotate(
                total=Count("deliveries"),
                sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
            )
            # Sending before scheduled ("scheduled" sorts after "sending"), then the next to go.
            .order_by("-status", "send_at", "pk")[: self.limit + 1]
        )
        rows = [
            {
                "distribution": distribution,
                "audience": ", ".join(
                    [media_list.name for media_list in distribution.lists.all()]
                    + [f"topic: {topic.name}" for topic in distribution.topics.all()]
                ),
                "sending": distribution.status == Distribution.Status.SENDING,
                "countdown": countdown(distribution.send_at, at=self.at) if distribution.send_at else "",
            }
            for distribution in distributions[: self.limit]
        ]
        return {"rows": rows, "more": len(distributions) > self.limit}
