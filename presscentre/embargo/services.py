"""The one visibility rule, and the exact-time lift.

Every public surface (listings, archives, item pages, documents, and every surface added later) asks
`public_items` or `can_view` and nothing else. They take the instant as an argument; only views, commands and
the worker read the clock.
"""

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from wagtail.log_actions import log

from presscentre.core.client_address import client_address
from presscentre.core.urls_public import public_base_url, public_page_url

logger = logging.getLogger(__name__)

# A lift that runs later than this after its instant is reported as missed.
MISSED_LIFT_AFTER = timedelta(seconds=60)


def _news_items():
    return apps.get_model("newsroom", "NewsItemPage").objects


def public_items(at: datetime):
    """Items the public may see at `at`: live, not private, and past any embargo.

    The rule itself is the item queryset's `public_at`, so newsroom's own listings need not import this app.
    """
    return _news_items().public_at(at)


def public_pages(at: datetime):
    """Every page the public may see at `at`, items or not: live, not private, and for items past any embargo
    (the same rule as `public_items`, for questions about any page, such as where an old address may lead)."""
    embargoed = _news_items().filter(embargo_until__gt=at).values("pk")
    return apps.get_model("wagtailcore", "Page").objects.live().public().exclude(pk__in=embargoed)


def is_staff_viewer(viewer) -> bool:
    """Staff who can use the admin see everything, embargoed or not."""
    return viewer is not None and viewer.is_authenticated and viewer.has_perm("wagtailadmin.access_admin")


def can_view(item, *, at: datetime, viewer=None, token: str | None = None) -> bool:
    """May `viewer` (a user, or None for an anonymous reader) holding `token` see `item` at `at`?

    Staff always may; a journalist's personal link grants its own item until it expires or is revoked;
    everyone else only once the item is live and past its embargo. Wagtail's view restrictions (private
    pages) are enforced by Wagtail when the page is served.
    """
    if is_staff_viewer(viewer):
        return True
    if token and _token_grants(token, item, at=at):
        return True
    return item.live and not item.is_embargoed_at(at)


def _token_grants(token: str, item, *, at: datetime) -> bool:
    # A link opens only a published item: unpublishing an item (or never publishing it) shuts its links too.
    # Looked up by the token's hash (see find_access_link), never by comparing tokens.
    from presscentre.embargo.models import hash_token

    access_link = apps.get_model("embargo", "AccessLink")
    links = access_link.objects.valid_at(at).filter(token_hash=hash_token(token), item_id=item.pk)
    return item.live and links.exists()


def _pages_using_document(document) -> set[int]:
    """Ids of the pages whose own content attaches or links to `document`: report files, recordings, links in text.

    Only what is stored on the page counts, never a draft: Wagtail keeps a draft in a revision and leaves the
    page's row and its child rows (a report's files) as last published, and the reference index is built from
    that row. So a file attached in an unpublished draft of a live item is not used by it until the publish.
    """
    from wagtail.models import ReferenceIndex

    page_ids = set(
        apps.get_model("newsroom", "ReportDocument")
        .objects.filter(document=document)
        .values_list("report_id", flat=True)
    )
    page_ids.update(
        apps.get_model("newsroom", "MediaAppearancePage")
        .objects.filter(recording=document)
        .values_list("pk", flat=True)
    )
    # Links in rich text and bodies: the reference index is updated by a background task, so the direct
    # relations above are checked as well; while indexing lags, a newly linked file stays private.
    page_type = ContentType.objects.get_for_model(apps.get_model("wagtailcore", "Page"))
    referencing = ReferenceIndex.get_references_to(document).filter(base_content_type=page_type)
    page_ids.update(int(object_id) for object_id in referencing.values_list("object_id", flat=True))
    return page_ids


def can_download(document, *, at: datetime, viewer=None, token: str | None = None) -> bool:
    """May `viewer` (None for an anonymous reader) holding `token` download `document` at `at`?

    Staff always may. For everyone else a document is public only when staff marked it public on its own (a
    logo) or when a public item uses it (or another public page: `public_pages`); and even then it is as
    secret as the most secret live item that uses it, so a file shared with an embargoed item waits for the
    lift. A journalist's link opens its own item's files. A file nobody public uses (uploaded and not attached,
    attached only in a draft or to an unpublished item) is refused, so ids and names cannot be tried.
    """
    if is_staff_viewer(viewer) or document.is_public:
        return True
    page_ids = _pages_using_document(document)
    if not page_ids:
        return False
    items = list(_news_items().live().filter(pk__in=page_ids))
    if not all(can_view(item, at=at, viewer=viewer, token=token) for item in items):
        return False
    if token and any(_token_grants(token, item, at=at) for item in items):
        return True
    return public_pages(at).filter(pk__in=page_ids).exists()


