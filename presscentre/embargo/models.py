"""Journalists' personal links to embargoed items, and the record of what each link opened."""

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from presscentre.core.urls_public import public_url

# Enough of a token for the press office to tell links apart, far too little to guess the rest (about 256 bits).
TOKEN_PREFIX_LENGTH = 6


def new_token() -> str:
    """43 URL-safe characters from 32 random bytes: unguessable, and fine in a path."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a token: its SHA-256, in hex.

    The tokens are 256 random bits, so no salt or slow hash is needed: nobody can guess one from its hash, and
    an exact hash lets the link be found by an index lookup.
    """
    return hashlib.sha256(token.encode()).hexdigest()


class AccessLinkQuerySet(models.QuerySet):
    def valid_at(self, at: datetime) -> "AccessLinkQuerySet":
        """Links that open their item at `at`: not revoked and not expired (no expiry means "until the lift")."""
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))

    def with_activity(self) -> "AccessLinkQuerySet":
        """Each link with its number of `views` and `downloads` and when it was `last_viewed_at`."""
        views = Q(log_entries__kind="view")
        return self.annotate(
            views=Count("log_entries", filter=views),
            downloads=Count("log_entries", filter=Q(log_entries__kind="download")),
            last_viewed_at=Max("log_entries__at", filter=views),
        )


class AccessLink(models.Model):
    """A personal link that lets one named journalist read one embargoed item, and its documents, early."""

    item = models.ForeignKey("newsroom.NewsItemPage", on_delete=models.CASCADE, related_name="access_links")
    name = models.CharField("recipient's name", max_length=150)
    email = models.EmailField("recipient's email", max_length=254)
    outlet = models.CharField("outlet", max_length=150, blank=True, help_text="e.g. 'The Daily Ledger'.")
    # Only the hash of the token is kept: the token itself is in the journalist's address and nowhere else.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(
        "token starts with", max_length=TOKEN_PREFIX_LENGTH, editable=False, help_text="Tells links apart."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(
        "expires at",
        null=True,
        blank=True,
        help_text="Leave empty for the lift: the link then follows the embargo if it is moved.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_at = models.DateTimeField("embargo terms accepted at", null=True, blank=True)

    objects = AccessLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "journalist access link"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.recipient_line()} ({self.item.title})"

    def save(self, *args, **kwargs) -> None:
        if not self.token_hash:
            self.issue_token()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if not self.token:
            raise ValueError("Only the token's hash is stored: its address is known only when the link is made.")
        return reverse("embargo:link", args=[self.token])

    @property
    def token(self) -> str | None:
        """The token in full, known only in memory: to the request that created the link (or gave it a new
        token) and to a request that arrived with it. None for a link read back from the database."""
        return getattr(self, "_token", None)

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value

    def issue_token(self) -> str:
        """Give the link a new token (the old one stops working once saved) and return it, the one time it is
        known: send or show it now."""
        self.token = new_token()
        self.token_hash = hash_token(self.token)
        self.token_prefix = self.token[:TOKEN_PREFIX_LENGTH]
        return self.token

    def get_full_url(self) -> str:
        """The link on the site's public address, ready to send."""
        return public_url(self.get_absolute_url())

    def recipient_line(self) -> str:
        """'Jane Doe, The Daily Ledger', or just the name for a freelancer with no outlet."""
        return ", ".join(part for part in (self.name, self.outlet) if part)

    def is_valid_at(self, at: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    def status_at(self, at: datetime) -> str:
        """'valid', 'revoked' or 'expired', for the admin screen."""
        if self.revoked_at is not None:
            return "revoked"
        return "valid" if self.is_valid_at(at) else "expired"

    def revoke(self, *, at: datetime, by=None) -> bool:
        """Stop the link working from `at`, in the item's audit log. Revoking twice changes nothing."""
        if self.revoked_at is not None:
            return False
        with transaction.atomic():
            self.revoked_at = at
            self.save(update_fields=["revoked_at"])
            log(
                instance=self.item,
                action="presscentre.embargo.link_revoke",
                user=by,
                data={"link_id": self.pk, "recipient": self.recipient_line()},
            )
        return True

    def accept_terms(self, *, at: datetime) -> None:
        """Record that the recipient accepted the embargo terms; the first acceptance is the one kept."""
        if self.terms_accepted_at is None:
            self.terms_accepted_at = at
            self.save(update_fields=["terms_accepted_at"])


class AccessLogEntry(models.Model):
    """One view of an item or download of a document through a personal link. Holds no full IP address."""

    class Kind(models.TextChoices):
        VIEW = "view", "view"
        DOWNLOAD = "download", "download"

    link = models.ForeignKey(AccessLink, on_delete=models.CASCADE, related_name="log_entries")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_network = models.CharField(
        "IP network", max_length=64, blank=True, help_text="The address truncated to /24 (IPv4) or /48 (IPv6)."
    )
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "journalist access log entry"
        verbose_name_plural = "journalist access log entries"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class LiftNotice(models.Model):
    """The press office's "is live" email for one lift, written in the lift's own transaction (an outbox) and sent
    by the task worker, with retries until the mail server takes it (`embargo.services.deliver_lift_notice`).

    So a lift never waits on the mail server, and a mail server down at the instant delays the email, never loses
    it. `sent_at` makes a second run of the delivery a no-op; `claimed_until` keeps two workers from sending it at
    once.
    """

    item = models.ForeignKey("newsroom.NewsItemPage", on_delete=models.CASCADE, related_name="+")
    embargo_until = models.DateTimeField()
    lifted_at = models.DateTimeField()
    missed = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "embargo lift notice"
        ordering = ["-lifted_at", "-pk"]

    def __str__(self) -> str:
        state = f"sent {self.sent_at:%Y-%m-%d %H:%M:%S}" if self.sent_at else f"unsent after {self.attempts} tries"
        return f"lift of item {self.item_id} at {self.lifted_at:%Y-%m-%d %H:%M:%S}, {state}"
