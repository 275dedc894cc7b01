"""Factories for media contacts and lists; addresses are on example domains."""

import factory

from presscentre.distribution.models import MediaContact, MediaList


class MediaListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaList
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Media list {n}")


class MediaContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaContact
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Journalist {n}")
    email = factory.Sequence(lambda n: f"journalist{n}@news.example.com")
    outlet = "The Example Times"

    @factory.post_generation
    def lists(obj, create, extracted, **kwargs):
        if extracted:
            obj.lists.add(*extracted)

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if extracted:
            obj.topics.add(*extracted)