# Images: the same rule as documents, for the image files, their renditions, download sizes and gallery ZIPs.

# Models whose rows show an image to everyone by their nature (a person's headshot, the site's logo, the media kit),
# by label, with the fields that hold the image. Filled in the apps' ready(): this app never imports the apps above.
_public_image_owners: dict[str, tuple[str, ...]] = {}


def register_public_image_owner(model_label: str, *fields: str) -> None:
    """Rows of `model_label` ("app.Model") show the image in `fields` (default "image") to anyone, whenever they
    exist: such an image is public unless staff say otherwise by leaving it out of them."""
    _public_image_owners[model_label] = tuple(fields) or ("image",)


def public_image_owners() -> dict[str, tuple[str, ...]]:
    return dict(_public_image_owners)


def _pages_using_image(image):
    """The ids of the pages whose own (published) content shows `image`, as a subquery: an item's featured image,
    a report's cover, a gallery entry, or an image in a body (through the reference index, which lags behind by a
    background task, hence the direct relations too). Like documents, a draft counts for nothing until published."""
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast
    from wagtail.models import ReferenceIndex

    page_model = apps.get_model("wagtailcore", "Page")
    page_type = ContentType.objects.get_for_model(page_model)
    in_bodies = (
        ReferenceIndex.get_references_to(image)
        .filter(base_content_type=page_type)
        .annotate(page_id=Cast("object_id", BigIntegerField()))
        .values("page_id")
    )
    gallery = apps.get_model("newsroom", "ItemAsset").objects.filter(image=image).values("item_id")
    featured = _news_items().filter(featured_image=image).values("pk")
    covers = apps.get_model("newsroom", "ReportPage").objects.filter(cover_image=image).values("pk")
    return page_model.objects.filter(
        Q(pk__in=gallery) | Q(pk__in=featured) | Q(pk__in=covers) | Q(pk__in=in_bodies)
    ).values("pk")


def _image_has_public_owner(image) -> bool:
    """Does any registered owner that is public by nature show `image`? One query, however many owners."""
    from django.db.models import Exists, OuterRef

    conditions = Q()
    for label, fields in _public_image_owners.items():
        model = apps.get_model(label)
        for field in fields:
            conditions |= Q(Exists(model.objects.filter(**{field: OuterRef("pk")})))
    if not conditions:
        return False
    return type(image).objects.filter(pk=image.pk).filter(conditions).exists()


def can_view_image(image, *, at: datetime, viewer=None, token: str | None = None) -> bool:
    """May `viewer` (None for an anonymous reader) holding `token` see `image` at `at`: its file, its renditions and
    its download sizes? The image twin of `can_download`.

    Staff always may. Anyone may when staff marked it public on its own, or when an owner that is public by nature
    shows it (a person's headshot, the site's logo, the media kit: `register_public_image_owner`), since those are
    shown everywhere already. Otherwise it must be shown by a public page (an item's featured image, cover,
    gallery, body), and even then it is as secret as the most secret live item that uses it: an image shared with
    an embargoed item waits for the lift. A journalist's link opens the images its own item uses. An image nobody
    public uses is refused, so names cannot be tried. At most five queries, however many pages use the image.
    """
    if is_staff_viewer(viewer) or image.is_public:
        return True
    if _image_has_public_owner(image):
        return True
    using = _pages_using_image(image)
    items = list(_news_items().live().filter(pk__in=using).values_list("pk", "embargo_until"))
    if token and items and _token_opens_any(token, [pk for pk, _ in items], at=at):
        return True
    if any(until is not None and at < until for _, until in items):
        return False
    return public_pages(at).filter(pk__in=using).exists()


def _token_opens_any(token: str, item_ids: list[int], *, at: datetime) -> bool:
    """Does `token` belong to a link that opens one of these (live) items at `at`?"""
    from presscentre.embargo.models import hash_token

    access_link = apps.get_model("embargo", "AccessLink")
    return access_link.objects.valid_at(at).filter(token_hash=hash_token(token), item_id__in=item_ids).exists()


