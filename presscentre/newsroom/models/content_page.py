from django.core.exceptions import ValidationError
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from presscentre.core.site_memo import MemoisedViewRestrictions
from presscentre.core.urls_public import public_page_url
from presscentre.newsroom.blocks import BodyBlock
from presscentre.newsroom.forms import RESERVED_SLUGS


class ContentPage(MemoisedViewRestrictions, Page):
    """A plain page of the press centre ("About us", "Contact", "Accreditation"): a title and a body, with no
    date, embargo or category. WordPress pages are imported as these, keeping their hierarchy.

    It is never listed with the items: readers reach it by its address or a link. Wagtail serves only its live
    version, so a draft stays private, and its privacy settings apply as to any page.
    """

    body = StreamField(BodyBlock(), blank=True)

    parent_page_types = ["newsroom.PressCentrePage", "newsroom.ContentPage"]
    subpage_types = ["newsroom.ContentPage"]
    template = "pages/content_page.html"

    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("body")]
    promote_panels = [
        MultiFieldPanel(
            [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description")],
            heading="For search engines",
        )
    ]

    class Meta:
        verbose_name = "content page"

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:  # the press centre's own pages (archives, feeds) answer these addresses
            raise ValidationError(
                {"slug": f"'{self.slug}' is used by the press centre's own pages; choose another slug."}
            )

    def press_centre(self):
        """The press centre this page sits in (its nearest), for the shared header; None outside one."""
        from presscentre.newsroom.models.index import PressCentrePage

        return PressCentrePage.objects.ancestor_of(self).order_by("-depth").first()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # What the shared navigation asks of a listing: said here, as for an item.
        context.update(press_centre=self.press_centre(), current_type=None, category=None, person=None)
        # The shared metadata knows items and the index; a plain page names itself for sharing and search engines.
        context.update(section_title=self.seo_title or self.title, section_canonical=public_page_url(self, request))
        return context
