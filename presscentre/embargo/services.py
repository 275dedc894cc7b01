"""The one visibility rule, and the exact-time lift.

Every public surface (listings, archives, item pages, documents, and every surface added later) asks
`public_items` or `can_view` and nothing else. They take the instant as an argument; only views, commands and
the worker read the clock.
"""

import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from wagtail.log_actions import log

logger = logging.getLogger(__name__)

# A lift that runs later than this after its instant is reported as missed.
MISSED_LIFT_AFTER = timedelta(seconds=60)


def _news_items():
    return apps.get_model("newsroom", "NewsItemPage").objects


def public_items(at: datetime):
    """Items the public may see at `at`: live, not private, and past any embargo."""
    return _news_items().live().public().filter(Q(embargo_until__isnull=True) | Q(embargo_until__lte=at))


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
    access_link = apps.get_model("embargo", "AccessLink") if _has_access_links() else None
    if access_link is None:
        return False
    link = access_link.objects.valid_at(at).filter(token=token).first()
    return link is not None and link.item_id == item.pk


def _has_access_links() -> bool:
    try:
        apps.get_model("embargo", "AccessLink")
    except LookupError:
        return False
    return True


def items_referencing_document(document) -> list:
    """Every item that attaches or links to `document`: report files, recordings and links in text."""
    from wagtail.models import ReferenceIndex

    news_items = _news_items()
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
    # relations above are checked as well and a document is never public just because indexing lags.
    page_type = ContentType.objects.get_for_model(apps.get_model("wagtailcore", "Page"))
    referencing = ReferenceIndex.get_references_to(document).filter(base_content_type=page_type)
    page_ids.update(int(object_id) for object_id in referencing.values_list("object_id", flat=True))
    return list(news_items.filter(pk__in=page_ids))


def can_download(document, *, at: datetime, viewer=None, token: str | None = None) -> bool:
    """A document is as visible as the most secret item that uses it."""
    return all(can_view(item, at=at, viewer=viewer, token=token) for item in items_referencing_document(document))


def lift_embargo(item, *, at: datetime, by=None) -> bool:
    """Carry out the lift of `item`'s embargo: audit log, press office email, cache purge.

    Visibility itself needs no change: the rule above makes the item and its documents public at the
    embargo instant. Returns False and changes nothing if the embargo has not ended or was already lifted,
    so the scheduled task, the sweep and an on-request lift can all call it; two callers at once lift once,
    because only one conditional update can claim the row.
    """
    if item.embargo_until is None or at < item.embargo_until or not item.live:
        return False
    with transaction.atomic():
        claimed = (
            _news_items()
            .filter(pk=item.pk, embargo_until=item.embargo_until, embargo_lifted_at__isnull=True, live=True)
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
        transaction.on_commit(lambda: _after_lift(item, delay=delay, missed=missed))
    return True


def _after_lift(item, *, delay: timedelta, missed: bool) -> None:
    purge_item_from_caches(item)
    notify_press_office_of_lift(item, delay=delay, missed=missed)


def purge_item_from_caches(item) -> None:
    """Tell any front-end cache (Varnish, a CDN) that the item and the listings showing it have changed."""
    from wagtail.contrib.frontend_cache.utils import purge_page_from_cache, purge_urls_from_cache

    purge_page_from_cache(item)
    parent = item.get_parent()
    if parent is not None:
        purge_page_from_cache(parent)
        base = parent.get_full_url() or ""
        urls = [f"{base}category/{category.slug}/" for category in item.categories]
        urls += [f"{base}author/{person.slug}/" for person in item.people]
        if urls:
            purge_urls_from_cache(urls)


def press_office_address(item) -> str:
    site_settings = apps.get_model("newsroom", "PressCentreSettings")
    site = item.get_site()
    address = site_settings.for_site(site).press_office_email if site else ""
    return address or settings.DEFAULT_FROM_EMAIL


def notify_press_office_of_lift(item, *, delay: timedelta, missed: bool) -> None:
    """Email the press office "<title> is live" with the public URL (and how late, if the lift was missed)."""
    context = {
        "item": item,
        "url": item.get_full_url(),
        "delay_seconds": round(delay.total_seconds(), 1),
        "missed": missed,
    }
    subject = (
        f"{item.title} is live"
        if not missed
        else f"Missed embargo: {item.title} is live, {delay.total_seconds():.0f} s late"
    )
    send_mail(
        subject,
        render_to_string("emails/embargo_lifted.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [press_office_address(item)],
        html_message=render_to_string("emails/embargo_lifted.html", context),
    )


def due_for_lift(at: datetime):
    """Live items whose embargo has ended by `at` but whose lift has not run."""
    return _news_items().live().filter(embargo_until__lte=at, embargo_lifted_at__isnull=True)


def lift_due_embargoes(*, at: datetime) -> int:
    """The sweep: lift everything overdue at `at`. Safe to run from several processes at once."""
    lifted = 0
    for item in due_for_lift(at).specific():
        lifted += lift_embargo(item, at=at)
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
