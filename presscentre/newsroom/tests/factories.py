"""Factories that build valid, published newsroom objects; a test sets only what its point depends on."""

from datetime import UTC, datetime, timedelta

import factory
import wagtail_factories
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Collection

from presscentre.newsroom.models import (
    ArticlePage,
    Boilerplate,
    Category,
    ItemCategory,
    ItemPerson,
    MediaAppearancePage,
    Person,
    PressContact,
    PressReleasePage,
    ReportPage,
)

LOREM = (
    "The institute's new analysis of household budgets across the regions finds that the poorest fifth of "
    "families spend a growing share of their income on energy, food and rent, while support has not kept pace "
    "with prices. The authors set out a costed plan to close the gap within the current spending review period "
    "and call on ministers to publish their own estimates before the autumn statement."
)


def paragraph_body(text: str = LOREM) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


class ImageFactory(wagtail_factories.ImageFactory):
    """An image of the project's own image model, in the root collection like an editor's upload."""

    class Meta:
        model = get_image_model()

    collection = factory.LazyFunction(Collection.get_first_root_node)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Fellow Number{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    role = "Senior Fellow"


class PressContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PressContact

    name = factory.Sequence(lambda n: f"Press Officer {n}")
    role = "Head of Media"
    phone = "020 7946 0000"
    out_of_hours_phone = "07700 900000"
    email = factory.Sequence(lambda n: f"press{n}@example.org")


class BoilerplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Boilerplate

    name = "Standard boilerplate"
    text = "<p>The institute is an independent research charity.</p>"


_published_at = factory.Sequence(lambda n: datetime(2024, 1, 1, 9, 0, tzinfo=UTC) + timedelta(hours=n))


class _ItemFactory(wagtail_factories.PageFactory):
    class Meta:
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Item number {n}")
    published_at = _published_at
    body = factory.LazyFunction(paragraph_body)

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        for order, category in enumerate(extracted or []):
            ItemCategory.objects.create(item=obj, category=category, sort_order=order)

    @factory.post_generation
    def people(obj, create, extracted, **kwargs):
        for order, person in enumerate(extracted or []):
            ItemPerson.objects.create(item=obj, person=person, sort_order=order)


class PressReleaseFactory(_ItemFactory):
    class Meta:
        model = PressReleasePage
        skip_postgeneration_save = True

    subheadline = "A sub-headline that adds the second fact"
    dateline_place = "London"
    lead = "The institute today published new figures on household budgets."
    notes_to_editors = "<p>The figures come from the institute's own survey of 2,000 households.</p>"


class ArticleFactory(_ItemFactory):
    class Meta:
        model = ArticlePage
        skip_postgeneration_save = True

    original_outlet = "The Daily Ledger"
    original_url = "https://ledger.example.com/opinion/budgets"


class ReportFactory(_ItemFactory):
    class Meta:
        model = ReportPage
        skip_postgeneration_save = True

    report_title = "Counting the Cost"
    report_summary = "<p>The report in brief.</p>"


class MediaAppearanceFactory(_ItemFactory):
    class Meta:
        model = MediaAppearancePage
        skip_postgeneration_save = True

    outlet = "Radio Example"
    programme = "The Morning Programme"
