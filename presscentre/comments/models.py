"""Readers' comments on newsroom items, and the site's moderation rules."""

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from presscentre.core.site_memo import MemoisedSiteSetting
from presscentre.core.text import xml_safe

DEFAULT_EXPIRED_MESSAGE = "Time limit is exhausted. Please reload CAPTCHA."


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def by_email(self, email: str):
        return self.filter(author_email__iexact=email.strip())

    def bulk_create(self, objs, *args, **kwargs):
        """As Django's, with the same clean-up as Comment.save(): the WordPress importer writes comments this way."""
        objs = list(objs)
        for comment in objs:
            comment.take_out_xml_invalid_characters()
        return super().bulk_create(objs, *args, **kwargs)


class Comment(models.Model):
    """One reader's comment (or an imported pingback or trackback) on an item, threaded by `parent`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"

    item = models.ForeignKey("newsroom.NewsItemPage", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    author_name = models.CharField("name", max_length=100)
    author_email = models.EmailField("email", max_length=254, blank=True, db_index=True)
    author_url = models.URLField("website", max_length=300, blank=True)
    body = models.TextField("comment")
    # Set when a member of staff replies from the admin.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Personal data kept only for spam fighting, erased after PRESSCENTRE_COMMENT_IP_RETENTION_DAYS.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["item", "status", "created_at"], name="comment_item_status_created")]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.item_id}: {self.body[:40]}"

    def save(self, *args, **kwargs) -> None:
        self.take_out_xml_invalid_characters()
        super().save(*args, **kwargs)

    def take_out_xml_invalid_characters(self) -> None:
        """The last line against characters XML 1.0 cannot carry (one such comment takes a feed down): the
        public form strips them too, with a message when nothing is left; this covers the admin, staff replies,
        imports and any other writer."""
        self.author_name, self.author_url, self.body = (
            xml_safe(self.author_name),
            xml_safe(self.author_url),
            xml_safe(self.body),
        )

    @property
    def depth(self) -> int:
        """1 for a top-level comment, 2 for a reply to it, and so on (walks up the parents)."""
        depth, parent = 1, self.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        return depth


@register_setting(icon="comment")
class CommentSettings(MemoisedSiteSetting, BaseSiteSetting):
    """The moderation rules, with WordPress's defaults."""

    hold_first_time_authors = models.BooleanField(
        "hold comments from new authors",
        default=True,
        help_text="Hold a comment for moderation unless its author has a previously approved comment.",
    )
    hold_at_links = models.PositiveSmallIntegerField(
        "hold at this many links", default=2, help_text="Hold a comment containing this many links or more."
    )
    moderation_words = models.TextField(
        "moderation words",
        blank=True,
        help_text="One word, phrase, email address, name, URL or IP address per line: matching comments are held.",
    )
    disallowed_words = models.TextField(
        "disallowed words",
        blank=True,
        help_text="One per line, as above: matching comments go straight to spam.",
    )
    close_after_days = models.PositiveIntegerField(
        "close comments after (days)",
        null=True,
        blank=True,
        help_text="Close comments on items older than this many days. Leave empty to keep them open.",
    )
    thread_depth = models.PositiveSmallIntegerField("reply depth", default=5)
    expired_message = models.CharField("expired challenge message", max_length=200, default=DEFAULT_EXPIRED_MESSAGE)
    notify_moderators = models.BooleanField("email moderators about held comments", default=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("hold_first_time_authors"),
                FieldPanel("hold_at_links"),
                FieldPanel("moderation_words"),
                FieldPanel("disallowed_words"),
            ],
            heading="Moderation",
        ),
        FieldPanel("close_after_days"),
        FieldPanel("thread_depth"),
        FieldPanel("expired_message"),
        FieldPanel("notify_moderators"),
    ]

    class Meta:
        verbose_name = "comment settings"
