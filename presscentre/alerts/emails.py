"""The alert and digest emails: what a subscriber receives, in plain text and HTML.

Both are objects the sending machinery (distribution/sending.py) knows how to send: `subject`, `base_url`,
`public_url`, `embargoed` (always False: nothing here is sent before it is public) and `message_for(...)`, which
builds one subscriber's message. An alert is rendered and serialised once and personalised by swapping markers
(the subscriber's address, manage and one-click unsubscribe links, date and Message-ID); a digest lists, for each
subscriber, only the items of its window that they follow, the items read once per email.

A message's subscriber is its delivery's contact's subscription. The subscriptions of a whole sending batch are
read together on the first message of the batch and kept on the email object, so a message costs no query of its
own. Nothing in a message is loaded from elsewhere: no images, no tracking pixels, no counted links.
"""

import html
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from presscentre.alerts import tokens
from presscentre.alerts.models import Subscription
from presscentre.core.urls_public import public_base_url, public_page_url
from presscentre.distribution.release_email import fold_long_lines, wrap_text

MANAGE_MARKER = "PRESSCENTRE-ALERTS-MANAGE-LINK-7c2e"
UNSUBSCRIBE_MARKER = "PRESSCENTRE-ALERTS-UNSUBSCRIBE-LINK-7c2e"
RECIPIENT_MARKER = "recipient-7c2e@presscentre.invalid"
MESSAGE_ID_MARKER = "<message-id-7c2e@presscentre.invalid>"
DATE_MARKER = "PRESSCENTRE-ALERTS-DATE-7c2e"
# How many sending batches' subscriptions an email keeps (each sending thread works on one batch at a time).
KEPT_BATCHES = 16


@dataclass(frozen=True)
class Follows:
    """What one subscription follows, read once for a batch."""

    everything: bool = False
    type_ids: frozenset = frozenset()
    category_ids: frozenset = frozenset()
    person_ids: frozenset = frozenset()

    def matches(self, entry: "ItemEntry") -> bool:
        return (
            self.everything
            or entry.content_type_id in self.type_ids
            or bool(self.category_ids & entry.category_ids)
            or bool(self.person_ids & entry.person_ids)
        )


@dataclass(frozen=True)
class Subscriber:
    """The parts of a subscription a message needs: its links and what it follows."""

    subscription: Subscription
    follows: Follows


class SubscriberCache:
    """Subscribers of the deliveries being sent, read a batch at a time (the deliveries sharing the claim of the
    first one asked about), so composing costs a fixed number of queries per batch, not per message."""

    def __init__(self, *, with_follows: bool):
        self.with_follows = with_follows
        self._batches: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def subscriber_for(self, delivery) -> Subscriber | None:
        if delivery is None or delivery.contact_id is None:
            return None
        key = (delivery.distribution_id, delivery.claim or f"contact-{delivery.contact_id}")
        with self._lock:
            batch = self._batches.get(key)
        if batch is None or delivery.contact_id not in batch:
            batch = self._load(delivery)
            with self._lock:
                self._batches[key] = batch
                while len(self._batches) > KEPT_BATCHES:
                    self._batches.popitem(last=False)
        return batch.get(delivery.contact_id)

    def _load(self, delivery) -> dict:
        from presscentre.distribution.models import Delivery

        if delivery.claim:
            contact_ids = set(
                Delivery.objects.filter(distribution_id=delivery.distribution_id, claim=delivery.claim)
                .exclude(contact_id=None)
                .values_list("contact_id", flat=True)
            )
        else:
            contact_ids = set()
        contact_ids.add(delivery.contact_id)
        return load_subscribers(contact_ids, with_follows=self.with_follows)


