from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, TitleFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.search import index

from presscentre.newsroom.dates import long_date
from presscentre.newsroom.forms import EmbargoItemForm
from presscentre.newsroom.models.items import NewsItemPage, gallery_panel, item_edit_handler

IMMEDIATE_RELEASE_LINE = "FOR IMMEDIATE RELEASE"


class PressReleasePage(NewsItemPage):
    """A press release, written once in structured fields: the page, email and feeds are built from them."""

    subheadline = models.CharField("sub-headline", max_length=300, blank=True)
    dateline_place = models.CharField(
        "dateline place", max_length=100, blank=True, help_text="e.g. 'LONDON'. Printed before the lead."
    )
    lead = models.TextField("lead paragraph", blank=True, help_text="Who, what, when, where and why, in one paragraph.")
    notes_to_editors = RichTextField(
        "notes to editors", blank=True, features=["bold", "italic", "link", "document-link", "ol", "ul"]
    )
    boilerplate = models.ForeignKey(
        "newsroom.Boilerplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Leave empty to use the site's default boilerplate.",
    )

    type_label = "Press Release"
    type_slug = "press-release"
    comments_open_by_default = False
    is_creatable = True
    parent_page_types = ["newsroom.PressCentrePage"]
    subpage_types: list[str] = []
    template = "pages/press_release_page.html"

    search_fields = [
        *NewsItemPage.search_fields,
        index.SearchField("subheadline"),
        index.SearchField("lead"),
        index.SearchField("notes_to_editors"),
    ]

    content_panels = [
        TitleFieldPanel("title", heading="Headline"),
        FieldPanel("subheadline"),
        *NewsItemPage.embargo_panels,
        MultiFieldPanel([FieldPanel("dateline_place"), FieldPanel("lead")], heading="Dateline and lead"),
        *NewsItemPage.item_panels[1:],
        FieldPanel("notes_to_editors"),
        FieldPanel("boilerplate"),
        InlinePanel(
            "contact_links",
            label="Media contact",
            heading="Media contacts",
            help_text="Leave empty to use the site's default press contacts.",
        ),
        gallery_panel,
    ]
    edit_handler = item_edit_handler(content_panels)
    base_form_class = EmbargoItemForm

    class Meta:
        verbose_name = "press release"

    def excerpt_source(self) -> str:
        # The lead already answers who, what, when, where and why: it makes the best excerpt.
        return " ".join(part for part in (self.lead, super().excerpt_source()) if part)

    def release_line(self) -> str:
        if self.embargo_until is None:
            return IMMEDIATE_RELEASE_LINE
        return self.embargo_line()

    def dateline(self, zone) -> str:
        """'LONDON, 24th May 2023' in the site's zone; just the date when no place is set."""
        local = timezone.localtime(self.published_at, zone)
        date = long_date(local)
        return f"{self.dateline_place.upper()}, {date}" if self.dateline_place else date

    def get_context(self, request, *args, **kwargs):
        from presscentre.newsroom.models.site_settings import PressCentreSettings

        context = super().get_context(request, *args, **kwargs)
        site_settings = PressCentreSettings.for_request(request)
        context["boilerplate"] = self.boilerplate or site_settings.default_boilerplate
        contacts = [link.contact for link in self.contact_links.select_related("contact")]
        context["media_contacts"] = contacts or site_settings.default_contacts()
        context["dateline"] = self.dateline(site_settings.zone)
        return context


class ReleaseContact(Orderable):
    release = ParentalKey(PressReleasePage, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey("newsroom.PressContact", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("contact")]
