from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from presscentre.core.urls_public import public_page_url
from presscentre.newsroom.models.items import NewsItemPage, item_edit_handler


class ArticlePage(NewsItemPage):
    """A fellow's article, often written for an outside publication and linked back to it."""

    class Rights(models.TextChoices):
        FULL_TEXT = "full", "Full text may be republished here"
        EXCERPT = "excerpt", "Excerpt only, with a link to the original"

    class CanonicalPolicy(models.TextChoices):
        THIS_SITE = "this_site", "This site"
        ORIGINAL = "original", "The original publication"

    original_outlet = models.CharField("original outlet", max_length=150, blank=True, help_text="e.g. 'The Guardian'.")
    original_url = models.URLField("original URL", max_length=500, blank=True)
    first_published_on = models.DateField("first published on", null=True, blank=True)
    rights = models.CharField(max_length=20, choices=Rights.choices, default=Rights.FULL_TEXT)
    canonical_policy = models.CharField(
        "canonical page",
        max_length=20,
        choices=CanonicalPolicy.choices,
        default=CanonicalPolicy.THIS_SITE,
        help_text="Which copy search engines should treat as the original.",
    )

    type_label = "Article"
    type_slug = "article"
    comments_open_by_default = True
    is_creatable = True
    parent_page_types = ["newsroom.PressCentrePage"]
    subpage_types: list[str] = []
    template = "pages/article_page.html"

    search_fields = [*NewsItemPage.search_fields, index.SearchField("original_outlet")]

    content_panels = [
        *NewsItemPage.item_panels,
        MultiFieldPanel(
            [
                FieldPanel("original_outlet"),
                FieldPanel("original_url"),
                FieldPanel("first_published_on"),
                FieldPanel("rights"),
                FieldPanel("canonical_policy"),
            ],
            heading="Original publication",
        ),
    ]
    edit_handler = item_edit_handler(content_panels)

    class Meta:
        verbose_name = "article"

    @property
    def shows_full_text(self) -> bool:
        return self.rights == self.Rights.FULL_TEXT or not self.original_url

    def bylines(self) -> list[tuple]:
        """(person, rest) per author, reading together "<name>, <role>, writes for <outlet>"."""
        lines = []
        for person in self.people:
            rest = f", {person.role}" if person.role else ""
            if self.original_outlet:
                rest += f", writes for {self.original_outlet}"
            lines.append((person, rest))
        return lines

    def canonical_url(self, request=None) -> str:
        if self.canonical_policy == self.CanonicalPolicy.ORIGINAL and self.original_url:
            return self.original_url
        return public_page_url(self, request)