def link_opens_image(link, image, *, at: datetime) -> bool:
    """May the holder of `link` see `image` through it at `at`: an image its own item's published content uses,
    while the link opens the item? (Anything else through a link is refused, as for documents.)"""
    if not can_view(link.item, at=at, token=link.token):
        return False
    return _pages_using_image(image).filter(pk=link.item_id).exists()


def items_using_image(image) -> list[int]:
    """The ids of the items whose published content shows `image` (one query), e.g. for the cache tags that purge
    its files when one of them changes."""
    return sorted(_news_items().filter(pk__in=_pages_using_image(image)).values_list("pk", flat=True))


# Addresses that the journalist's copy of an item sends through the link (`/embargoed/<token><prefix>...`), because
# they are 404 to the public until the lift: the apps that serve them register their prefixes and mount the token
# routes themselves (mediakit: image files, download sizes and gallery ZIPs).
_link_prefixes: list[str] = []


def register_link_prefix(prefix: str) -> None:
    """Send every address starting with `prefix` (e.g. "/media/images/") on a journalist's copy through the link."""
    if not prefix.startswith("/") or not prefix.endswith("/"):
        raise ValueError(f"A link prefix starts and ends with a slash: {prefix!r}")
    if prefix not in _link_prefixes:
        _link_prefixes.append(prefix)


def link_prefixes() -> tuple[str, ...]:
    return tuple(_link_prefixes)


def lift_embargo(item, *, at: datetime, by=None) -> bool:
    """Carry out the lift of `item`'s embargo: audit log, cache purge, and the press office's email queued.

    Visibility itself needs no change: the rule above makes the item and its documents public at the
    embargo instant. Returns False and changes nothing if the embargo has not ended or was already lifted,
    so the scheduled task, the sweep and an on-request lift can all call it; two callers at once lift once,
    because only one conditional update can claim the row.

    The "is live" email is a row written in the lift's transaction (`LiftNotice`, with its delivery task), sent by
    the worker: the caller (a reader's request, the sweep) never waits on the mail server, and a server that is down
    delays the email rather than losing it. The purge runs after commit and never raises.
    """
    if item.embargo_until is None or at < item.embargo_until or not item.live:
        return False
    with transaction.atomic():
        # Only the item table's own columns in the WHERE: a join would become a subquery, which PostgreSQL
        # does not re-check after waiting for a concurrent lifter's row lock, and both would win.
        claimed = (
            _news_items()
            .filter(pk=item.pk, embargo_until=item.embargo_until, embargo_lifted_at__isnull=True)
            .update(embargo_lifted_at=at)
        )
        if not claimed:
            return False
        item.embargo_lifted_at = at
        delay = at - item.embargo_until
        missed = delay > MISSED_LIFT_AFTER
        log(
            instance=item,
            action="presscentre.embargo.missed" if missed else "presscentre.embargo.lift",
            user=by,
            data={"embargo_until": item.embargo_until.isoformat(), "delay_seconds": round(delay.total_seconds(), 3)},
        )
        if missed:
            logger.error("Embargo lift of %r ran %.1f s late", item.title, delay.total_seconds())
        notice = apps.get_model("embargo", "LiftNotice").objects.create(
            item_id=item.pk, embargo_until=item.embargo_until, lifted_at=at, missed=missed, next_attempt_at=at
        )
        _queue_delivery(notice.pk)
        announce_public(item, at=at)
        transaction.on_commit(lambda: purge_item_from_caches(item), robust=True)
    return True


def announce_public(item, *, at: datetime) -> None:
    """Tell the apps above (alerts) that `item` became public at `at`; a receiver's error is logged, never raised."""
    from presscentre.embargo.signals import item_made_public

    for receiver, outcome in item_made_public.send_robust(sender=type(item), item=item, at=at):
        if isinstance(outcome, Exception):
            logger.error("%s failed on %r becoming public", receiver, item.title, exc_info=outcome)


def purge_item_from_caches(item) -> None:
    """The item is public now: purge its page and every surface it appears on from the app's cache and the edge.

    Never raises: a lift stands whatever the caches do (the purge path retries what it could not reach).
    """
    from presscentre.pagecache import registry
    from presscentre.pagecache.purge import purge

    try:
        purge(registry.item_tags(item))
    except Exception:
        logger.exception("The lift of %r could not be purged from the caches", item.title)


