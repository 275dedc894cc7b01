"""Media contacts and lists, distributions of a release to them, and one delivery record per recipient."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# A contact whose address has hard-bounced this many times gets no more mail until an editor resets the count.
BOUNCE_LIMIT = 3


class MediaList(models.Model):
    """A named group of journalists a release can be sent to, e.g. 'Economics correspondents'."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "media list"

    def __str__(self) -> str:
        return self.name


class MediaContactQuerySet(models.QuerySet):
    def reachable(self) -> "MediaContactQuerySet":
        """Contacts who may be emailed: not opted out and not bouncing."""
        return self.filter(opted_out=False, bounce_count__lt=BOUNCE_LIMIT)


class MediaContact(models.Model):
    """A journalist the press office sends releases to, with the basis on which it may email them."""

    class ConsentBasis(models.TextChoices):
        LEGITIMATE_INTEREST = "legitimate_interest", "Legitimate interest (professional contact)"
        CONSENT = "consent", "Consent (asked to receive releases)"

    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254, help_text="Unique, whatever its letter case.")
    outlet = models.CharField(max_length=150, blank=True, help_text="e.g. 'The Daily Ledger'.")
    role = models.CharField("role or beat", max_length=150, blank=True, help_text="e.g. 'Economics editor'.")
    phone = models.CharField(max_length=50, blank=True)
    topics = models.ManyToManyField("newsroom.Category", blank=True, related_name="media_contacts")
    lists = models.ManyToManyField(MediaList, blank=True, related_name="contacts")
    notes = models.TextField(blank=True)
    consent_basis = models.CharField(
        "consent basis", max_length=30, choices=ConsentBasis.choices, default=ConsentBasis.LEGITIMATE_INTEREST
    )
    consent_date = models.DateField("consent date", null=True, blank=True)
    opted_out = models.BooleanField("opted out", default=False, help_text="Set by the unsubscribe link.")
    opted_out_at = models.DateTimeField("opted out at", null=True, blank=True)
    bounce_count = models.PositiveIntegerField(
        "bounce count", default=0, help_text=f"Mail stops at {BOUNCE_LIMIT} permanent failures."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MediaContactQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "media contact"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="distribution_contact_email_unique_ci",
                violation_error_message="A media contact with this email address already exists.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    @property
    def is_bouncing(self) -> bool:
        return self.bounce_count >= BOUNCE_LIMIT

    def skip_reason(self) -> str:
        """Why this contact gets no mail ('' when it may be emailed)."""
        if self.opted_out:
            return "Opted out"
        if self.is_bouncing:
            return f"Address bounced {self.bounce_count} times"
        return ""


def normalise_email(email: str) -> str:
    # Addresses are stored in lower case: the uniqueness rule and every lookup are then case-blind.
    return (email or "").strip().lower()


class Distribution(models.Model):
    """One sending: a press release to the contacts in some lists and/or topics, or (other kinds, planned and
    composed by the app that registers the kind, see kinds.py) an alert or a digest to subscribers."""

    class Kind(models.TextChoices):
        RELEASE = "release", "Press release to media lists"
        ALERT = "alert", "Alert to subscribers"
        DAILY_DIGEST = "daily_digest", "Daily digest to subscribers"
        WEEKLY_DIGEST = "weekly_digest", "Weekly digest to subscribers"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RELEASE, db_index=True, editable=False)
    release = models.ForeignKey(
        "newsroom.PressReleasePage", null=True, on_delete=models.CASCADE, related_name="distributions"
    )
    # An alert's item (any type), and a digest's window: what became public in [period_start, period_end).
    item = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )
    period_start = models.DateTimeField(null=True, blank=True, editable=False)
    period_end = models.DateTimeField(null=True, blank=True, editable=False)
    # Deliveries erased with their recipient ("forget me"), counted by status so that the totals stay right.
    erased = models.JSONField(default=dict, blank=True, editable=False)
    lists = models.ManyToManyField(MediaList, blank=True, related_name="distributions")
    topics = models.ManyToManyField(
        "newsroom.Category", blank=True, related_name="distributions", help_text="Contacts following these topics."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    send_at = models.DateTimeField("send at", null=True, blank=True)
    subject = models.CharField(max_length=500, blank=True, help_text="Set when sending starts.")
    recipients_ready = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # The one queued sending run that keeps the distribution going (its token and when it is due): each run queues
    # its successor before it sends, so a run whose worker dies is followed all the same (sending.py).
    next_run = models.CharField(max_length=32, blank=True, editable=False)
    next_run_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "distribution"
        constraints = [
            # One alert per item, whatever publishes or lifts it how many times; one digest per window.
            models.UniqueConstraint(fields=["item"], condition=models.Q(kind="alert"), name="distribution_one_alert"),
            models.UniqueConstraint(
                fields=["kind", "period_end"],
                condition=models.Q(kind__in=["daily_digest", "weekly_digest"]),
                name="distribution_one_digest_per_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def title(self) -> str:
        if self.release_id:
            return self.release.title
        if self.item_id:
            return self.item.title
        return self.subject or self.get_kind_display()

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_cancellable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED, self.Status.SENDING}


class Delivery(models.Model):
    """What happened to one recipient of one distribution. Name and address are kept as they were sent."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        CANCELLED = "cancelled", "Cancelled"
        # The worker lost track of this message after it began handing it to the mail server: it may have
        # arrived, so it is never sent again automatically (at most once).
        INTERRUPTED = "interrupted", "Interrupted (may have arrived)"

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(MediaContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    outlet = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True, help_text="A retry waits until then.")
    claim = models.CharField(max_length=32, blank=True, help_text="The worker batch that is sending it.")
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="Renewed by the sending worker's heartbeat.")
    handing_over_at = models.DateTimeField(
        null=True, blank=True, help_text="Set, by the claim's owner only, just before the message goes to the server."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    access_link = models.ForeignKey(
        "embargo.AccessLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = "delivery"
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["distribution", "contact"], name="distribution_delivery_once_per_contact")
        ]
        # The claim reads queued rows of one distribution in id order: this index serves it without a sort.
        indexes = [models.Index(fields=["distribution", "status", "id"], name="distribution_delivery_queue")]

    def __str__(self) -> str:
        return f"{self.email}: {self.status}"
