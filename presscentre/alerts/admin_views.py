"""The alerts screens in the Wagtail admin: subscribers (list, search, filters, CSV export, inspect, erase), the
number of subscribers per topic, and the alert and digest sends with their delivery records.

Nobody adds a subscriber or edits one's address by hand: the address and the consent come from the subscriber
(double opt-in). Views read the request and call one function; erasing goes through `subscribing.erase`."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.coreutils import multigetattr
from wagtail.permission_policies import ModelPermissionPolicy

from presscentre.alerts.models import ITEM_TYPES, Subscription
from presscentre.distribution import services as distribution_services
from presscentre.distribution.models import Delivery, Distribution
from presscentre.newsroom.models import Category, Person

VIEW_SUBSCRIBERS = "alerts.view_subscription"
VIEW_DISTRIBUTIONS = "distribution.view_distribution"
SENDS_PER_PAGE = 50
DELIVERIES_PER_PAGE = 100


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def item_content_types() -> list[ContentType]:
    """The followable item types, in the sign-up form's order."""
    by_model = {
        content_type.model: content_type
        for content_type in ContentType.objects.filter(app_label="newsroom", model__in=[m for m, _ in ITEM_TYPES])
    }
    return [by_model[model] for model, _ in ITEM_TYPES if model in by_model]


def type_labels() -> dict[str, str]:
    return dict(ITEM_TYPES)


# Subscribers


class SubscriberPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, except that nobody may add a subscriber or change one, superusers included: a subscriber's
    address and consent come from the subscriber. Viewing (and exporting) needs `view`, erasing needs `delete`."""

    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return False
        return super().user_has_permission(user, action)


def follows_summary(subscription: Subscription) -> str:
    """What a subscriber follows, short: 'Everything', or types, categories and people (from prefetched rows)."""
    if subscription.everything:
        return "Everything"
    labels = type_labels()
    parts = [labels.get(content_type.model, content_type.model) for content_type in subscription.types.all()]
    parts += [category.name for category in subscription.categories.all()]
    parts += [person.name for person in subscription.people.all()]
    if not parts:
        return "Nothing"
    if len(parts) > 4:
        return ", ".join(parts[:4]) + f" and {len(parts) - 4} more"
    return ", ".join(parts)


class SubscriberFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(choices=Subscription.State.choices, label="State")
    frequency = django_filters.ChoiceFilter(choices=Subscription.Frequency.choices, label="Frequency")
    everything = django_filters.BooleanFilter(label="Follows everything")
    types = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.filter(app_label="newsroom", model__in=[m for m, _ in ITEM_TYPES]),
        label="Follows the type",
    )
    categories = django_filters.ModelChoiceFilter(queryset=Category.objects.order_by("name"), label="Follows the topic")
    people = django_filters.ModelChoiceFilter(queryset=Person.objects.order_by("name"), label="Follows the person")

    class Meta:
        model = Subscription
        fields = []


class FollowsColumn(Column):
    def get_value(self, instance):
        return follows_summary(instance)


class SubscriberIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .prefetch_related(
                Prefetch("types", queryset=ContentType.objects.order_by("pk")),
                Prefetch("categories", queryset=Category.objects.order_by("name")),
                Prefetch("people", queryset=Person.objects.order_by("name")),
            )
        )

    def get_list_more_buttons(self, instance):
        # Wagtail's list would offer "Delete": a subscriber is erased instead, with their delivery records.
        buttons = []
        if inspect_url := self.get_inspect_url(instance):
            buttons.append(MenuItem("Inspect", url=inspect_url, icon_name="info-circle", priority=10))
        if erase_url := self.get_delete_url(instance):
            buttons.append(MenuItem("Erase", url=erase_url, icon_name="bin", priority=30))
        return buttons

    def to_row_dict(self, item):
        return {
            field: follows_summary(item) if field == "follows" else multigetattr(item, field)
            for field in self.list_export
        }


class SubscriberInspectView(generic.InspectView):
    def get_follows_display_value(self):
        return follows_summary(self.object)

    def get_contact_display_value(self):
        contact = self.object.contact
        if contact is None:
            return "None yet (not confirmed)"
        return contact.skip_reason() or "Reachable"

    def get_field_label(self, field_name, field):
        labels = {"follows": "Follows", "contact": "Mail to this address"}
        return labels.get(field_name) or super().get_field_label(field_name, field)

    @cached_property
    def header_more_buttons(self):
        buttons = []
        if erase_url := self.get_delete_url():
            buttons.append(Button("Erase", url=erase_url, icon_name="bin", priority=20))
        return buttons


class SubscriberEraseView(generic.DeleteView):
    """Wagtail's delete screen (a confirmation, then a POST), erasing the subscriber as "forget me" does: the
    subscription, its media contact and their delivery records go, the sends' counts stay."""

    page_title = "Erase"
    success_message = "Subscriber '%(object)s' erased."

    @property
    def confirmation_message(self):
        return (
            "Erase this subscriber? Their subscription, their address as a media contact and the records of what "
            "was sent to them are deleted; the sends' totals keep counting them. This cannot be undone."
        )

    def get_usage_url(self):
        return None

    def delete_action(self):
        from presscentre.alerts import subscribing

        subscribing.erase(self.object, at=timezone.now())


