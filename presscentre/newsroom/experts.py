"""The experts directory (/experts/): the people available for comment, with their topics and languages, filtered
by a topic (a category's slug) and a language from the query string.

A topic that only embargoed or unpublished items use is never named here, neither on an expert nor among the
filters: it is left off, and asking for it by slug answers exactly as for a slug that does not exist. A filter the
directory does not know (a typo, an old link) is not an error: the directory says so and lists everyone.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from wagtail.images import get_image_model

from presscentre.newsroom.models.snippets import Category, Person

# The portrait the directory shows, at 1x and 2x (the same sizes the person's own page uses).
PORTRAIT_FILTERS = ("fill-160x160", "fill-320x320")
UNKNOWN_TOPIC_MESSAGE = "There is no expert on that topic in the directory, so every expert is listed."
UNKNOWN_LANGUAGE_MESSAGE = "There is no expert who speaks that language in the directory, so every expert is listed."


@dataclass
class Expert:
    person: Person
    topics: list[Category]
    languages: list[str]


@dataclass
class Directory:
    experts: list[Expert]
    topics: list[Category]  # the topics one may filter by
    languages: list[str]  # the languages one may filter by
    topic: Category | None = None  # the topic filter in force
    language: str = ""  # the language filter in force
    messages: list[str] = field(default_factory=list)


def available_people():
    """Everyone available for comment, with their topics and portraits read in three queries in all."""
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec__in=PORTRAIT_FILTERS)
    return (
        Person.objects.filter(available_for_comment=True)
        .select_related("photo")
        .prefetch_related(
            Prefetch("topics", queryset=Category.objects.order_by("name")),
            Prefetch("photo__renditions", queryset=renditions, to_attr="prefetched_renditions"),
        )
        .order_by("name")
    )


def _language_key(language: str) -> str:
    return " ".join(language.split()).casefold()


def directory(people, *, secret_topics: set[int], topic_slug: str = "", language: str = "") -> Directory:
    """The directory of `people` (see `available_people`), leaving out the categories in `secret_topics` (ids),
    narrowed to those with the topic `topic_slug` and who speak `language` when the directory knows them."""
    experts = [
        Expert(
            person=person,
            topics=[topic for topic in person.topics.all() if topic.pk not in secret_topics],
            languages=person.language_list,
        )
        for person in people
    ]
    topics = {topic.slug: topic for expert in experts for topic in expert.topics}
    languages: dict[str, str] = {}
    for expert in experts:
        for spoken in expert.languages:
            languages.setdefault(_language_key(spoken), spoken)
    result = Directory(
        experts=experts,
        topics=sorted(topics.values(), key=lambda topic: topic.name.casefold()),
        languages=sorted(languages.values(), key=str.casefold),
    )
    topic_slug = topic_slug.strip()[:100]
    if topic_slug:
        result.topic = topics.get(topic_slug)
        if result.topic is None:
            result.messages.append(UNKNOWN_TOPIC_MESSAGE)
    language_key = _language_key(language[:100])
    if language_key:
        if language_key in languages:
            result.language = languages[language_key]
        else:
            result.messages.append(UNKNOWN_LANGUAGE_MESSAGE)
    if result.topic is not None:
        result.experts = [e for e in result.experts if any(t.pk == result.topic.pk for t in e.topics)]
    if result.language:
        result.experts = [
            e for e in result.experts if language_key in {_language_key(spoken) for spoken in e.languages}
        ]
    return result
