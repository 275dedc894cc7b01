import logging
from datetime import UTC

from django.apps import apps
from django.contrib import messages
from django.http import Http404
from django.urls import include, path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.log_actions import log

from presscentre.embargo.forms import NOTES_ATTRIBUTE
from presscentre.embargo.panels import LinkActivityPanel, UpcomingLiftsPanel
from presscentre.embargo.services import can_download, can_view, lift_embargo
from presscentre.embargo.urls import admin_urlpatterns
from presscentre.newsroom.models import NewsItemPage

logger = logging.getLogger(__name__)


@hooks.register("register_log_actions")
def register_embargo_log_actions(actions):
    actions.register_action("presscentre.embargo.lift", "Embargo lifted", "Embargo lifted")
    actions.register_action("presscentre.embargo.missed", "Embargo lifted late (missed)", "Embargo lifted late")
    actions.register_action("presscentre.embargo.move", "Embargo moved", "Embargo moved")
    actions.register_action("presscentre.embargo.cancel", "Embargo cancelled", "Embargo cancelled")
    actions.register_action("presscentre.embargo.link_create", "Journalist link created", "Journalist link created")
    actions.register_action("presscentre.embargo.link_revoke", "Journalist link revoked", "Journalist link revoked")


# Order 1: inside Wagtail's own view restrictions (order 0), so a private section still asks for a login first.
@hooks.register("on_serve_page", order=1)
def refuse_embargoed_items(serve):
    """Wrap serving so an item page follows the visibility rule, as Wagtail wraps it with its view restrictions.

    The item page is newsroom's, the rule is this app's: newsroom imports nothing from here, so the check is
    plugged in around serving. Other pages are served as they are.
    """

    def serve_item(page, request, args, kwargs):
        if not isinstance(page, NewsItemPage):
            return serve(page, request, args, kwargs)
        now = timezone.now()
        if not can_view(page, at=now, viewer=request.user):
            raise Http404("No such item.")  # the same answer as for a page that does not exist
        if page.embargo_until is not None and page.embargo_lifted_at is None and not page.is_embargoed_at(now):
            # Overdue: lift on the spot rather than wait for the worker. The reader sees the item either way (the
            # rule above already lets them), so a lift that fails is logged, left to the sweep, and not their error.
            try:
                lift_embargo(page, at=now)
            except Exception:
                logger.exception("The on-request lift of %r failed; the sweep will lift it", page.title)
        response = serve(page, request, args, kwargs)
        if page.is_embargoed_at(now):
            # Only staff get here before the lift: never let a shared cache or a search engine keep it.
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return serve_item


@hooks.register("before_serve_document", order=-100)
def refuse_embargoed_documents(document, request):
    """A document no public item uses yet (embargoed, unpublished, only in a draft, not attached at all) is a 404
    to the public, however it is requested: a 404 rather than a 403, so trying ids confirms nothing."""
    if not can_download(document, at=timezone.now(), viewer=request.user):
        raise Http404("No such document.")


@hooks.register("register_admin_urls")
def register_access_link_admin_urls():
    return [path("embargo/", include((admin_urlpatterns, "embargo_admin"), namespace="embargo_admin"))]


def _access_links_button(page, user, *, priority: int):
    """'Journalist links' for an item that has (or had) an embargo, shown to those who may edit it."""
    if getattr(page, "embargo_until", None) is None or not page.permissions_for_user(user).can_edit():
        return []
    url = reverse("embargo_admin:links", args=[page.pk])
    return [Button("Journalist links", url, icon_name="link", priority=priority)]


@hooks.register("register_page_header_buttons")
def access_links_header_button(page, user, view_name, next_url=None):
    return _access_links_button(page, user, priority=75)


@hooks.register("register_page_listing_more_buttons")
def access_links_listing_button(page, user, next_url=None):
    return _access_links_button(page, user, priority=55)


# The create and edit views reload the page after publishing, so hooks that run after a publish get a
# different object from the one the form cleaned. The request carries what they need across the publish:
# the embargo the live page had (for the audit log) and the form's notes (for the messages).
_PENDING_PUBLISH = "_presscentre_embargo_pending_publish"


@hooks.register("before_publish_page")
def remember_live_embargo(request, page):
    """Note the live page's embargo before a publish replaces it, with the form's notes for later."""
    pending = request.__dict__.setdefault(_PENDING_PUBLISH, {})
    pending[page.pk] = {"live_embargo": _pending_live_embargo(page), "notes": page.__dict__.pop(NOTES_ATTRIBUTE, None)}


def _pending_live_embargo(page):
    """The embargo the public rule applies to this page right now: live and not lifted yet, else None."""
    if not hasattr(page, "embargo_lifted_at"):
        return None  # not a newsroom item
    live_items = apps.get_model("newsroom", "NewsItemPage").objects.filter(
        pk=page.pk, live=True, embargo_lifted_at__isnull=True
    )
    return live_items.values_list("embargo_until", flat=True).first()


@hooks.register("after_publish_page")
def log_moved_or_cancelled_embargo(request, page):
    """A publish that changes a live, unlifted embargo is audit-logged as a move or a cancellation.

    Saving a draft changes nothing the public sees, so only the publish counts; `page` comes fresh from
    the database, so a publish scheduled for later (which leaves the live page alone) logs nothing.
    """
    before = request.__dict__.get(_PENDING_PUBLISH, {}).get(page.pk, {}).get("live_embargo")
    if before is None or page.embargo_until == before:
        return
    if page.embargo_until is None:
        action, data = "presscentre.embargo.cancel", {"from": before.astimezone(UTC).isoformat()}
    else:
        action = "presscentre.embargo.move"
        data = {"from": before.astimezone(UTC).isoformat(), "to": page.embargo_until.astimezone(UTC).isoformat()}
    log(instance=page, action=action, user=request.user, data=data)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def show_embargo_notes(request, page):
    """The form's warnings and notes about the embargo, shown once the page is saved."""
    notes = page.__dict__.pop(NOTES_ATTRIBUTE, None)
    pending = request.__dict__.get(_PENDING_PUBLISH, {}).pop(page.pk, None)
    if notes is None and pending is not None:
        notes = pending["notes"]
    # An autosave asks for JSON: messages queued now would pile up until the next full page.
    if not notes or not request.accepts("text/html"):
        return
    for level, text in notes:
        messages.add_message(request, level, text)


@hooks.register("construct_homepage_panels")
def add_embargo_panels(request, panels):
    """Embargoes lifting this week and journalists' link activity, for those who edit items."""
    now = timezone.now()
    for panel_class in (UpcomingLiftsPanel, LinkActivityPanel):
        if panel_class.is_shown_to(request.user):
            panels.append(panel_class(request.user, at=now))
