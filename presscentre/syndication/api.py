"""The read API: Wagtail's pages endpoint, limited to the public items and the press centre indexes.

Images and documents endpoints are not registered: Wagtail's list every file in the library, including those
only an embargoed item uses. Reports name their documents' public URLs instead. Every absolute URL in a response
(detail_url, html_url, a parent's, a document's) starts with the configured public base (core.urls_public).

Titles, summaries and names are JSON strings of plain text. Rich text (stream field paragraphs, notes to editors,
summaries of reports, transcripts) is HTML, and goes out sanitised as feeds send it: whatever reached the database
past the editor (a script, an on* attribute, a javascript: link) is dropped, Wagtail's own link and embed
attributes are kept.
"""

from types import SimpleNamespace

import nh3
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import SkipField
from wagtail import blocks
from wagtail.api import APIField
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import (
    DetailUrlField,
    PageHtmlUrlField,
    PageParentField,
    PageSerializer,
    RichTextFieldSerializer,
    StreamField,
    get_serializer_class,
)
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.fields import RichTextField
from wagtail.fields import StreamField as StreamModelField

from presscentre.core.urls_public import public_page_url, public_url
from presscentre.embargo.services import public_items
from presscentre.newsroom.models import (
    ArticlePage,
    MediaAppearancePage,
    NewsItemPage,
    PressCentrePage,
    PressReleasePage,
    ReportPage,
)
from presscentre.pagecache import services as page_cache
from presscentre.pagecache import tags as cache_tags
from presscentre.pagecache.edge import uses_cloudflare

# nh3's allowlist, plus the attributes of Wagtail's stored rich text: page and document links by id, embeds.
_RICH_TEXT_TAGS = nh3.ALLOWED_TAGS | {"embed"}
_RICH_TEXT_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "a": nh3.ALLOWED_ATTRIBUTES["a"] | {"linktype", "id"},
    "embed": {"embedtype", "id", "format", "alt"},
}


def clean_rich_text(markup: str) -> str:
    """Rich text for the API: sanitised, in whichever form (stored or expanded) it was asked for."""
    if not markup:
        return markup
    return nh3.clean(markup, tags=_RICH_TEXT_TAGS, attributes=_RICH_TEXT_ATTRIBUTES, link_rel=None)


def _with_clean_rich_text(block, value):
    """A block's API value with every rich text inside it sanitised; its shape and other values are untouched."""
    if isinstance(block, blocks.RichTextBlock):
        return clean_rich_text(value) if isinstance(value, str) else value
    if isinstance(block, blocks.StreamBlock) and isinstance(value, list):
        return [
            {**child, "value": _with_clean_rich_text(block.child_blocks[child["type"]], child.get("value"))}
            if isinstance(child, dict) and child.get("type") in block.child_blocks
            else child
            for child in value
        ]
    if isinstance(block, blocks.StructBlock) and isinstance(value, dict):
        return {
            name: _with_clean_rich_text(block.child_blocks[name], part) if name in block.child_blocks else part
            for name, part in value.items()
        }
    if isinstance(block, blocks.ListBlock) and isinstance(value, list):
        return [_with_clean_rich_text(block.child_block, part) for part in value]
    return value


class CleanStreamField(StreamField):
    def to_representation(self, value):
        return _with_clean_rich_text(value.stream_block, super().to_representation(value))


class CleanRichTextField(RichTextFieldSerializer):
    def to_representation(self, value):
        return clean_rich_text(super().to_representation(value))


class CategoriesField(serializers.Field):
    def to_representation(self, categories):
        return [{"name": category.name, "slug": category.slug} for category in categories]


class PeopleField(serializers.Field):
    # Names and roles only: a person's record holds nothing else the public needs.
    def to_representation(self, people):
        return [{"name": person.name, "slug": person.slug, "role": person.role} for person in people]


class DocumentsField(serializers.Field):
    def to_representation(self, documents):
        return [
            {"title": document.title, "url": public_url(document.url), "file_size": document.file_size}
            for document in documents
        ]


class PublicDetailUrlField(DetailUrlField):
    def get_attribute(self, instance):
        path = self.context["router"].get_object_detail_urlpath(type(instance), instance.pk)
        if not path:
            raise SkipField
        return public_url(path)


class PublicHtmlUrlField(PageHtmlUrlField):
    def to_representation(self, page):
        try:
            return public_page_url(page, self.context.get("request")) or None
        except NoReverseMatch:
            return None


class PublicPageParentField(PageParentField):
    def to_representation(self, value):
        serializer_class = get_serializer_class(
            value.__class__,
            ["id", "type", "detail_url", "html_url", "title"],
            meta_fields=["type", "detail_url", "html_url"],
            base=PublicPageSerializer,
        )
        return serializer_class(context=self.context).to_representation(value)