def press_office_address(item) -> str:
    site_settings = apps.get_model("newsroom", "PressCentreSettings")
    site = item.get_site()
    address = site_settings.for_site(site).press_office_email if site else ""
    return address or settings.DEFAULT_FROM_EMAIL


def lift_message_id(notice) -> str:
    """The same Message-ID on every try of one lift's email, so that a copy sent twice (a server that took the
    message but whose answer was lost) is recognisably one message."""
    host = urlsplit(public_base_url()).hostname or "presscentre"
    return f"<embargo-lift-{notice.pk}-{notice.lifted_at:%Y%m%dT%H%M%S}@{host}>"


def notify_press_office_of_lift(item, *, delay: timedelta, missed: bool, message_id: str | None = None) -> None:
    """Email the press office "<title> is live" with the public URL (and how late, if the lift was missed).

    Sends at once, raising whatever the mail server says: only the worker calls it, through `deliver_lift_notice`.
    """
    context = {
        "item": item,
        "url": public_page_url(item),
        "delay_seconds": round(delay.total_seconds(), 1),
        "missed": missed,
    }
    subject = (
        f"{item.title} is live"
        if not missed
        else f"Missed embargo: {item.title} is live, {delay.total_seconds():.0f} s late"
    )
    message = EmailMultiAlternatives(
        subject,
        render_to_string("emails/embargo_lifted.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [press_office_address(item)],
        headers={"Message-ID": message_id} if message_id else None,
    )
    message.attach_alternative(render_to_string("emails/embargo_lifted.html", context), "text/html")
    message.send()


# How long one try at a lift's email may hold it before another worker may try (longer than any mail timeout).
LIFT_NOTICE_SENDING_LEASE = timedelta(minutes=5)
# Delays before each retry of a lift's email the mail server did not take; then once a day until it does.
LIFT_NOTICE_RETRY_DELAYS = (
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
)
# An unsent notice this far past its next try has lost its task (e.g. the task failed outright): queue it again.
LIFT_NOTICE_STRANDED_AFTER = timedelta(minutes=2)


def lift_notice_retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed try a lift's email is tried again."""
    return LIFT_NOTICE_RETRY_DELAYS[min(max(attempts, 1), len(LIFT_NOTICE_RETRY_DELAYS)) - 1]


def _queue_delivery(notice_id: int, *, at: datetime | None = None) -> None:
    """Queue the delivery of a lift's email with the current transaction (now, or at `at` where the queue can wait)."""
    from django_tasks import default_task_backend

    from presscentre.core.worker import enqueue_with_transaction
    from presscentre.embargo.tasks import deliver_lift_notice_task

    task = deliver_lift_notice_task
    if at is not None:
        if not default_task_backend.supports_defer:
            return  # the immediate backend cannot wait: the worker's stranded-notice chore queues it when due
        task = task.using(run_after=at)
    enqueue_with_transaction(task, notice_id)


def deliver_lift_notice(notice_id: int, *, at: datetime) -> str:
    """Send one lift's "is live" email unless it was sent; on failure, record why and queue the next try.

    Safe to run twice, or in two workers at once: the notice is claimed (for `LIFT_NOTICE_SENDING_LEASE`) before
    the send and marked sent after, so it is sent once. Only a worker whose answer from the mail server is lost
    after the server took the message (or that dies in that instant) can leave it to be sent again, with the same
    Message-ID. Returns "sent", "retrying", "busy" (another run holds it) or "done" (already sent, or gone).
    """
    lift_notice = apps.get_model("embargo", "LiftNotice")
    unsent = lift_notice.objects.filter(pk=notice_id, sent_at__isnull=True)
    claimed = unsent.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=at)).update(
        claimed_until=at + LIFT_NOTICE_SENDING_LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        holder = unsent.values_list("claimed_until", flat=True).first()
        if holder is None:
            return "done"
        with transaction.atomic():
            _queue_delivery(notice_id, at=holder)  # if the holder dies mid-send, try once its claim has expired
        return "busy"
    notice = lift_notice.objects.select_related("item").get(pk=notice_id)
    try:
        notify_press_office_of_lift(
            notice.item.specific,
            delay=notice.lifted_at - notice.embargo_until,
            missed=notice.missed,
            message_id=lift_message_id(notice),
        )
    except Exception as error:
        retry_at = at + lift_notice_retry_delay(notice.attempts)
        with transaction.atomic():
            unsent.update(claimed_until=None, next_attempt_at=retry_at, last_error=f"{type(error).__name__}: {error}")
            _queue_delivery(notice_id, at=retry_at)
        logger.warning(
            "The press office's email for the lift of %r failed (try %d: %s); trying again at %s",
            notice.item.title,
            notice.attempts,
            error,
            retry_at.isoformat(),
        )
        return "retrying"
    unsent.update(sent_at=at, claimed_until=None, last_error="")
    return "sent"


def queue_stranded_lift_notices(*, at: datetime) -> int:
    """The worker's chore: queue again every unsent lift email well past its next try and not held by a sender (its
    task was lost). Returns how many; safe in several workers at once."""
    lift_notice = apps.get_model("embargo", "LiftNotice")
    stranded = (
        lift_notice.objects.filter(sent_at__isnull=True, next_attempt_at__lt=at - LIFT_NOTICE_STRANDED_AFTER)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=at))
        .values_list("pk", "next_attempt_at", "attempts")[:100]
    )
    queued = 0
    for pk, next_attempt_at, attempts in stranded:
        with transaction.atomic():
            # Moving its next try forward takes it, so two workers' chores queue it once.
            if lift_notice.objects.filter(pk=pk, next_attempt_at=next_attempt_at).update(
                next_attempt_at=at + lift_notice_retry_delay(attempts + 1)
            ):
                _queue_delivery(pk)
                queued += 1
    if queued:
        logger.warning("Queued %d lift email(s) again whose delivery task was lost", queued)
    return queued


