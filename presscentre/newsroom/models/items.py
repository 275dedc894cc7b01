"""The fields and behaviour every newsroom item shares, whatever its type."""

import dataclasses
import functools
import importlib.resources
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
    TitleFieldPanel,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from presscentre.core.models import ImageOrFile
from presscentre.core.site_memo import MemoisedViewRestrictions, restricted_sections
from presscentre.newsroom import dates
from presscentre.newsroom.blocks import BodyBlock
from presscentre.newsroom.excerpts import cut_on_word_boundary, text_of_body
from presscentre.newsroom.forms import RESERVED_SLUGS, NewsItemForm
from presscentre.newsroom.models.featured_image import FeaturedImageMixin

DEFAULT_TIME_ZONE = "Europe/London"


@functools.cache
def canonical_time_zones() -> tuple[str, ...]:
    """The IANA zones a place uses today (the tz database's zone.tab), and UTC.

    `zoneinfo.available_timezones()` also lists the database's old aliases and oddities (`GB-Eire`, `Factory`,
    `localtime`, `US/Pacific`); an editor choosing an embargo's zone should see each real zone once.
    """
    table = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    names = {line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")}
    return tuple(sorted(names | {"UTC"}))


@functools.cache
def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The canonical zones grouped by region ("Europe", "America", ...), as the zone pickers show them."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in canonical_time_zones():
        region = name.partition("/")[0] if "/" in name else "Other"
        groups.setdefault(region, []).append((name, name.replace("_", " ")))
    return sorted(groups.items())


def time_zone_choices_with_first(first: str) -> list:
    """The grouped zones with `first` (the site's zone, or the value already saved) offered at the top."""
    label = first.replace("_", " ")
    grouped = [(region, [choice for choice in zones if choice[0] != first]) for region, zones in time_zone_choices()]
    return [("Site time zone", [(first, label)]), *[(region, zones) for region, zones in grouped if zones]]


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

    def public_at(self, at: datetime) -> "NewsItemQuerySet":
        """Items the public may see at `at`: live, not private, and past any embargo.

        The one visibility rule for lists, kept with the fields it reads: newsroom's own listings call it, and
        `embargo.services.public_items`, which every other surface asks, hands on to it.
        """
        return self.live().public().filter(models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=at))


NewsItemManager = PageManager.from_queryset(NewsItemQuerySet)


