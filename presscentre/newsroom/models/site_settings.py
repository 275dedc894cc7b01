import zoneinfo

from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from presscentre.core.site_memo import MemoisedSiteSetting, memoised
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

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("time_zone"),
        FieldPanel("default_boilerplate"),
        FieldPanel("press_office_email"),
        FieldPanel("journalist_terms"),
        InlinePanel("default_contact_links", label="Press contact", heading="Default press contacts"),
    ]

    class Meta:
        verbose_name = "press centre settings"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def default_contacts(self) -> list:
        return memoised(
            ("default-contacts", self.pk),
            lambda: [link.contact for link in self.default_contact_links.select_related("contact")],
        )


class DefaultPressContact(Orderable):
    settings = ParentalKey(PressCentreSettings, on_delete=models.CASCADE, related_name="default_contact_links")
    contact = models.ForeignKey("newsroom.PressContact", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("contact")]
