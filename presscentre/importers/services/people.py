"""Authors and co-authors as the press centre's people, by slug."""

from urllib.parse import unquote

from django.utils.text import slugify

from presscentre.importers.content import plain_text
from presscentre.importers.wxr import WXRAuthor, WXRItem
from presscentre.newsroom.models import (
    Person,
)


class PeopleMixin:
    """WordPress authors (and Co-Authors Plus terms) become people; an item's people are its authors."""

    def import_author(self, author: WXRAuthor) -> None:
        if not author.login:
            self.summary.record("person", "skipped", "no login")
            return
        name = plain_text(author.display_name) or plain_text(f"{author.first_name} {author.last_name}") or author.login
        person = self.ensure_person(slugify(author.login, allow_unicode=True) or author.id, name)
        if person is not None:
            self.people_by_login[author.login] = person

    def ensure_person(self, slug: str, name: str) -> Person | None:
        slug = slug[:150]
        if slug in self.people:
            return self.people[slug]
        if not slug:
            self.summary.record("person", "skipped", "no usable slug")
            return None
        person = Person.objects.filter(slug=slug).first()
        if person is not None:
            self.summary.record("person", "skipped", "already present")
        else:
            person = Person.objects.create(slug=slug, name=plain_text(name)[:150] or slug)
            self.summary.record("person", "created")
        self.people[slug] = person
        return person

    def item_people(self, item: WXRItem) -> list[Person]:
        people = []
        for term in item.terms:
            if term.domain == "author":
                person = self.ensure_person(coauthor_slug(term.slug), term.name)
                if person is not None and person not in people:
                    people.append(person)
        if not people and item.creator:
            person = self.people_by_login.get(item.creator) or self.ensure_person(
                slugify(item.creator, allow_unicode=True), item.creator
            )
            if person is not None:
                people.append(person)
        return people


def coauthor_slug(slug: str) -> str:
    """Co-Authors Plus names its author terms 'cap-<login>'."""
    return slugify(unquote(slug).removeprefix("cap-"), allow_unicode=True)