def due_for_lift(at: datetime):
    """Live items whose embargo has ended by `at` but whose lift has not run."""
    return _news_items().live().filter(embargo_until__lte=at, embargo_lifted_at__isnull=True)


def lift_due_embargoes(*, at: datetime) -> int:
    """The sweep: lift everything overdue at `at`. Safe to run from several processes at once.

    One item's failure does not hold up the others; a lost database raises, for the caller to wait and retry.
    """
    lifted = 0
    for item in due_for_lift(at).specific():
        try:
            lifted += lift_embargo(item, at=at)
        except (OperationalError, InterfaceError):
            raise
        except Exception:
            logger.exception("The lift of %r failed; the next sweep tries again", item.title)
    return lifted


def schedule_lift(item) -> None:
    """Queue the lift task for the embargo instant (the sweep and on-request lifts are the safety net)."""
    from django_tasks import default_task_backend

    from presscentre.embargo.tasks import lift_embargo_task

    if item.embargo_until is None or item.embargo_lifted_at is not None:
        return
    if not default_task_backend.supports_defer:
        return  # e.g. the immediate backend in tests: the sweep and on-request lift still apply
    lift_embargo_task.using(run_after=item.embargo_until).enqueue(item.pk)


# Journalist access links


def create_access_links(item, recipients, *, by, at: datetime, expires_at=None) -> list:
    """The one way journalists' personal links to `item` are made: one link, with a new token, for each
    `(name, email, outlet)` in `recipients`, in one insert. The caller records it in the audit log.

    With no `expires_at` a link lasts until the lift, wherever the embargo is moved. Raises ValueError (and creates
    nothing) when the item is unpublished or not under embargo at `at`, or the expiry has passed. Only a hash of each
    token is stored: the token is on the returned links, in memory, to be sent or shown now.
    """
    access_link = apps.get_model("embargo", "AccessLink")
    refusal = access_link_refusal(item, at=at)
    if refusal:
        raise ValueError(refusal)
    if expires_at is not None and expires_at <= at:
        raise ValueError("The expiry must be in the future.")
    links = [
        access_link(
            item_id=item.pk,
            name=name,
            email=email,
            outlet=outlet,
            created_by=by,
            created_at=at,
            expires_at=expires_at,
        )
        for name, email, outlet in recipients
    ]
    for link in links:
        link.issue_token()  # bulk_create does not call save()
    return access_link.objects.bulk_create(links)


def create_access_link(item, *, name: str, email: str, outlet: str, by, at: datetime, expires_at=None):
    """Give one named journalist a personal link to `item` before its lift, in the item's audit log
    (`create_access_links`' rules and errors). Each call creates a new link with a new token."""
    with transaction.atomic():
        (link,) = create_access_links(item, [(name, email, outlet)], by=by, at=at, expires_at=expires_at)
        log(
            instance=item,
            action="presscentre.embargo.link_create",
            user=by,
            data={"link_id": link.pk, "recipient": link.recipient_line()},
        )
    return link


