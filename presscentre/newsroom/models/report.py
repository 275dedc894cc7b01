from django.conf import settings
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, TitleFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable
from wagtail.search import index

from presscentre.newsroom.blocks import KeyFindingsBlock
from presscentre.newsroom.forms import EmbargoItemForm
from presscentre.newsroom.models.items import NewsItemPage, gallery_panel, item_edit_handler


class ReportPage(NewsItemPage):
    """A report launch: the report's own title, its key findings, a summary and the PDF."""

    report_title = models.CharField(
        "report title",
        max_length=300,
        blank=True,
        help_text="The report's own title, shown in quotes, when it differs from the page headline.",
    )
    cover_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key_findings = StreamField(KeyFindingsBlock(), blank=True)
    report_summary = RichTextField(
        "report summary", blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )

    type_label = "Report"
    type_slug = "report"
    comments_open_by_default = False
    is_creatable = True
    parent_page_types = ["newsroom.PressCentrePage"]
    subpage_types: list[str] = []
    template = "pages/report_page.html"

    search_fields = [
        *NewsItemPage.search_fields,
        index.SearchField("report_title"),
        index.SearchField("key_findings"),
        index.SearchField("report_summary"),
        # The text of the attached PDFs, read when the page is indexed: replacing a document's file is
        # searchable once the report is next saved or published.
        index.SearchField("document_text"),
    ]

    content_panels = [
        TitleFieldPanel("title"),
        FieldPanel("report_title"),
        *NewsItemPage.embargo_panels,
        *NewsItemPage.item_panels[1:],
        FieldPanel("cover_image"),
        FieldPanel("key_findings"),
        FieldPanel("report_summary"),
        InlinePanel("document_links", label="Report document", heading="Report documents (PDF)", min_num=0),
        gallery_panel,
    ]
    edit_handler = item_edit_handler(content_panels)
    base_form_class = EmbargoItemForm

    class Meta:
        verbose_name = "report"

    @property
    def quoted_title(self) -> str:
        return f"\u201c{self.report_title or self.title}\u201d"

    @property
    def documents(self) -> list:
        return [link.document for link in self.document_links.select_related("document")]

    def document_text(self) -> str:
        """The extracted text of the report's documents, for the search index."""
        return "\n".join(document.text for document in self.documents if getattr(document, "text", ""))

    def get_context(self, request, *args, **kwargs):
        from presscentre.newsroom.models.site_settings import PressCentreSettings

        context = super().get_context(request, *args, **kwargs)
        # Journalists look for the press office on every item, not only on releases: the site's default contacts.
        context["media_contacts"] = PressCentreSettings.for_request(request).default_contacts()
        return context


class ReportDocument(Orderable):
    report = ParentalKey(ReportPage, on_delete=models.CASCADE, related_name="document_links")
    document = models.ForeignKey(settings.WAGTAILDOCS_DOCUMENT_MODEL, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("document")]
