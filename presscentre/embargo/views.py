"""A journalist's personal link (the embargoed item, its documents, the lift in a calendar) and its admin screen.

Every journalist response is private to the holder: `Cache-Control: private, no-store` keeps it out of shared
caches and the browser's disk, `X-Robots-Tag` keeps it out of search engines, and `Referrer-Policy` keeps the
token out of other sites' logs. An unknown, forged, revoked or expired token is the same 404 as a page that
does not exist.
"""

import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from presscentre.embargo.models import AccessLink, AccessLogEntry
from presscentre.embargo.services import (
    access_link_refusal,
    can_view,
    create_access_link,
    embargo_calendar,
    find_access_link,
    journalist_terms,
    link_document,
    record_access,
    terms_outstanding,
)
from presscentre.newsroom.models import NewsItemPage

EMBARGO_LINE_PREFIX = "EMBARGOED UNTIL "


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the address: links out of the copy must not hand it to other sites. Not "no-referrer":
    # with it browsers send "Origin: null" on the terms form's POST, which CSRF protection rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _link_or_404(token: str) -> AccessLink:
    link = find_access_link(token)
    if link is None:
        raise Http404("No such page.")
    return link


# Journalists


@require_safe
def item_copy(request, token: str):
    """The journalist's copy of the item before the lift; after it, the public page."""
    now = timezone.now()
    link = _link_or_404(token)
    item = link.item.specific
    if can_view(item, at=now):
        public_url = item.get_url(request=request)
        if public_url is None:
            raise Http404("No such page.")
        return redirect(public_url)
    if not can_view(item, at=now, token=token):
        raise Http404("No such page.")
    if terms_outstanding(link):
        # The title only: nothing of the item itself until the terms are accepted.
        context = {"link": link, "item_title": item.title, "terms": journalist_terms(item)}
        return _private(render(request, "embargo/terms.html", context))
    record_access(link, kind=AccessLogEntry.Kind.VIEW, at=now, request=request)
    context = item.get_context(request)
    context["embargo_banner"] = (
        f"Embargoed until {item.embargo_line().removeprefix(EMBARGO_LINE_PREFIX)} | Copy for {link.recipient_line()}"
    )
    context["journalist_link"] = link
    html = render_to_string(item.get_template(request), context, request=request)
    return _private(HttpResponse(_documents_through_link(html, link)))


def _documents_through_link(html: str, link: AccessLink) -> str:
    """Point every document link and player on the copy (report files, recordings, links in rich text)
    at the token's own download URL: the public document URLs are 404 until the lift."""
    public_prefix = reverse("wagtaildocs_serve", args=[0, "x"]).removesuffix("0/x")
    pattern = re.compile(rf'\b(?P<attr>href|src)="{re.escape(public_prefix)}(?P<id>\d+)/[^"]*"')

    def through_link(match: re.Match) -> str:
        url = reverse("embargo:document", args=[link.token, int(match["id"])])
        return f'{match["attr"]}="{url}"'

    return pattern.sub(through_link, html)


@require_POST
def accept_terms(request, token: str):
    """Record the journalist's acceptance of the embargo terms, then show the item."""
    now = timezone.now()
    link = _link_or_404(token)
    if not can_view(link.item, at=now, token=token):
        raise Http404("No such page.")
    link.accept_terms(at=now)
    return redirect(link.get_absolute_url())


@require_safe
def document(request, token: str, document_id: int):
    """One of the item's documents, through the link, logged as a download."""
    now = timezone.now()
    link = _link_or_404(token)
    if terms_outstanding(link):
        return redirect(link.get_absolute_url())
    found = link_document(link, document_id, at=now)
    if found is None:
        raise Http404("No such document.")
    record_access(link, kind=AccessLogEntry.Kind.DOWNLOAD, at=now, request=request, document=found)
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.filename, content_type=found.content_type
    )
    return _private(response)


@require_safe
def calendar(request, token: str):
    """The lift as an event for the journalist's calendar."""
    link = _link_or_404(token)
    item = link.item.specific
    if item.embargo_until is None or not can_view(item, at=timezone.now(), token=token):
        raise Http404("No such page.")
    if terms_outstanding(link):
        return redirect(link.get_absolute_url())
    return _private(_calendar_response(item))


def _calendar_response(item) -> HttpResponse:
    response = HttpResponse(embargo_calendar(item), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"embargo-{item.slug}.ics")
    return response


# Staff (admin URLs: Wagtail already requires `wagtailadmin.access_admin` for them)


class AccessLinkForm(forms.ModelForm):
    class Meta:
        model = AccessLink
        fields = ["name", "email", "outlet"]


def _editable_item(user, page_id: int):
    item = get_object_or_404(NewsItemPage, pk=page_id).specific
    if not item.permissions_for_user(user).can_edit():
        raise PermissionDenied
    return item


def access_links(request, page_id: int):
    """An item's personal links with their views and downloads, a form for a new one, and the access log."""
    item = _editable_item(request.user, page_id)
    now = timezone.now()
    form = AccessLinkForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            link = create_access_link(item, **form.cleaned_data, by=request.user, at=now)
        except ValueError as refusal:
            error = str(refusal)
        else:
            return redirect(f"{reverse('embargo_admin:links', args=[item.pk])}?created={link.pk}")
    links = list(item.access_links.with_activity().select_related("created_by"))
    for link in links:
        link.status = link.status_at(now)
    created = next((link for link in links if str(link.pk) == request.GET.get("created")), None)
    log_entries = AccessLogEntry.objects.filter(link__item=item).select_related("link", "document")[:500]
    context = {
        "item": item,
        "links": links,
        "form": form,
        "error": error,
        "created": created,
        "created_url": created.get_full_url() if created else "",
        "refusal": access_link_refusal(item, at=now),
        "log_entries": log_entries,
        "header_title": f"Journalist links: {item.get_admin_display_title()}",
        "page_title": "Journalist links",
        "page_subtitle": item.get_admin_display_title(),
        "header_icon": "link",
    }
    return render(request, "embargo/access_links.html", context)


@require_POST
def revoke_access_link(request, link_id: int):
    """Stop one personal link working, now."""
    link = get_object_or_404(AccessLink, pk=link_id)
    _editable_item(request.user, link.item_id)
    link.revoke(at=timezone.now(), by=request.user)
    return redirect("embargo_admin:links", link.item_id)


@require_safe
def staff_calendar(request, page_id: int):
    """The lift as an event for the press office's calendar."""
    item = _editable_item(request.user, page_id)
    if item.embargo_until is None:
        raise Http404("The item has no embargo.")
    return _private(_calendar_response(item))
