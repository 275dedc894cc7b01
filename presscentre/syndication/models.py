from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from presscentre.core.site_memo import MemoisedSiteSetting


@register_setting(icon="list-ul")
class SyndicationSettings(MemoisedSiteSetting, BaseSiteSetting):
    """How the site's feeds present items to feed readers and aggregators."""

    # A release is written to be republished as it stands, so feeds carry all of it unless the office says
    # otherwise; articles, reports and appearances keep to a summary and a link by default.
    release_full_text = models.BooleanField(
        "full text of press releases in feeds",
        default=True,
        help_text="Send each press release whole in the feeds: release line, lead, body and notes to editors. "
        "Off: feeds carry its summary and a link.",
    )
    full_text = models.BooleanField(
        "full text of other items in feeds",
        default=False,
        help_text="Send the whole text of articles, reports and media appearances in the feeds. Off: feeds "
        "carry the summary and a link, so readers come to the site for the rest. Articles republished under "
        "an excerpt-only licence always stay a summary.",
    )

    panels = [FieldPanel("release_full_text"), FieldPanel("full_text")]

    class Meta:
        verbose_name = "feed settings"
