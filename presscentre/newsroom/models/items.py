"""The fields and behaviour every newsroom item shares, whatever its type."""

import dataclasses
import functools
import zoneinfo
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from presscentre.core.site_memo import MemoisedViewRestrictions, restricted_sections
from presscentre.embargo.services import can_view, lift_embargo
from presscentre.newsroom.blocks import BodyBlock
from presscentre.newsroom.excerpts import cut_on_word_boundary, text_of_body

DEFAULT_TIME_ZONE = "Europe/London"

# Slugs the archives, feeds, search and journalist links own beneath the index; items may not take them.
RESERVED_SLUGS = frozenset({"category", "author", "feed", "search", "page", "embargoed", "comments", "api", "admin"})


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class NewsItemQuerySet(PageQuerySet):
    def newest_first(self) -> "NewsItemQuerySet":
        return self.order_by("-published_at", "-pk")

    def for_listing(self) -> "NewsItemQuerySet":
        """Everything a listing entry shows, in a fixed number of queries whatever the page size."""
        return self.select_related("content_type").prefetch_related(category_links_with_categories())

    def private_q(self) -> models.Q:
        """Wagtail's private sections, read from process memory rather than with a query per listing."""
        q = models.Q()
        for path, depth in restricted_sections():
            q |= models.Q(path__startswith=path, depth__gte=depth)
        return q if q else models.Q(pk__in=[])

    def of_type(self, model: type["NewsItemPage"]) -> "NewsItemQuerySet":
        return self.filter(content_type__in=model.content_types())


NewsItemManager = PageManager.from_queryset(NewsItemQuerySet)


