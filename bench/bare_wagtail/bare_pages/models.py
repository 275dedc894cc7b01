"""Two page types as the Wagtail tutorial writes them: a page with a date, an intro and a rich text body, and an
index listing its children newest first, twenty to a page with Django's Paginator."""

from django.core.paginator import Paginator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class BarePage(Page):
    """A plain article: what a stock site's detail page does per request."""

    date = models.DateField("Post date")
    intro = models.CharField(max_length=250)
    body = RichTextField(blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    content_panels = [*Page.content_panels, "date", "intro", FieldPanel("body")]
    parent_page_types = ["bare_pages.BareIndexPage"]
    template = "bare_pages/bare_page.html"


class BareIndexPage(Page):
    """The listing: its live children, newest first, twenty to a page."""

    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["bare_pages.BarePage"]
    template = "bare_pages/bare_index_page.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = BarePage.objects.child_of(self).live().order_by("-date", "-pk")
        context["children"] = Paginator(children, 20).get_page(request.GET.get("page"))
        return context