def load_subscribers(contact_ids, *, with_follows: bool) -> dict:
    """{contact id: Subscriber} for these contacts, in one query (four with what each follows)."""
    subscriptions = list(
        Subscription.objects.filter(contact_id__in=list(contact_ids)).only(
            "pk", "key", "email", "contact_id", "everything", "frequency", "state"
        )
    )
    follows = {
        subscription.pk: {"types": set(), "categories": set(), "people": set()} for subscription in subscriptions
    }
    if with_follows and subscriptions:
        ids = list(follows)
        for name, target in (("types", "contenttype_id"), ("categories", "category_id"), ("people", "person_id")):
            through = getattr(Subscription, name).through
            for subscription_id, target_id in through.objects.filter(subscription_id__in=ids).values_list(
                "subscription_id", target
            ):
                follows[subscription_id][name].add(target_id)
    return {
        subscription.contact_id: Subscriber(
            subscription=subscription,
            follows=Follows(
                everything=subscription.everything,
                type_ids=frozenset(follows[subscription.pk]["types"]),
                category_ids=frozenset(follows[subscription.pk]["categories"]),
                person_ids=frozenset(follows[subscription.pk]["people"]),
            ),
        )
        for subscription in subscriptions
    }


@dataclass(frozen=True)
class ItemEntry:
    """One item as alerts and digests show it, with what a subscription may follow it by."""

    title: str
    type_label: str
    summary: str
    url: str
    topics: tuple
    people: tuple
    content_type_id: int
    category_ids: frozenset
    person_ids: frozenset

    @property
    def subject(self) -> str:
        return f"{self.type_label}: {self.title}"


def item_entry(item) -> ItemEntry:
    """`item` (a specific item page, its categories and people prefetched or not) as an entry."""
    categories = [link.category for link in item.category_links.all()]
    people = [link.person for link in item.person_links.all()]
    return ItemEntry(
        title=item.title,
        type_label=item.type_label,
        summary=item.excerpt,
        url=public_page_url(item),
        topics=tuple(category.name for category in categories),
        people=tuple(person.name for person in people),
        content_type_id=item.content_type_id,
        category_ids=frozenset(category.pk for category in categories),
        person_ids=frozenset(person.pk for person in people),
    )


def organisation_name(site) -> str:
    from presscentre.newsroom.models import PressCentreSettings

    if site is None:
        return settings.WAGTAIL_SITE_NAME
    return PressCentreSettings.for_site(site).organisation_name or settings.WAGTAIL_SITE_NAME


def _domain_of(url: str) -> str:
    return urlsplit(url).hostname or "presscentre.invalid"


def _links(subscriber: Subscriber | None, *, base_url: str, fallback_unsubscribe: str) -> tuple[str, str]:
    """(manage link, one-click unsubscribe link) of a message's subscriber."""
    if subscriber is None:
        # No subscription any more (its contact was deleted while the send ran): no manage link to give.
        return "", fallback_unsubscribe
    subscription = subscriber.subscription
    return (
        tokens.manage_url(subscription, base_url=base_url),
        tokens.unsubscribe_url(subscription, base_url=base_url),
    )


def _message(
    *,
    subject: str,
    text: str,
    body_html: str,
    to: str,
    base_url: str,
    unsubscribe_url: str,
    connection,
    message_class=EmailMultiAlternatives,
    headers: dict | None = None,
) -> EmailMultiAlternatives:
    headers = {"Message-ID": make_msgid(domain=_domain_of(base_url)), **(headers or {})}
    if unsubscribe_url.startswith("http"):
        # RFC 8058: a mail client's own "Unsubscribe" button POSTs "List-Unsubscribe=One-Click" here.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = message_class(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(body_html, "text/html")
    return message


def _personalise(text: str, body_html: str, *, manage: str, unsubscribe: str) -> tuple[str, str]:
    return (
        text.replace(MANAGE_MARKER, manage).replace(UNSUBSCRIBE_MARKER, unsubscribe),
        body_html.replace(MANAGE_MARKER, html.escape(manage)).replace(UNSUBSCRIBE_MARKER, html.escape(unsubscribe)),
    )


