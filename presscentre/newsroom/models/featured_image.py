"""An item's optional featured image: shown above the item, as its listing thumbnail and on social cards."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

MISSING_ALT_TEXT = (
    "Describe the image for readers who cannot see it, or give the image a description in the image library."
)


class FeaturedImageMixin(models.Model):
    """The featured image fields of every item type.

    Alternative text is required with an image: the item's own, or else the description the image carries in
    the library (so a photo used often is described once). The image's title is never used: it is usually a
    file name.
    """

    featured_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        verbose_name="featured image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional. Shown above the item, beside it in listings and when it is shared.",
    )
    featured_image_alt = models.CharField(
        "featured image alt text",
        max_length=250,
        blank=True,
        help_text="What the image shows, for readers who cannot see it. Leave empty to use the image's own "
        "description from the image library.",
    )

    featured_image_panel = MultiFieldPanel(
        [FieldPanel("featured_image"), FieldPanel("featured_image_alt")], heading="Featured image"
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.featured_image_id is not None and not self.featured_image_alt_text:
            raise ValidationError({"featured_image_alt": MISSING_ALT_TEXT})

    @property
    def featured_image_alt_text(self) -> str:
        """The alternative text the featured image is shown with ('' without an image)."""
        if self.featured_image_id is None:
            return ""
        return self.featured_image_alt.strip() or (self.featured_image.description or "").strip()