def access_link_refusal(item, *, at: datetime) -> str:
    """Why `item` cannot have a new personal link at `at`, or '' when it can."""
    if not item.live:
        return "Publish the item first: a personal link only opens a published item."
    if not item.is_embargoed_at(at):
        return "The item is not under embargo, so it needs no personal links."
    return ""


def next_lift_after(now: datetime) -> datetime | None:
    """The instant the next live item's embargo ends, or None when none is pending (for the page cache, which
    keeps no listing past it)."""
    return (
        _news_items()
        .filter(live=True, embargo_until__gt=now)
        .order_by("embargo_until")
        .values_list("embargo_until", flat=True)
        .first()
    )


def find_access_link(token: str):
    """The unrevoked link with this token, or None; whether it still opens its item is `can_view`'s answer.

    Only the token's SHA-256 is stored, so the link is found by the hash of what was presented. That stands in
    for a constant-time comparison: the lookup's timing depends on the hash, which an attacker cannot steer
    towards a stored one character by character. The link found carries the presented token in memory, so the
    pages it serves can build its addresses.
    """
    from presscentre.embargo.models import hash_token

    access_link = apps.get_model("embargo", "AccessLink")
    if not token:
        return None
    found = (
        access_link.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True).select_related("item").first()
    )
    if found is not None:
        found.token = token
    return found


def journalist_terms(item) -> str:
    """The site's embargo terms a journalist must accept before reading `item` through a link ('' if none)."""
    site = item.get_site()
    if site is None:
        return ""
    return apps.get_model("newsroom", "PressCentreSettings").for_site(site).journalist_terms.strip()


def terms_outstanding(link) -> bool:
    """Must the holder of `link` still accept the embargo terms before seeing anything of the item?"""
    return link.terms_accepted_at is None and bool(journalist_terms(link.item))


def link_document(link, document_id: int, *, at: datetime):
    """The document `link` may download at `at`: one its own item's published content attaches or links to,
    while the link opens the item.

    Returns None for anything else, so a link for one item can never fetch another item's files (nor files
    not yet attached, or attached only in a draft of its own item).
    """
    from wagtail.documents import get_document_model

    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None or not can_view(link.item, at=at, token=link.token):
        return None
    if link.item_id not in _pages_using_document(document):
        return None
    return document


def truncate_ip(address: str) -> str:
    """The network an address belongs to, never the address: IPv4 to /24, IPv6 to /48 ('' if unreadable)."""
    import ipaddress

    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record_access(link, *, kind: str, at: datetime, request, document=None):
    """Add a view or download to `link`'s access log, with the client's network and browser, not its address."""
    access_log_entry = apps.get_model("embargo", "AccessLogEntry")
    return access_log_entry.objects.create(
        link=link,
        at=at,
        kind=kind,
        document=document,
        ip_network=truncate_ip(client_address(request)),
        user_agent=request.headers.get("user-agent", "")[:300],
    )


def embargo_calendar(item) -> bytes:
    """An iCalendar file with one event, "Embargo lifts: <title>", at the embargo instant (in UTC)."""
    from datetime import UTC
    from urllib.parse import urlsplit

    from icalendar import Calendar, Event

    if item.embargo_until is None:
        raise ValueError("The item has no embargo.")
    instant = item.embargo_until.astimezone(UTC)
    public_url = public_page_url(item)
    host = urlsplit(public_base_url()).hostname or "presscentre"
    calendar = Calendar()
    calendar.add("prodid", "-//Press Centre//Embargo//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"embargo-{item.pk}-{instant:%Y%m%dT%H%M%SZ}@{host}")
    # Without a METHOD, DTSTAMP means "last modified": when the item (and so its embargo) last changed.
    event.add("dtstamp", item.last_published_at or item.latest_revision_created_at or instant)
    event.add("dtstart", instant)
    event.add("dtend", instant)
    event.add("summary", f"Embargo lifts: {item.title}")
    # The release line, and where the item will be once public: the journalist's calendar is where they look.
    description = item.embargo_line()
    event.add("description", f"{description}\nPublic at the lift: {public_url}" if public_url else description)
    if public_url:
        event.add("url", public_url)
    calendar.add_component(event)
    return calendar.to_ical()
