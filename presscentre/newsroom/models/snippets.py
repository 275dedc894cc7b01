"""Reusable newsroom records that editors manage as snippets."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import RevisionMixin
from wagtail.search import index

from presscentre.core.text import has_xml_invalid_characters, xml_safe

CONTROL_CHARACTER_MESSAGE = (
    "Remove the invisible control character (often brought in by a paste): feeds cannot carry it."
)


def _refuse_control_characters(instance, field_names: tuple[str, ...]) -> None:
    """One clear message on each field of the admin form that holds a character XML 1.0 cannot carry."""
    errors = {
        name: CONTROL_CHARACTER_MESSAGE for name in field_names if has_xml_invalid_characters(getattr(instance, name))
    }
    if errors:
        raise ValidationError(errors)


def _strip_control_characters(instance, field_names: tuple[str, ...]) -> None:
    """The last line for writes that skip the form (imports, scripts): the characters are taken out."""
    for name in field_names:
        setattr(instance, name, xml_safe(getattr(instance, name)))


class LinkedToItemsQuerySet(models.QuerySet):
    """Categories or people, narrowed by the items they are linked to."""

    def linked_to(self, items) -> "LinkedToItemsQuerySet":
        """Those linked to at least one item of `items`, in one EXISTS subquery.

        Archives, search filters and lists of names pass the items the public may see now (the embargo rule's
        `public_items`), so a topic or person that only an embargoed or unpublished item uses stays unnamed, and
        its archive unknown, until that item is public.
        """
        relation = self.model._meta.get_field("item_links")
        links = relation.related_model.objects.filter(
            **{relation.field.name: OuterRef("pk")}, item__in=items.order_by().values("pk")
        )
        return self.filter(Exists(links))


class Category(index.Indexed, models.Model):
    """A topic or kind of item ("Economy", "Press Release"); shown as a label and archived at /category/<slug>/."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(blank=True, help_text="Shown at the top of the category archive.")

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    objects = LinkedToItemsQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        _strip_control_characters(self, ("name", "description"))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Names and descriptions go into every feed, and XML 1.0 cannot carry control characters."""
        _refuse_control_characters(self, ("name", "description"))


class Person(RevisionMixin, index.Indexed, ClusterableModel):
    """A fellow, author or spokesperson; their items are listed at /author/<slug>/."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True, allow_unicode=True)
    role = models.CharField(max_length=200, blank=True, help_text="e.g. 'Senior Fellow, Economics'.")
    bio = RichTextField(blank=True, features=["bold", "italic", "link"])
    photo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topics = ParentalManyToManyField(Category, blank=True, related_name="experts")
    available_for_comment = models.BooleanField(
        default=False, help_text="Journalists may contact the press office to arrange an interview."
    )
    languages = models.CharField(
        max_length=200,
        blank=True,
        help_text="The languages they give interviews in, separated by commas, e.g. 'English, Welsh, French'.",
    )
    availability = models.CharField(
        max_length=200, blank=True, help_text="A short note for journalists, e.g. 'Weekdays; not 10–14 Aug'."
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        FieldPanel("topics"),
        FieldPanel("available_for_comment"),
        FieldPanel("languages"),
        FieldPanel("availability"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("role")]

    objects = LinkedToItemsQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    @property
    def language_list(self) -> list[str]:
        """The languages, one each, as typed (spaces trimmed, empty entries and repeats left out)."""
        return list(dict.fromkeys(part.strip() for part in self.languages.split(",") if part.strip()))

    def save(self, *args, **kwargs) -> None:
        _strip_control_characters(self, ("name", "role", "bio"))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Names and roles go into feeds (as authors), and XML 1.0 cannot carry control characters."""
        _refuse_control_characters(self, ("name", "role"))


class PressContact(RevisionMixin, models.Model):
    """Someone journalists can call about a release, with an out-of-hours number."""

    name = models.CharField(max_length=150)
    role = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    out_of_hours_phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    topic = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="press_contacts",
        help_text="The subject this contact handles; the press contacts page groups contacts by it.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("role"),
        FieldPanel("topic"),
        FieldPanel("phone"),
        FieldPanel("out_of_hours_phone"),
        FieldPanel("email"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Boilerplate(RevisionMixin, models.Model):
    """The "About <organisation>" text that closes every press release."""

    name = models.CharField(max_length=150, help_text="For editors only, e.g. 'Standard boilerplate 2026'.")
    text = RichTextField(features=["bold", "italic", "link"])

    panels = [FieldPanel("name"), FieldPanel("text")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