class PublicPageSerializer(PageSerializer):
    """Wagtail's page serializer with its URLs on the public base rather than the Site record's hostname."""

    serializer_field_mapping = {
        **PageSerializer.serializer_field_mapping,
        StreamModelField: CleanStreamField,
        RichTextField: CleanRichTextField,
    }
    detail_url = PublicDetailUrlField(read_only=True)
    html_url = PublicHtmlUrlField(read_only=True)
    parent = PublicPageParentField(read_only=True)


ITEM_FIELDS = [
    APIField("item_type", serializer=serializers.CharField(source="type_label", read_only=True)),
    APIField("published_at"),
    APIField("summary"),
    APIField("excerpt"),
    APIField("categories", serializer=CategoriesField(read_only=True)),
    APIField("people", serializer=PeopleField(read_only=True)),
    APIField("body"),
]

# The structured fields of each type, in the order they appear to editors. Nothing about the embargo, the
# press contacts (their emails and phones) or comments is listed, so none of it can be asked for.
TYPE_FIELDS = {
    PressCentrePage: [APIField("intro")],
    NewsItemPage: ITEM_FIELDS,
    PressReleasePage: [
        APIField("subheadline"),
        APIField("dateline_place"),
        APIField("lead"),
        APIField("notes_to_editors"),
    ],
    ArticlePage: [
        APIField("original_outlet"),
        APIField("original_url"),
        APIField("first_published_on"),
    ],
    ReportPage: [
        APIField("report_title"),
        APIField("key_findings"),
        APIField("report_summary"),
        APIField("documents", serializer=DocumentsField(read_only=True)),
    ],
    MediaAppearancePage: [
        APIField("outlet"),
        APIField("programme"),
        APIField("broadcast_at"),
        APIField("recording_url"),
        APIField("transcript"),
    ],
}


class PlainWordsSearchFilter(SearchFilter):
    """`?search=` as plain words, like the search page: quotes and other search syntax made SQLite's full-text
    search fail with an error page (found by the hostile-input tests)."""

    def filter_queryset(self, request, queryset, view):
        from presscentre.syndication.search import search_terms

        if "search" not in request.GET:
            return super().filter_queryset(request, queryset, view)
        params = request.GET.copy()
        params["search"] = " ".join(search_terms(params["search"]))
        return super().filter_queryset(SimpleNamespace(GET=params), queryset, view)


class PublicPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint over what `public_items` allows, plus the indexes; anything else is a 404."""

    base_serializer_class = PublicPageSerializer
    filter_backends = [
        PlainWordsSearchFilter if backend is SearchFilter else backend for backend in PagesAPIViewSet.filter_backends
    ]

    # Wagtail's defaults minus first_published_at (when an embargoed item went live to staff, before its lift).
    meta_fields = [field for field in PagesAPIViewSet.meta_fields if field != "first_published_at"]
    listing_default_fields = [
        *(field for field in PagesAPIViewSet.listing_default_fields if field != "first_published_at"),
    ]

    @classmethod
    def get_body_fields(cls, model):
        fields = [APIField(name) for name in cls.body_fields]
        for owner, owner_fields in TYPE_FIELDS.items():
            if issubclass(model, owner):
                fields += owner_fields
        return fields

    def get_base_queryset(self):
        # Wagtail asks for this several times per request (listing, filters, serializer context); each build
        # reads the view restrictions, so build it once, and for one instant.
        if not hasattr(self, "_public_pages"):
            visible = Q(pk__in=public_items(timezone.now()).values("pk")) | Q(
                pk__in=PressCentrePage.objects.live().public().values("pk")
            )
            self._public_pages = super().get_base_queryset().filter(visible)
        return self._public_pages.all()

    def finalize_response(self, request, response, *args, **kwargs):
        """Answers are the same for every reader (what `public_items` allows): shared caches may keep them for the
        page cache's lifetime, tagged with each item shown so a change to one reaches them."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and isinstance(response.data, dict):
            shown = [entry.get("id") for entry in response.data.get("items", [response.data])]
            cache_tags.add(request, cache_tags.API)
            cache_tags.add_items(request, [pk for pk in shown if isinstance(pk, int)])
            response["Cache-Control"] = page_cache.cache_control(page_cache.shared_seconds(request.path_info))
            cache_tags.apply(response, cache_tags.of(request), cloudflare=uses_cloudflare())
        return response

    def get_queryset(self):
        queryset = super().get_queryset()
        if issubclass(queryset.model, NewsItemPage):
            queryset = queryset.prefetch_related("category_links__category", "person_links__person")
        return queryset


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