class SubscriptionViewSet(ModelViewSet):
    model = Subscription
    name = "alert_subscribers"
    url_prefix = "alerts/subscribers"
    icon = "user"
    menu_label = "Subscribers"
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SubscriberIndexView
    inspect_view_class = SubscriberInspectView
    delete_view_class = SubscriberEraseView
    list_display = [
        "email",
        "state",
        "frequency",
        FollowsColumn("follows", label="Follows"),
        DateColumn("confirmed_at", label="Confirmed", sort_key="confirmed_at"),
    ]
    filterset_class = SubscriberFilterSet
    search_fields = ["email"]
    search_backend_name = None
    list_per_page = 50
    ordering = "-created_at"
    # The export holds what the press office needs to know who follows what, and the consent they gave; nothing
    # else (no signed-link key, no pending choices).
    list_export = [
        "email",
        "get_state_display",
        "get_frequency_display",
        "follows",
        "confirmed_at",
        "consent_at",
        "consent_source",
    ]
    export_headings = {
        "email": "Email",
        "get_state_display": "State",
        "get_frequency_display": "Frequency",
        "follows": "Follows",
        "confirmed_at": "Confirmed at",
        "consent_at": "Consent given at",
        "consent_source": "Consent given on",
    }
    export_filename = "alert-subscribers"
    inspect_view_fields = [
        "email",
        "state",
        "frequency",
        "follows",
        "created_at",
        "confirmed_at",
        "paused_at",
        "contact",
        "consent_at",
        "consent_text",
        "consent_source",
    ]
    form_fields = []

    def get_permissions_to_register(self):
        # Add and change are never granted to anyone (see SubscriberPermissionPolicy): do not offer them.
        return super().get_permissions_to_register().filter(codename__in=["view_subscription", "delete_subscription"])


# Counts per topic


