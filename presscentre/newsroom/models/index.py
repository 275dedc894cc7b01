from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from presscentre.core.pagination import page_or_404
from presscentre.embargo.services import public_items
from presscentre.newsroom.models.article import ArticlePage
from presscentre.newsroom.models.media_appearance import MediaAppearancePage
from presscentre.newsroom.models.press_release import PressReleasePage
from presscentre.newsroom.models.report import ReportPage
from presscentre.newsroom.models.snippets import Category, Person

ITEM_TYPES = {model.type_slug: model for model in (PressReleasePage, ArticlePage, ReportPage, MediaAppearancePage)}


class PressCentrePage(RoutablePageMixin, Page):
    """The press centre: every public item, newest first, with type filters and WordPress-style archives."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    subpage_types = [model._meta.label for model in ITEM_TYPES.values()]
    template = "pages/press_centre_page.html"

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = "press centre"

    @property
    def item_types(self):
        return ITEM_TYPES.values()

    def items(self, at):
        """This press centre's items the public may see at `at`, newest first."""
        return public_items(at).child_of(self).newest_first()

    def listing_context(self, request, items, *, archive: str = "index") -> dict:
        item_type = ITEM_TYPES.get(request.GET.get("type", ""))
        if "type" in request.GET and item_type is None:
            raise Http404("Unknown item type.")
        if item_type is not None:
            items = items.of_type(item_type)
        # The total is cached per listing (this index, archive and type filter) until the listings are purged.
        count_key = f"press-centre:{self.pk}:{archive}:{item_type.type_slug if item_type else ''}"
        page = page_or_404(
            items.for_listing(),
            request.GET.get("page"),
            per_page=settings.PRESSCENTRE_ITEMS_PER_PAGE,
            count_key=count_key,
        )
        return {
            "items": page,
            "current_type": item_type,
            "press_centre": self,
        }

    @path("", name="index")
    def index_view(self, request):
        return self.render(request, context_overrides=self.listing_context(request, self.items(timezone.now())))

    @path("category/<str:slug>/", name="category")
    def category_view(self, request, slug):
        category = get_object_or_404(Category, slug=slug)
        items = self.items(timezone.now()).filter(category_links__category=category)
        context = self.listing_context(request, items, archive=f"category:{category.pk}")
        context["category"] = category
        return self.render(request, template="pages/category_archive.html", context_overrides=context)

    @path("author/<str:slug>/", name="person")
    def person_view(self, request, slug):
        person = get_object_or_404(Person.objects.select_related("photo"), slug=slug)
        items = self.items(timezone.now()).filter(person_links__person=person)
        context = self.listing_context(request, items, archive=f"person:{person.pk}")
        context["person"] = person
        return self.render(request, template="pages/person_archive.html", context_overrides=context)