class NewsItemPage(MemoisedViewRestrictions, Page):
    """A press release, article, report launch or media appearance: never created directly."""

    published_at = models.DateTimeField(
        "publication date and time",
        default=timezone.now,
        db_index=True,
        help_text="The date readers see, in the site's time zone. Listings are ordered by it.",
    )
    summary = models.TextField(
        blank=True,
        help_text="One or two sentences for listings, feeds and search results. "
        "Leave empty to use the first 55 words of the body.",
    )
    body = StreamField(BodyBlock(), blank=True)
    comments_open = models.BooleanField("comments open", default=False, help_text="Readers may comment on this item.")
    tags = ClusterTaggableManager(
        through="newsroom.NewsItemTag", blank=True, help_text="Free keywords, e.g. tags brought over from WordPress."
    )
    # Embargo state lives on every item so that one rule can decide visibility for all types;
    # only release-like types show the fields to editors.
    embargo_until = models.DateTimeField(
        "embargoed until",
        null=True,
        blank=True,
        db_index=True,
        help_text="Leave empty for immediate release. The item stays hidden from the public until this instant.",
    )
    embargo_lifted_at = models.DateTimeField(
        "embargo lifted at",
        null=True,
        blank=True,
        editable=False,
        help_text="When the lift ran: the press office was told, documents opened and caches purged.",
    )
    embargo_time_zone = models.CharField(
        "embargo time zone",
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        choices=time_zone_choices,
        help_text="The zone the embargo line is written in, e.g. Europe/London gives GMT or BST.",
    )

    type_label = "Item"
    # Templates handle item classes (the type filter); without this they would call them to make pages.
    do_not_call_in_templates = True
    type_slug = ""
    comments_open_by_default = False
    is_creatable = False
    # Search results set highlighted versions on each result; listings read these defaults (a failed template
    # lookup on a page object costs a dir() of the whole model, twice per entry).
    search_title = ""
    search_excerpt = ""

    objects = NewsItemManager()

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("category_links", [index.RelatedFields("category", [index.SearchField("name")])]),
        index.RelatedFields("person_links", [index.RelatedFields("person", [index.SearchField("name")])]),
        index.FilterField("published_at"),
        index.FilterField("embargo_until"),
    ]

    item_panels = [
        FieldPanel("title"),
        FieldPanel("published_at"),
        FieldPanel("summary"),
        InlinePanel("category_links", label="Categories", heading="Categories"),
        InlinePanel("person_links", label="People", heading="People (authors or spokespeople)"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    discussion_panels = [FieldPanel("comments_open")]
    embargo_panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("embargo_until"), FieldPanel("embargo_time_zone")])],
            heading="Release line",
            help_text="With no embargo the release reads 'FOR IMMEDIATE RELEASE'.",
        )
    ]

    class Meta:
        verbose_name = "newsroom item"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django has one default per column; each item type chooses its own for new pages.
        if not args and "comments_open" not in kwargs:
            self.comments_open = self.comments_open_by_default

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": f"'{self.slug}' is used by the press centre's own pages; choose another slug."}
            )

    @classmethod
    def content_types(cls):
        from django.contrib.contenttypes.models import ContentType

        return [ContentType.objects.get_for_model(model) for model in [cls, *cls._concrete_subclasses()]]

    @classmethod
    def _concrete_subclasses(cls) -> list[type["NewsItemPage"]]:
        found = []
        for subclass in cls.__subclasses__():
            found.append(subclass)
            found.extend(subclass._concrete_subclasses())
        return found

    @property
    def specific_type(self) -> type["NewsItemPage"]:
        """The item's own class, read from its content type without a query."""
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_id(self.content_type_id).model_class()

    @property
    def excerpt(self) -> str:
        """The editor's summary, or the body cut at about 55 words ending in "..."."""
        if self.summary.strip():
            return self.summary.strip()
        return cut_on_word_boundary(self.excerpt_source())  # a type may cut from its own field (a release's lead)

    def excerpt_source(self) -> str:
        """The prose an excerpt is cut from when the editor wrote no summary."""
        return text_of_body(self.body.raw_data)

    @property
    def categories(self) -> list:
        loaded = self.__dict__.get("_loaded_categories")
        if loaded is not None:
            return loaded
        return [link.category for link in self.category_links.all()]

    @property
    def people(self) -> list:
        loaded = self.__dict__.get("_loaded_people")
        if loaded is not None:
            return loaded
        return [link.person for link in self.person_links.all()]

    def tag_names(self) -> list[str]:
        loaded = self.__dict__.get("_loaded_tag_names")
        if loaded is not None:
            return loaded
        return [tag.name for tag in self.tags.all()]

    def load_links(self) -> None:
        """Read the saved categories, people and tags at once, in one query, for the item's own page.

        The page shows their names, slugs and roles only, so they come as plain `LinkedName`s.
        """
        loaded = {"category": [], "person": [], "tag": []}
        for kind, name, slug, role, _order, _pk in _links_of(self):
            loaded[kind].append(LinkedName(name=name, slug=slug, role=role))
        self._loaded_categories = loaded["category"]
        self._loaded_people = loaded["person"]
        self._loaded_tag_names = [link.name for link in loaded["tag"]]

    def is_embargoed_at(self, at: datetime) -> bool:
        return self.embargo_until is not None and at < self.embargo_until

    def embargo_line(self) -> str:
        """'EMBARGOED UNTIL 00:01 BST, Wednesday 24 May 2023' in the embargo's own zone."""
        local = self.embargo_until.astimezone(zoneinfo.ZoneInfo(self.embargo_time_zone))
        return f"EMBARGOED UNTIL {local:%H:%M} {local.tzname()}, {local:%A} {local.day} {local:%B %Y}"

    @property
    def status_string(self):
        # Published but still secret: say so wherever Wagtail shows a page's status.
        if self.live and self.is_embargoed_at(timezone.now()):
            return "live + embargoed"
        return super().status_string

    def with_content_json(self, content):
        page = super().with_content_json(content)
        # The lift sets this, never an editor: a revision saved before the lift must not undo it on publish.
        page.embargo_lifted_at = self.embargo_lifted_at
        return page

    def serve(self, request, *args, **kwargs):
        now = timezone.now()
        if not can_view(self, at=now, viewer=request.user):
            raise Http404("No such item.")  # the same answer as for a page that does not exist
        if self.embargo_until is not None and self.embargo_lifted_at is None and not self.is_embargoed_at(now):
            lift_embargo(self, at=now)  # overdue: lift on the spot rather than wait for the worker
        response = super().serve(request, *args, **kwargs)
        if self.is_embargoed_at(now):
            # Only staff get here before the lift: never let a shared cache or a search engine keep it.
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex, nofollow"
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(functools.partial(_keep_personal_response_private, request))
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if not getattr(request, "is_preview", False):
            # The page, its metadata and its byline all read the categories and people: fetch them once, one
            # query each, rather than a query per link each time (a preview shows the editor's unsaved links).
            self.load_links()
        context["press_centre"] = self.get_parent().specific
        # What the shared navigation asks of a listing: said here, as a failed template lookup is slow.
        context.update(current_type=None, category=None, person=None)
        if self.is_embargoed_at(timezone.now()):
            context["embargo_banner"] = (
                f"EMBARGOED: not for publication until {self.embargo_line()[len('EMBARGOED UNTIL ') :]}"
            )
        return context