def topic_counts() -> dict:
    """Active subscribers per category, person and item type, by frequency, in one query per kind of topic (and one
    for those following everything). A subscriber who follows everything is counted once, in its own row."""
    frequencies = Subscription.Frequency.values

    def rows(through, key: str, objects) -> list[dict]:
        counts: dict = {}
        for row in (
            through.objects.filter(subscription__state=Subscription.State.ACTIVE)
            .values(key, "subscription__frequency")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts.setdefault(row[key], dict.fromkeys(frequencies, 0))[row["subscription__frequency"]] = row["n"]
        result = []
        for pk, label in objects:
            by_frequency = counts.get(pk, dict.fromkeys(frequencies, 0))
            result.append({"label": label, **by_frequency, "total": sum(by_frequency.values())})
        return result

    everything = dict.fromkeys(frequencies, 0)
    for row in (
        Subscription.objects.active().filter(everything=True).values("frequency").annotate(n=Count("pk")).order_by()
    ):
        everything[row["frequency"]] = row["n"]
    labels = type_labels()
    return {
        "everything": {**everything, "total": sum(everything.values())},
        "types": rows(
            Subscription.types.through,
            "contenttype_id",
            [(ct.pk, labels[ct.model]) for ct in item_content_types()],
        ),
        "categories": rows(
            Subscription.categories.through,
            "category_id",
            Category.objects.order_by("name").values_list("pk", "name"),
        ),
        "people": rows(
            Subscription.people.through,
            "person_id",
            Person.objects.order_by("name").values_list("pk", "name"),
        ),
    }


def topic_counts_view(request):
    _require(request.user, VIEW_SUBSCRIBERS)
    context = {
        "counts": topic_counts(),
        "page_title": "Subscribers per topic",
        "header_title": "Subscribers per topic",
        "header_icon": "list-ul",
    }
    return TemplateResponse(request, "alerts/admin/topic_counts.html", context)


class TopicCountsViewSet(ViewSet):
    name = "alert_topic_counts"
    url_prefix = "alerts/topics"
    icon = "list-ul"
    menu_label = "Subscribers per topic"

    @cached_property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class TopicCountsMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(VIEW_SUBSCRIBERS)

        return TopicCountsMenuItem

    def get_urlpatterns(self):
        return [path("", topic_counts_view, name="index")]


# Alert sends


def bulk_delivery_counts(distributions) -> dict[int, dict[str, int]]:
    """services.delivery_counts for many distributions in one query (erased recipients counted as it does)."""
    counts = {}
    for distribution in distributions:
        by_status = dict.fromkeys(Delivery.Status.values, 0)
        for status, erased in (distribution.erased or {}).items():
            if status in by_status:
                by_status[status] += int(erased)
        counts[distribution.pk] = by_status
    for row in (
        Delivery.objects.filter(distribution__in=[d.pk for d in distributions])
        .values("distribution", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["distribution"]][row["status"]] += row["n"]
    for by_status in counts.values():
        by_status["total"] = sum(by_status[status] for status in Delivery.Status.values)
    return counts


def alert_sends():
    return (
        Distribution.objects.exclude(kind=Distribution.Kind.RELEASE)
        .select_related("item")
        .order_by("-created_at", "-pk")
    )


def send_title(distribution: Distribution) -> str:
    if distribution.kind == Distribution.Kind.ALERT:
        return distribution.item.title if distribution.item_id else "(item deleted)"
    zone = timezone.get_current_timezone()
    if distribution.period_start and distribution.period_end:
        start = timezone.localtime(distribution.period_start, zone).strftime("%-d %b %Y %H:%M")
        end = timezone.localtime(distribution.period_end, zone).strftime("%-d %b %Y %H:%M")
        return f"{distribution.get_kind_display()}: {start} to {end}"
    return distribution.get_kind_display()


def alert_sends_view(request):
    _require(request.user, VIEW_DISTRIBUTIONS)
    sends = alert_sends()
    kind = request.GET.get("kind", "")
    kinds = [choice for choice in Distribution.Kind.choices if choice[0] != Distribution.Kind.RELEASE]
    if kind in {value for value, _ in kinds}:
        sends = sends.filter(kind=kind)
    page = Paginator(sends, SENDS_PER_PAGE).get_page(request.GET.get("p"))
    counts = bulk_delivery_counts(list(page.object_list))
    rows = [
        {
            "distribution": distribution,
            "title": send_title(distribution),
            "when": distribution.started_at or distribution.created_at,
            "counts": counts[distribution.pk],
        }
        for distribution in page.object_list
    ]
    context = {
        "rows": rows,
        "page": page,
        "kinds": kinds,
        "kind": kind,
        "page_title": "Alert sends",
        "header_title": "Alert sends",
        "header_icon": "mail",
    }
    return TemplateResponse(request, "alerts/admin/sends.html", context)


def alert_send_detail_view(request, pk: int):
    _require(request.user, VIEW_DISTRIBUTIONS)
    distribution = get_object_or_404(alert_sends(), pk=pk)
    deliveries = distribution.deliveries.order_by("pk")
    status = request.GET.get("status", "")
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("p"))
    title = send_title(distribution)
    context = {
        "distribution": distribution,
        "title": title,
        "counts": distribution_services.delivery_counts(distribution),
        "statuses": Delivery.Status.choices,
        "status_filter": status,
        "deliveries": page,
        "item_url": distribution.item.get_url(request=request) if distribution.item_id else "",
        "page_title": "Alert send",
        "header_title": f"Alert send: {title}",
        "header_icon": "mail",
    }
    return TemplateResponse(request, "alerts/admin/send_detail.html", context)


def alert_send_for_item_view(request, page_id: int):
    """From an item's page in the admin to its alert send (if there is one)."""
    _require(request.user, VIEW_DISTRIBUTIONS)
    distribution = get_object_or_404(alert_sends().filter(kind=Distribution.Kind.ALERT), item_id=page_id)
    return redirect("alert_sends:detail", distribution.pk)


class AlertSendsViewSet(ViewSet):
    name = "alert_sends"
    url_prefix = "alerts/sends"
    icon = "mail"
    menu_label = "Alert sends"

    @cached_property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        class AlertSendsMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(VIEW_DISTRIBUTIONS)

        return AlertSendsMenuItem

    def get_urlpatterns(self):
        return [
            path("", alert_sends_view, name="index"),
            path("<int:pk>/", alert_send_detail_view, name="detail"),
            path("item/<int:page_id>/", alert_send_for_item_view, name="for_item"),
        ]


def alert_send_url_for(page) -> str:
    return reverse("alert_sends:for_item", args=[page.pk])


class AlertsViewSetGroup(ModelViewSetGroup):
    menu_label = "Alerts"
    menu_icon = "mail"
    menu_order = 270
    items = (SubscriptionViewSet, TopicCountsViewSet, AlertSendsViewSet)
