"""Where the journalist links screen finds people to give a link to, without importing the apps that keep them.

Media contacts live in `distribution`, a layer above `embargo`; that app registers a search function here when
it starts (its AppConfig.ready), and the links screen asks `search_contacts` and `find_contacts` without knowing
who answers. With nothing registered, the screen still works: the editor types the recipient in by hand.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# How many matches the picker shows at most: enough to choose from, few enough to read.
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class DirectoryContact:
    """A person a link can be made for, as a directory describes them: plain values, no model."""

    name: str
    email: str
    outlet: str = ""
    lists: tuple[str, ...] = ()
    # Something the press office should know before sending anything, e.g. "opted out of mailings".
    note: str = ""

    def recipient_line(self) -> str:
        return ", ".join(part for part in (self.name, self.outlet) if part)


SearchFunction = Callable[..., Iterable[DirectoryContact]]

_directories: dict[str, SearchFunction] = {}


def register_contact_directory(search: SearchFunction, *, name: str = "") -> None:
    """Add a directory: `search(query, *, limit)` returns the contacts whose name, email, outlet or list
    matches `query`. Registering the same name again replaces the earlier function, so a reloaded app
    (or a test) never registers twice."""
    _directories[name or f"{search.__module__}.{search.__qualname__}"] = search


def unregister_contact_directory(name: str) -> None:
    _directories.pop(name, None)


def has_contact_directory() -> bool:
    return bool(_directories)


def search_contacts(query: str, *, limit: int = SEARCH_LIMIT) -> list[DirectoryContact]:
    """Contacts matching `query` from every registered directory, one per email address, at most `limit`."""
    query = " ".join(query.split())
    if not query:
        return []
    found: dict[str, DirectoryContact] = {}
    for search in _directories.values():
        for contact in search(query, limit=limit):
            found.setdefault(contact.email.lower(), contact)
    return list(found.values())[:limit]


def find_contacts(emails: Iterable[str]) -> dict[str, DirectoryContact]:
    """The directory's own record for each address (lower-cased keys); addresses no directory knows are absent.

    The picker posts addresses only, so name and outlet always come from the directory, as it holds them now.
    """
    wanted = {email.strip().lower() for email in emails if email.strip()}
    found: dict[str, DirectoryContact] = {}
    for email in wanted:
        for contact in search_contacts(email, limit=SEARCH_LIMIT):
            if contact.email.lower() == email:
                found[email] = contact
                break
    return found