class NewsItemPage(FeaturedImageMixin, MemoisedViewRestrictions, Page):
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
        TitleFieldPanel("title"),
        FieldPanel("published_at"),
        FieldPanel("summary"),
        FeaturedImageMixin.featured_image_panel,  # the featured image: fields in featured_image.py
        InlinePanel("category_links", label="Categories", heading="Categories"),
        InlinePanel("person_links", label="People", heading="People (authors or spokespeople)"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    discussion_panels = [FieldPanel("comments_open")]
    # Wagtail's own promote tab without "Show in menus": the press centre has no menus built from pages.
    promote_panels = [
        MultiFieldPanel(
            [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description")],
            heading="For search engines",
        )
    ]
    base_form_class = NewsItemForm
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
        for kind, name, slug, role, _order, _pk, photo_id, expert in _links_of(self):
            loaded[kind].append(
                LinkedName(name=name, slug=slug, role=role, photo_id=photo_id, available_for_comment=bool(expert))
            )
        self._loaded_categories = loaded["category"]
        self._loaded_people = loaded["person"]
        self._loaded_tag_names = [link.name for link in loaded["tag"]]

    def is_embargoed_at(self, at: datetime) -> bool:
        return self.embargo_until is not None and at < self.embargo_until

    def embargo_line(self) -> str:
        """'EMBARGOED UNTIL 00:01 BST, Wednesday 24th May 2023', as `dates.embargo_line` words it (for templates)."""
        return dates.embargo_line(self)

    @property
    def status_string(self):
        # Published but still secret: say so wherever Wagtail shows a page's status.
        if self.live and self.is_embargoed_at(timezone.now()):
            return f"live, {dates.embargo_line(self, 'status')}"
        return super().status_string

    def with_content_json(self, content):
        page = super().with_content_json(content)
        # The lift sets this, never an editor: a revision saved before the lift must not undo it on publish.
        page.embargo_lifted_at = self.embargo_lifted_at
        return page

    def serve(self, request, *args, **kwargs):
        # Who may see the item, and when, is checked around this by the embargo app's `on_serve_page` hook, as
        # Wagtail checks its view restrictions around it: newsroom imports nothing from the apps above it.
        from presscentre.pagecache import tags as cache_tags

        cache_tags.add(request, cache_tags.item(self.pk))
        if "format" in request.GET:
            response = self.serve_plain_text(request)
        else:
            response = super().serve(request, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(functools.partial(_keep_personal_response_private, request))
        return response

    def serve_plain_text(self, request):
        """`?format=text`: the item as a plain-text download for a journalist's own system (issue 14).

        The embargo app's serving hook applies the visibility rule and its cache headers, exactly as for the page.
        """
        from django.http import HttpResponse
        from django.utils.http import content_disposition_header

        from presscentre.newsroom.models.site_settings import PressCentreSettings
        from presscentre.newsroom.plain_text import item_as_plain_text

        if request.GET["format"] != "text":
            raise Http404("Unknown format.")
        text = item_as_plain_text(self, site_settings=PressCentreSettings.for_request(request), at=timezone.now())
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{self.slug}.txt")
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
            context["embargo_banner"] = dates.embargo_line(self, "banner")
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
            ObjectList(NewsItemPage.promote_panels, heading="Promote"),
            ObjectList([*Page.settings_panels, *NewsItemPage.discussion_panels], heading="Settings"),
        ]
    )


class ItemCategory(Orderable):
    item = ParentalKey(NewsItemPage, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey("newsroom.Category", on_delete=models.CASCADE, related_name="item_links")

    panels = [FieldPanel("category")]

    class Meta(Orderable.Meta):
        # Linked twice, an item would be listed twice in its category's archive and repeat a guid in its feed.
        constraints = [models.UniqueConstraint(fields=["item", "category"], name="itemcategory_unique_item_category")]


class ItemAsset(ImageOrFile, Orderable):
    """A picture or file in an item's gallery: shown with its credit and licence, downloadable in its sizes and in the
    item's "Download all" ZIP, and as secret as the item until its lift."""

    item = ParentalKey(NewsItemPage, on_delete=models.CASCADE, related_name="media_assets")

    panels = [FieldPanel("image"), FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = "gallery entry"


gallery_panel = InlinePanel(
    "media_assets",
    label="Image or file",
    heading="Gallery and downloads",
    help_text="Pictures, recordings and documents journalists may use, each with its credit and licence. "
    "They stay secret until the item is public.",
)


@dataclasses.dataclass(frozen=True)
class LinkedName:
    """A category, person or tag as an item page shows it."""

    name: str
    slug: str
    role: str = ""
    photo_id: int | None = None  # a person's headshot; bylines look up no picture for someone without one
    available_for_comment: bool = False  # a person in the experts directory: the byline offers an interview


def _links_of(item: NewsItemPage):
    """(kind, name, slug, role, order, link id, photo id, in the experts directory) of the item's categories, people
    and tags, each in the editor's order (tags in the order they were added); only people have the last two."""
    text = models.CharField()
    no_photo = models.Value(None, output_field=models.IntegerField())
    not_expert = models.Value(False, output_field=models.BooleanField())

    def rows(links, kind: str, target: str, role, photo=no_photo, expert=not_expert):
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
                photo,
                expert,
            )
        )

    categories = rows(ItemCategory.objects, "category", "category", models.Value("", output_field=text))
    people = rows(
        ItemPerson.objects, "person", "person", "person__role", "person__photo_id", "person__available_for_comment"
    )
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
