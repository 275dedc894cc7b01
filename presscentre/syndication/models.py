from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from presscentre.core.site_memo import MemoisedSiteSetting


@register_setting(icon="list-ul")
class SyndicationSettings(MemoisedSiteSetting, BaseSiteSetting):
    """How the site's feeds present items to feed readers and aggregators."""

    full_text = models.BooleanField(
        "full text in feeds",
        default=False,
        help_text="Send each item's whole text in the feeds. Off: feeds carry the summary and a link, "
        "so readers come to the site for the rest.",
    )

    panels = [FieldPanel("full_text")]

    class Meta:
        verbose_name = "feed settings"
