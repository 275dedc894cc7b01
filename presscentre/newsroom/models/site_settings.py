import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.images.models import AbstractRendition
from wagtail.models import Orderable

from presscentre.core import site_memo
from presscentre.core.site_memo import MemoisedSiteSetting, memoised
from presscentre.newsroom import branding
from presscentre.newsroom.models.items import DEFAULT_TIME_ZONE, time_zone_choices


@register_setting(icon="site")
class PressCentreSettings(MemoisedSiteSetting, ClusterableModel, BaseSiteSetting):
    """Who the site speaks for, and what a release falls back on when an editor leaves a part empty."""

    organisation_name = models.CharField(
        "organisation name", max_length=150, default="Our organisation", help_text="Used in 'About ...'."
    )
    default_boilerplate = models.ForeignKey(
        "newsroom.Boilerplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    press_office_email = models.EmailField(
        "press office email",
        blank=True,
        help_text="Told when an embargo lifts ('<title> is live'). Leave empty to use the site's sender address.",
    )
    journalist_terms = models.TextField(
        "embargo terms for journalists",
        blank=True,
        help_text="If set, a journalist must accept these terms before their personal link shows an embargoed item.",
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        choices=time_zone_choices,
        help_text="Dates on the site are shown in this zone.",
    )
    logo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name="logo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown in the header of every page, 48 pixels high. PNG or WebP (SVG is not accepted).",
    )
    accent_colour = models.CharField(
        "accent colour",
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"\A#[0-9a-fA-F]{6}\Z", "Enter a colour as # and six hex digits, e.g. #0b5394.")],
        help_text="Links, buttons and the header rule, as # and six hex digits, e.g. #0b5394. It must be dark "
        "enough to read on white (WCAG AA, 4.5:1). Leave empty for the standard blue.",
    )
    favicon = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name="favicon",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The small icon in browser tabs and bookmarks: a square PNG, at least 180 pixels wide. "
        "Leave empty for the press centre's own icon.",
    )
    default_social_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name="default social image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when a page is shared on social networks and has no featured image of its own; cropped "
        "to 1200 x 630 pixels. Its description is read out as the image's alternative text.",
    )

    panels = [
        FieldPanel("organisation_name"),
        MultiFieldPanel(
            [
                FieldPanel("logo"),
                FieldPanel("accent_colour"),
                FieldPanel("favicon"),
                FieldPanel("default_social_image"),
            ],
            heading="Branding",
        ),
        FieldPanel("time_zone"),
        FieldPanel("default_boilerplate"),
        FieldPanel("press_office_email"),
        FieldPanel("journalist_terms"),
        InlinePanel("default_contact_links", label="Press contact", heading="Default press contacts"),
    ]

    class Meta:
        verbose_name = "press centre settings"

    def clean(self):
        super().clean()
        errors = {}
        if self.accent_colour and branding.HEX_COLOUR.fullmatch(self.accent_colour):
            self.accent_colour = self.accent_colour.lower()
            problem = branding.accent_contrast_problem(self.accent_colour)
            if problem:
                errors["accent_colour"] = problem
        for field, allowed in (("logo", branding.LOGO_FORMATS), ("favicon", branding.FAVICON_FORMATS)):
            image = getattr(self, field)
            problem = branding.format_problem(image, allowed, field) if image is not None else ""
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @functools.cached_property
    def brand(self) -> branding.Brand:
        """The logo, accent, favicon and social image every public page shows (kept in the site memory)."""
        return memoised(("brand", self.pk), lambda: branding.build_brand(self))

    def default_contacts(self) -> list:
        return memoised(
            ("default-contacts", self.pk),
            lambda: [link.contact for link in self.default_contact_links.select_related("contact")],
        )


class DefaultPressContact(Orderable):
    settings = ParentalKey(PressCentreSettings, on_delete=models.CASCADE, related_name="default_contact_links")
    contact = models.ForeignKey("newsroom.PressContact", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("contact")]


# The brand and the bylines' headshots are kept in the site memory as rendition URLs. Settings changes already
# make every process forget it; so must a change to a person or an image (a new file deletes its renditions).


def _forget_kept_images(sender, instance=None, created=False, update_fields=None, raw=False, **kwargs):
    if created or raw or (update_fields and set(update_fields) <= {"file_size", "file_hash"}):
        return
    site_memo.bump()


def _forget_kept_renditions(sender, instance, **kwargs):
    if isinstance(instance, AbstractRendition):
        site_memo.bump()


def _forget_kept_people(sender, **kwargs):
    site_memo.bump()  # a new person too: bylines remember who has no photo


def connect_signals() -> None:
    """Called from the app's ready(), as every app connects its handlers (with a dispatch_uid, so once)."""
    image = settings.WAGTAILIMAGES_IMAGE_MODEL
    post_save.connect(_forget_kept_images, sender=image, dispatch_uid="newsroom.image_saved")
    post_delete.connect(_forget_kept_images, sender=image, dispatch_uid="newsroom.image_gone")
    post_delete.connect(_forget_kept_renditions, dispatch_uid="newsroom.rendition_deleted")
    post_save.connect(_forget_kept_people, sender="newsroom.Person", dispatch_uid="newsroom.person_saved")
    post_delete.connect(_forget_kept_people, sender="newsroom.Person", dispatch_uid="newsroom.person_deleted")