class _Serialised:
    """Stands in for the MIME message a mail backend serialises: the bytes, personalised already."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8")

    def get_charset(self):
        return None


class PreparedAlertMessage(EmailMultiAlternatives):
    """One subscriber's alert whose MIME form is the alert's, serialised once, with their address, links, date and
    Message-ID put in place: building and flattening a MIME message costs more than the rest of a send together."""

    prepared: bytes = b""

    def message(self):
        return _Serialised(self.prepared)


class PreparedAlert:
    """The alert serialised once with markers where each message's own parts go. `ready` is False (and messages are
    built in full instead) if serialising did not keep every marker intact."""

    def __init__(self, email: "AlertEmail", *, with_manage: bool):
        text, body_html = email.rendered(with_manage=with_manage)
        unsubscribe = f"https://{UNSUBSCRIBE_MARKER}.invalid/"
        manage = f"https://{MANAGE_MARKER}.invalid/" if with_manage else ""
        sample = _message(
            subject=email.subject,
            text=text.replace(UNSUBSCRIBE_MARKER, unsubscribe).replace(MANAGE_MARKER, manage),
            body_html=body_html.replace(UNSUBSCRIBE_MARKER, unsubscribe).replace(MANAGE_MARKER, manage),
            to=RECIPIENT_MARKER,
            base_url=email.base_url,
            unsubscribe_url=unsubscribe,
            connection=None,
            headers={"Message-ID": MESSAGE_ID_MARKER, "Date": DATE_MARKER},
        )
        self.data = sample.message().as_bytes(linesep="\r\n")
        expected_links = (text + body_html).count(UNSUBSCRIBE_MARKER) + 1
        self.ready = (
            self.data.count(UNSUBSCRIBE_MARKER.encode()) == expected_links
            and self.data.count(MANAGE_MARKER.encode()) == (text + body_html).count(MANAGE_MARKER)
            and self.data.count(RECIPIENT_MARKER.encode()) == 1
            and self.data.count(MESSAGE_ID_MARKER.encode()) == 1
            and self.data.count(DATE_MARKER.encode()) == 1
        )
        self.unsubscribe = unsubscribe.encode()
        self.manage = manage.encode()

    def render(self, *, to: str, manage: str, unsubscribe: str, message_id: str) -> bytes:
        data = self.data.replace(self.unsubscribe, unsubscribe.encode())
        if self.manage:
            data = data.replace(self.manage, manage.encode())
        return (
            data.replace(RECIPIENT_MARKER.encode(), to.encode())
            .replace(MESSAGE_ID_MARKER.encode(), message_id.encode())
            .replace(DATE_MARKER.encode(), formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode())
        )


@dataclass
class AlertEmail:
    """The immediate alert of one item: rendered once (with and without a manage link), personalised per message."""

    entry: ItemEntry
    organisation: str
    base_url: str
    embargoed: bool = False
    subscribers: SubscriberCache = field(default_factory=lambda: SubscriberCache(with_follows=False))
    _rendered: dict = field(default_factory=dict)
    _prepared: dict = field(default_factory=dict)

    @classmethod
    def for_item(cls, item) -> "AlertEmail":
        return cls(entry=item_entry(item), organisation=organisation_name(item.get_site()), base_url=public_base_url())

    @property
    def subject(self) -> str:
        return self.entry.subject

    @property
    def public_url(self) -> str:
        return self.entry.url

    def rendered(self, *, with_manage: bool) -> tuple[str, str]:
        if with_manage not in self._rendered:
            context = {
                "item": self.entry,
                "organisation": self.organisation,
                "manage_url": MANAGE_MARKER if with_manage else "",
                "unsubscribe_url": UNSUBSCRIBE_MARKER,
            }
            self._rendered[with_manage] = (
                wrap_text(render_to_string("emails/alert.txt", context)),
                fold_long_lines(render_to_string("emails/alert.html", context)),
            )
        return self._rendered[with_manage]

    def prepared(self, *, with_manage: bool) -> PreparedAlert:
        if with_manage not in self._prepared:
            self._prepared[with_manage] = PreparedAlert(self, with_manage=with_manage)
        return self._prepared[with_manage]

    def message_for(
        self, *, to: str, link_url: str, unsubscribe_url: str, connection=None, delivery=None
    ) -> EmailMultiAlternatives:
        subscriber = self.subscribers.subscriber_for(delivery)
        manage, unsubscribe = _links(subscriber, base_url=self.base_url, fallback_unsubscribe=unsubscribe_url)
        text, body_html = self.rendered(with_manage=bool(manage))
        text, body_html = _personalise(text, body_html, manage=manage, unsubscribe=unsubscribe)
        prepared = self.prepared(with_manage=bool(manage)) if unsubscribe.startswith("http") else None
        # The same bytes serve the text, the HTML and the header: for an ASCII address and links HTML leaves as
        # they are (signed tokens are), which is every subscriber's in practice.
        fast = (
            prepared is not None
            and prepared.ready
            and to.isascii()
            and not any(character in to for character in '\r\n<>"')
            and all(html.escape(link) == link and link.isascii() for link in (manage, unsubscribe))
        )
        message = _message(
            subject=self.subject,
            text=text,
            body_html=body_html,
            to=to,
            base_url=self.base_url,
            unsubscribe_url=unsubscribe,
            connection=connection,
            message_class=PreparedAlertMessage if fast else EmailMultiAlternatives,
        )
        if fast:
            message.prepared = prepared.render(
                to=to, manage=manage, unsubscribe=unsubscribe, message_id=message.extra_headers["Message-ID"]
            )
        return message


def digest_subject(*, frequency_label: str, organisation: str, count: int) -> str:
    return f"Your {frequency_label} digest from {organisation}: {count} new item{'' if count == 1 else 's'}"


@dataclass
class DigestEmail:
    """A digest: for each subscriber, the window's items that they follow, newest first."""

    entries: list  # ItemEntry, newest first
    frequency_label: str  # "daily" or "weekly"
    organisation: str
    base_url: str
    period_label: str
    embargoed: bool = False
    subscribers: SubscriberCache = field(default_factory=lambda: SubscriberCache(with_follows=True))

    @property
    def subject(self) -> str:
        return digest_subject(
            frequency_label=self.frequency_label, organisation=self.organisation, count=len(self.entries)
        )

    @property
    def public_url(self) -> str:
        return f"{self.base_url}/"

    def entries_for(self, subscriber: Subscriber | None) -> list:
        if subscriber is None:
            return []
        return [entry for entry in self.entries if subscriber.follows.matches(entry)]

    def message_for(
        self, *, to: str, link_url: str, unsubscribe_url: str, connection=None, delivery=None
    ) -> EmailMultiAlternatives:
        subscriber = self.subscribers.subscriber_for(delivery)
        manage, unsubscribe = _links(subscriber, base_url=self.base_url, fallback_unsubscribe=unsubscribe_url)
        entries = self.entries_for(subscriber)
        subject = digest_subject(
            frequency_label=self.frequency_label, organisation=self.organisation, count=len(entries)
        )
        context = {
            "subject": subject,
            "entries": entries,
            "frequency_label": self.frequency_label,
            "period_label": self.period_label,
            "organisation": self.organisation,
            "site_url": self.public_url,
            "manage_url": manage,
            "unsubscribe_url": unsubscribe,
        }
        return _message(
            subject=subject,
            text=wrap_text(render_to_string("emails/digest.txt", context)),
            body_html=fold_long_lines(render_to_string("emails/digest.html", context)),
            to=to,
            base_url=self.base_url,
            unsubscribe_url=unsubscribe,
            connection=connection,
        )
