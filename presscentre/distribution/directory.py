"""The media contacts as a directory for the journalist links screen (registered in DistributionConfig.ready)."""

from django.db.models import Q

from presscentre.distribution.models import MediaContact
from presscentre.embargo.directory import DirectoryContact


def search_media_contacts(query: str, *, limit: int) -> list[DirectoryContact]:
    """Media contacts whose name, email, outlet or media list contains every word of `query` (any letter case)."""
    contacts = MediaContact.objects.all()
    for word in query.split():
        matches = (
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(outlet__icontains=word)
            | Q(pk__in=MediaContact.objects.filter(lists__name__icontains=word).values("pk"))
        )
        contacts = contacts.filter(matches)
    contacts = contacts.order_by("name", "pk").prefetch_related("lists")[:limit]
    return [
        DirectoryContact(
            name=contact.name,
            email=contact.email,
            outlet=contact.outlet,
            lists=tuple(media_list.name for media_list in contact.lists.all()),
            note=_note(contact),
        )
        for contact in contacts
    ]


def _note(contact: MediaContact) -> str:
    # A personal link is sent by hand, not by the mailing, but the press office should see why mail stopped.
    if contact.opted_out:
        return "opted out of mailings"
    if contact.is_bouncing:
        return "email address bouncing"
    return ""
