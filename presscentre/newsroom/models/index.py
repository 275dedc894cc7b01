from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from presscentre.core.pagination import page_or_404
from presscentre.core.site_memo import MemoisedViewRestrictions
from presscentre.core.urls_public import public_page_url, public_url
from presscentre.newsroom.listing import ListedItem, listed_items, listing_entries
from presscentre.newsroom.models.article import ArticlePage
from presscentre.newsroom.models.items import NewsItemPage
from presscentre.newsroom.models.media_appearance import MediaAppearancePage
from presscentre.newsroom.models.press_release import PressReleasePage
from presscentre.newsroom.models.report import ReportPage
from presscentre.newsroom.models.site_settings import PressCentreSettings
from presscentre.newsroom.models.snippets import Category, Person, PressContact
from presscentre.newsroom.sharing import MastodonShareForm, mastodon_share_url
from presscentre.pagecache import tags as cache_tags

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

    subpage_types = [*(model._meta.label for model in ITEM_TYPES.values()), "newsroom.ContentPage"]
    template = "pages/press_centre_page.html"

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [
        MultiFieldPanel(
            [FieldPanel("slug"), FieldPanel("seo_title"), FieldPanel("search_description")],
            heading="For search engines",
        )
    ]

    class Meta:
        verbose_name = "press centre"

    @property
    def item_types(self):
        return ITEM_TYPES.values()

    def items(self, at):
        """This press centre's items the public may see at `at`, newest first."""
        return NewsItemPage.objects.public_at(at).child_of(self).newest_first()

    def listing_context(self, request, items, *, archive: str = "index", tag: str = cache_tags.INDEX) -> dict:
        item_type = ITEM_TYPES.get(request.GET.get("type", ""))
        if "type" in request.GET and item_type is None:
            raise Http404("Unknown item type.")
        if item_type is not None:
            items = items.of_type(item_type)
        # The total and the pages' positions are cached per listing (this index, archive and type filter) until the
        # listings are purged: any page is then one read by key.
        count_key = f"press-centre:{self.pk}:{archive}:{item_type.type_slug if item_type else ''}"
        page = page_or_404(
            ListedItem.rows_of(items),
            request.GET.get("page"),
            per_page=settings.PRESSCENTRE_ITEMS_PER_PAGE,
            count_key=count_key,
            newest_first=True,
        )
        page.object_list = listed_items(page.object_list)
        cache_tags.add(request, tag)
        cache_tags.add_items(request, page.object_list)
        return {
            "items": page,
            "entries": listing_entries(page, press_centre=self, request=request),
            "current_type": item_type,
            "press_centre": self,
        }

    @path("", name="index")
    def index_view(self, request):
        return self.render(request, context_overrides=self.listing_context(request, self.items(timezone.now())))

    # An archive exists for the public only while it lists a public item: the topic or person of an item still
    # under embargo (or unpublished) is unknown, with its name and description, until that item is public. The
    # listing's own total (kept with its positions) says so: no second look at the archive, whose EXISTS over every
    # public item PostgreSQL's reused plan could turn into a scan of them all on a large archive.

    @path("category/<str:slug>/", name="category")
    def category_view(self, request, slug):
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise Http404("No such category.")
        items = self.items(timezone.now()).filter(category_links__category=category)
        context = self.listing_context(
            request, items, archive=f"category:{category.pk}", tag=cache_tags.category(category.pk)
        )
        _unknown_unless_listed(context, "No such category.")
        context["category"] = category
        return self.render(request, template="pages/category_archive.html", context_overrides=context)

    @path("author/<str:slug>/", name="person")
    def person_view(self, request, slug):
        person = get_object_or_404(Person.objects.select_related("photo"), slug=slug)
        items = self.items(timezone.now()).filter(person_links__person=person)
        context = self.listing_context(request, items, archive=f"person:{person.pk}", tag=cache_tags.person(person.pk))
        _unknown_unless_listed(context, "No such person.")
        context["person"] = person
        return self.render(request, template="pages/person_archive.html", context_overrides=context)

    # The reader's and journalist's ways in (issue 14): indexes of the archives, the press office, sharing.

    def public_counts(self, model, at):
        """Every category or person (`model`) with at least one item the public may see at `at`, with the number
        of such items as `item_count`; others are left out, so an embargoed item's topic or people stay unnamed."""
        public = self.items(at).order_by().values("pk")
        return (
            model.objects.annotate(
                item_count=Count("item_links__item", filter=Q(item_links__item__in=public), distinct=True)
            )
            .filter(item_count__gt=0)
            .order_by("name")
        )

    def secret_topics(self, at) -> set[int]:
        """Ids of the categories that items use but no public item at `at` does: the topics of embargoed or
        unpublished items only, whose names wait for the lift. A topic no item uses yet (a standing press office
        topic) is not secret."""
        used = Category.objects.linked_to(NewsItemPage.objects.child_of(self))
        return set(
            used.exclude(pk__in=Category.objects.linked_to(self.items(at)).values("pk")).values_list("pk", flat=True)
        )

    def section_context(self, request, section: str, *, title: str) -> dict:
        """What the press centre's own pages tell the shared header (which link is current) and the metadata
        (their own canonical address and title, not the index's)."""
        base = public_page_url(self, request) or public_url("/")
        cache_tags.add(request, cache_tags.INDEX)  # their lists and counts follow the public items
        return {
            "press_centre": self,
            "section": section,
            "section_title": title,
            "section_canonical": base + self.reverse_subpage(section).lstrip("/"),
        }

    @path("category/", name="categories")
    def categories_view(self, request):
        context = self.section_context(request, "categories", title="Categories")
        context["categories"] = self.public_counts(Category, timezone.now())
        return self.render(request, template="pages/category_index.html", context_overrides=context)

    @path("author/", name="people")
    def people_view(self, request):
        context = self.section_context(request, "people", title="People")
        context["people"] = self.public_counts(Person, timezone.now())
        return self.render(request, template="pages/person_index.html", context_overrides=context)

    @path("press-contacts/", name="press_contacts")
    def press_contacts_view(self, request):
        site_settings = PressCentreSettings.for_request(request)
        defaults = site_settings.default_contacts()
        context = self.section_context(request, "press_contacts", title="Press contacts")
        contacts = PressContact.objects.select_related("topic")
        context.update(
            press_office_email=site_settings.press_office_email,
            default_contacts=defaults,
            topics=contacts_by_topic(contacts, leave_out=defaults, unnamed=self.secret_topics(timezone.now())),
        )
        return self.render(request, template="pages/press_contacts.html", context_overrides=context)

    @path("experts/", name="experts")
    def experts_view(self, request):
        """The people available for interview, filtered by topic and language; the same page for everyone (the
        interview request form is on its own uncached page)."""
        from presscentre.newsroom.experts import available_people, directory

        at = timezone.now()
        context = self.section_context(request, "experts", title="Experts")
        context["directory"] = directory(
            available_people(),
            secret_topics=self.secret_topics(at),
            topic_slug=request.GET.get("topic", ""),
            language=request.GET.get("language", ""),
        )
        return self.render(request, template="pages/experts.html", context_overrides=context)

    @path("share/mastodon/", name="share_mastodon")
    def share_mastodon_view(self, request):
        """Ask for the reader's Mastodon server, then send them to its share screen with the post written."""
        bound = "instance" in request.GET
        form = MastodonShareForm(request.GET if bound else None, initial=request.GET.dict())
        if bound and form.is_valid():
            data = form.cleaned_data
            return HttpResponseRedirect(mastodon_share_url(data["instance"], text=data["text"], url=data["url"]))
        response = self.render(
            request,
            template="pages/share_mastodon.html",
            context_overrides={
                **self.section_context(request, "share_mastodon", title="Share on Mastodon"),
                "form": form,
                "sharing": request.GET.get("text", "")[:500],
            },
        )
        if bound:
            response.status_code = 400
        return response


def contacts_by_topic(contacts, *, leave_out=(), unnamed=frozenset()) -> list[tuple[str, list]]:
    """(topic name, contacts) for the named contacts, topics in alphabetical order and "Other enquiries" last;
    the contacts in `leave_out` (the press office's default contacts, listed on their own) are not repeated, and
    those whose topic is in `unnamed` (category ids not to be named yet) are listed under "Other enquiries"."""
    shown_already = {contact.pk for contact in leave_out}

    def topic_of(contact):
        return contact.topic if contact.topic_id is not None and contact.topic_id not in unnamed else None

    groups: dict[str, list] = {}
    for contact in sorted(
        contacts, key=lambda contact: (topic_of(contact) is None, topic_of(contact) and contact.topic.name)
    ):
        if contact.pk not in shown_already:
            topic = topic_of(contact)
            groups.setdefault(topic.name if topic else "Other enquiries", []).append(contact)
    return list(groups.items())


def _unknown_unless_listed(context: dict, message: str) -> None:
    """A 404 for an archive that lists no public item, before anything of it is rendered."""
    if context["items"].paginator.count == 0:
        raise Http404(message)
