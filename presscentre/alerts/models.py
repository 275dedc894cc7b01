"""Subscribers to alerts, and the site's alert settings.

A subscriber is one email address with what it follows and how often. Once confirmed, the address is also a media
contact (distribution.MediaContact, the same person the press office may send releases to): opt-outs and bounces are
the contact's, so they are shared, and alerts go through the one sending machinery with one delivery record each.
"""

import secrets
from datetime import time, timedelta

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

# Unconfirmed sign-ups are deleted this long after they were made.
CONFIRMATION_EXPIRES_AFTER = timedelta(days=7)
# At most one confirmation email per address per this long, however often it is signed up.
CONFIRMATION_EMAIL_INTERVAL = timedelta(hours=1)

# What can be followed by type: the item page models (app label newsroom), in the order the form lists them.
ITEM_TYPES = [
    ("pressreleasepage", "Press releases"),
    ("articlepage", "Articles"),
    ("reportpage", "Reports"),
    ("mediaappearancepage", "Media appearances"),
]


def new_key() -> str:
    return secrets.token_hex(16)


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=Subscription.State.ACTIVE)

    def matching(self, *, content_type_id: int, category_ids, person_ids):
        """Active subscriptions that follow an item of this content type with these categories and people."""
        follows = (
            models.Q(everything=True)
            | models.Q(types=content_type_id)
            | models.Q(categories__in=list(category_ids))
            | models.Q(people__in=list(person_ids))
        )
        return self.active().filter(pk__in=Subscription.objects.filter(follows).values("pk"))


class Subscription(models.Model):
    """One address's alerts: what it follows, how often, and the consent it gave."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "As soon as it is public"
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"

    email = models.EmailField(max_length=254)
    contact = models.OneToOneField(
        "distribution.MediaContact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscription",
        help_text="The media contact this address is, once confirmed: opt-outs and bounces are shared.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    everything = models.BooleanField("everything", default=False, help_text="Every item, whatever its type or topic.")
    types = models.ManyToManyField(
        "contenttypes.ContentType", blank=True, related_name="+", help_text="Item types followed (see ITEM_TYPES)."
    )
    categories = models.ManyToManyField("newsroom.Category", blank=True, related_name="subscriptions")
    people = models.ManyToManyField("newsroom.Person", blank=True, related_name="subscriptions")
    # New choices made by signing up again with an address already active: applied only when confirmed by email.
    pending_choices = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=32, default=new_key, editable=False, help_text="Part of the signed links.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Consent, as given: when, the words the form showed, and which form.
    consent_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_text = models.TextField(blank=True, editable=False)
    consent_source = models.CharField(max_length=100, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "subscriber"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="alerts_subscription_email_unique_ci",
                violation_error_message="This address already has a subscription.",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="active") | models.Q(contact__isnull=False),
                name="alerts_active_subscription_has_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


@register_setting(icon="mail")
class AlertSettings(BaseSiteSetting):
    """When digests go out (in the site's time zone) and the words a subscriber consents to."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    daily_digest_time = models.TimeField("daily digest at", default=time(8, 0))
    weekly_digest_day = models.PositiveSmallIntegerField(
        "weekly digest on", choices=Weekday.choices, default=Weekday.MONDAY
    )
    weekly_digest_time = models.TimeField("weekly digest at", default=time(8, 0))
    consent_text = models.TextField(
        "consent text",
        default="Email me what I choose to follow here. I can change or stop this, or have my address erased, "
        "from the link in every email.",
        help_text="Shown beside the sign-up forms and recorded with each sign-up.",
    )
    confirmation_text = models.TextField(
        "confirmation email text",
        default="Please confirm that you want these alerts by following the link below. "
        "If you did not ask for them, ignore this email: nothing more will be sent.",
        help_text="The opening of the confirmation email.",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("daily_digest_time"), FieldPanel("weekly_digest_day"), FieldPanel("weekly_digest_time")],
            heading="Digests (in the site's time zone)",
        ),
        FieldPanel("consent_text"),
        FieldPanel("confirmation_text"),
    ]

    class Meta:
        verbose_name = "alerts"