def _keep_personal_response_private(request, response) -> None:
    # Whatever renders part of a page for this reader alone (their own comment awaiting moderation) sets
    # `request.response_is_personal`; no shared cache may then keep the page.
    if getattr(request, "response_is_personal", False):
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie"])


def item_edit_handler(content_panels: list) -> TabbedInterface:
    """The editor's tabs for an item type: its own content, then the shared promote and settings tabs."""
    return TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(Page.promote_panels, heading="Promote"),
            ObjectList([*Page.settings_panels, *NewsItemPage.discussion_panels], heading="Settings"),
        ]
    )


class ItemCategory(Orderable):
    item = ParentalKey(NewsItemPage, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey("newsroom.Category", on_delete=models.CASCADE, related_name="item_links")

    panels = [FieldPanel("category")]


@dataclasses.dataclass(frozen=True)
class LinkedName:
    """A category, person or tag as an item page shows it."""

    name: str
    slug: str
    role: str = ""


def _links_of(item: NewsItemPage):
    """(kind, name, slug, role, order, link id) of the item's categories, people and tags, each in the editor's
    order (tags in the order they were added)."""
    text = models.CharField()

    def rows(links, kind: str, target: str, role):
        return (
            links.filter(**{"item" if kind != "tag" else "content_object": item})
            .order_by()
            .values_list(
                models.Value(kind, output_field=text),
                f"{target}__name",
                f"{target}__slug",
                role,
                "sort_order" if kind != "tag" else "pk",
                "pk",
            )
        )

    categories = rows(ItemCategory.objects, "category", "category", models.Value("", output_field=text))
    people = rows(ItemPerson.objects, "person", "person", "person__role")
    tags = rows(NewsItemTag.objects, "tag", "tag", models.Value("", output_field=text))
    return sorted(categories.union(people, tags, all=True), key=lambda row: (row[4], row[5]))


def category_links_with_categories() -> models.Prefetch:
    """An item's category links with their categories, in one query for any number of items."""
    return models.Prefetch("category_links", queryset=ItemCategory.objects.select_related("category"))


def person_links_with_people() -> models.Prefetch:
    """An item's person links with their people, in one query for any number of items."""
    return models.Prefetch("person_links", queryset=ItemPerson.objects.select_related("person"))


class NewsItemTag(TaggedItemBase):
    """The link between an item and one of its tags (a modelcluster through model, so drafts keep their tags)."""

    content_object = ParentalKey(NewsItemPage, on_delete=models.CASCADE, related_name="tagged_items")


class ItemPerson(Orderable):
    item = ParentalKey(NewsItemPage, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey("newsroom.Person", on_delete=models.CASCADE, related_name="item_links")

    panels = [FieldPanel("person")]
