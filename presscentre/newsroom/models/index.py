from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from presscentre.core.pagination import page_or_404
from presscentre.core.site_memo import MemoisedViewRestrictions, memoised
from presscentre.embargo.services import public_items
from presscentre.newsroom.listing import ListedItem, listed_items, listing_entries
from presscentre.newsroom.models.article import ArticlePage
from presscentre.newsroom.models.media_appearance import MediaAppearancePage
from presscentre.newsroom.models.press_release import PressReleasePage
from presscentre.newsroom.models.report import ReportPage
from presscentre.newsroom.models.snippets import Category, Person

ITEM_TYPES = {model.type_slug: model for model in (PressReleasePage, ArticlePage, ReportPage, MediaAppearancePage)}


class ChildRouting:
    """Routes to a child page as Wagtail does, without building the child twice.

    Wagtail reads the child as a plain page, then again in its specific form; this reads only its id and type,
    then the specific page. Sits between RoutablePageMixin and Page, so the index's own routes come first.
    """

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        found = Page.objects.child_of(self).filter(slug=path_components[0]).values_list("pk", "content_type_id")[:1]
        if not found:
            raise Http404
        pk, content_type_id = found[0]
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:  # a page type whose code is gone: let Wagtail decide
            return super().route(request, path_components)
        child = model.objects.get(pk=pk)
        child._cached_parent_obj = self  # as Wagtail does: the child's get_parent() needs no query
        return child.route(request, path_components[1:])


class PressCentrePage(MemoisedViewRestrictions, RoutablePageMixin, ChildRouting, Page):
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
            ListedItem.rows_of(items),
            request.GET.get("page"),
            per_page=settings.PRESSCENTRE_ITEMS_PER_PAGE,
            count_key=count_key,
        )
        page.object_list = listed_items(page.object_list)
        return {
            "items": page,
            "entries": listing_entries(page, press_centre=self, request=request),
            "current_type": item_type,
            "press_centre": self,
        }

    @path("", name="index")
    def index_view(self, request):
        return self.render(request, context_overrides=self.listing_context(request, self.items(timezone.now())))

    @path("category/<str:slug>/", name="category")
    def category_view(self, request, slug):
        category = memoised(("category", slug), lambda: Category.objects.filter(slug=slug).first())
        if category is None:
            raise Http404("No such category.")
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
