"""A journalist's personal link (the embargoed item, its documents, the lift in a calendar) and its admin screen.

Every journalist response is private to the holder: `Cache-Control: private, no-store` keeps it out of shared
caches and the browser's disk, `X-Robots-Tag` keeps it out of search engines, and `Referrer-Policy` keeps the
token out of other sites' logs. An unknown, forged, revoked or expired token is the same 404 as a page that
does not exist.
"""

import re
from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import get_text_list
from django.views.decorators.http import require_POST, require_safe

from presscentre.core.urls_public import public_base_url, public_url
from presscentre.embargo.directory import DirectoryContact, find_contacts, has_contact_directory, search_contacts
from presscentre.embargo.models import AccessLink, AccessLogEntry
from presscentre.embargo.services import (
    access_link_refusal,
    can_view,
    create_access_link,
    embargo_calendar,
    find_access_link,
    journalist_terms,
    link_document,
    link_prefixes,
    record_access,
    terms_outstanding,
)
from presscentre.newsroom.dates import embargo_line
from presscentre.newsroom.models import NewsItemPage, PressCentreSettings
from presscentre.newsroom.plain_text import item_as_plain_text


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
    context["embargo_banner"] = f"{embargo_line(item, 'sentence')} | Copy for {link.recipient_line()}"
    context["journalist_link"] = link
    html = render_to_string(item.get_template(request), context, request=request)
    tools = render_to_string(
        "embargo/journalist_tools.html",
        {"link": link, "release_text": _release_text(item, link, request=request)},
        request=request,
    )
    html = _media_through_link(_documents_through_link(html, link), link)
    return _private(HttpResponse(_with_journalist_tools(html, tools)))


_MAIN_START = re.compile(r"<main\b[^>]*>")


def _with_journalist_tools(html: str, tools: str) -> str:
    """The copy with the journalist's tools (calendar, copy and download the text) at the top of its content.

    The copy is the item's own public template, which knows nothing of links: the tools go in after the
    opening of <main>, so the public templates need no journalist-only branches.
    """
    return _MAIN_START.sub(lambda match: match[0] + tools, html, count=1)


def _documents_through_link(html: str, link: AccessLink) -> str:
    """Point every document link and player on the copy (report files, recordings, links in rich text)
    at the token's own download URL: the public document URLs are 404 until the lift."""
    public_prefix = reverse("wagtaildocs_serve", args=[0, "x"]).removesuffix("0/x")
    pattern = re.compile(rf'\b(?P<attr>href|src)="{re.escape(public_prefix)}(?P<id>\d+)/[^"]*"')

    def through_link(match: re.Match) -> str:
        url = reverse("embargo:document", args=[link.token, int(match["id"])])
        return f'{match["attr"]}="{url}"'

    return pattern.sub(through_link, html)


def _media_through_link(html: str, link: AccessLink) -> str:
    """Point the copy's images, their download sizes and the gallery's ZIP (every address under a prefix an app
    registered: `link_prefixes`) at the same address under the token, where the app that serves them checks the
    link: the public addresses are 404 until the lift. Covers src, srcset, href and absolute addresses in meta tags.
    """
    prefixes = link_prefixes()
    if not prefixes:
        return html
    through = reverse("embargo:link", args=[link.token]).rstrip("/")
    alternatives = "|".join(re.escape(prefix) for prefix in prefixes)
    pattern = re.compile(rf"(?P<lead>[\"'\s,(])(?P<base>{re.escape(public_base_url())})?(?P<prefix>{alternatives})")
    return pattern.sub(lambda match: f"{match['lead']}{match['base'] or ''}{through}{match['prefix']}", html)


def _release_text(item, link: AccessLink, *, request) -> str:
    """The item as plain text for the link's holder, its document addresses going through the link."""
    text = item_as_plain_text(item, site_settings=PressCentreSettings.for_request(request), at=timezone.now())
    public_prefix = reverse("wagtaildocs_serve", args=[0, "x"]).removesuffix("0/x")
    pattern = re.compile(rf"(?:{re.escape(public_base_url())})?{re.escape(public_prefix)}(?P<id>\d+)/[^\s)]*")
    return pattern.sub(lambda match: public_url(reverse("embargo:document", args=[link.token, int(match["id"])])), text)


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


def _embargoed_copy_or_404(token: str, *, at: datetime):
    """The link and its item while the link opens the item's embargoed copy; after the lift, a 404 like any
    other expired link (the public page and its own downloads take over)."""
    link = _link_or_404(token)
    item = link.item.specific
    if not item.is_embargoed_at(at) or not can_view(item, at=at, token=token):
        raise Http404("No such page.")
    return link, item


@require_safe
def calendar(request, token: str):
    """The lift as an event for the journalist's calendar."""
    link, item = _embargoed_copy_or_404(token, at=timezone.now())
    if terms_outstanding(link):
        return redirect(link.get_absolute_url())
    return _private(_calendar_response(item))


@require_safe
def release_text(request, token: str):
    """The embargoed item as a plain-text file, for a browser that cannot copy to the clipboard."""
    link, item = _embargoed_copy_or_404(token, at=timezone.now())
    if terms_outstanding(link):
        return redirect(link.get_absolute_url())
    response = HttpResponse(_release_text(item, link, request=request), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{item.slug}.txt")
    return _private(response)


def _calendar_response(item) -> HttpResponse:
    response = HttpResponse(embargo_calendar(item), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"embargo-{item.slug}.ics")
    return response


# Staff (admin URLs: Wagtail already requires `wagtailadmin.access_admin` for them)


class AccessLinkForm(forms.ModelForm):
    class Meta:
        model = AccessLink
        fields = ["name", "email", "outlet"]


class ContactSearchForm(forms.Form):
    q = forms.CharField(label="Find media contacts", required=False, max_length=200)


class PickedContactsForm(forms.Form):
    """The contacts ticked in the picker. They arrive as email addresses and are looked up again in the directory,
    so names and outlets are the directory's, as it holds them now."""

    contact = forms.MultipleChoiceField(
        error_messages={
            "required": "Tick at least one contact.",
            "invalid_choice": "%(value)s is no longer in the media contacts: search again.",
        }
    )

    def __init__(self, data, *, found: dict[str, DirectoryContact]):
        super().__init__(data)
        self.found = found
        posted = data.getlist("contact") if data is not None else []
        self.fields["contact"].choices = [
            (email, found[email.strip().lower()].recipient_line()) for email in posted if email.strip().lower() in found
        ]

    def clean_contact(self) -> list[DirectoryContact]:
        return [self.found[email.strip().lower()] for email in self.cleaned_data["contact"]]


def link_state(link: AccessLink, item, *, at: datetime) -> str:
    """What the links screen says about `link` at `at`: 'active', 'revoked', 'expired', 'expired at the lift'
    or 'paused' (the item is unpublished, so no link opens it)."""
    if link.revoked_at is not None:
        return "revoked"
    if not item.is_embargoed_at(at):
        return "expired at the lift"
    if not link.is_valid_at(at):
        return "expired"
    return "active" if item.live else "paused"


def _active_link_holders(item, emails, *, at: datetime) -> set[str]:
    """Which of `emails` (lower case) already hold a link that opens `item` at `at`."""
    holders = item.access_links.valid_at(at).values_list("email", flat=True)
    return {email.lower() for email in holders} & {email.lower() for email in emails}


def _editable_item(user, page_id: int):
    item = get_object_or_404(NewsItemPage, pk=page_id).specific
    if not item.permissions_for_user(user).can_edit():
        raise PermissionDenied
    return item


def access_links(request, page_id: int):
    """An item's personal links with their state and activity, the contact picker, a form for typing a
    recipient, and the access log."""
    item = _editable_item(request.user, page_id)
    now = timezone.now()
    # The picker's form says so itself: ticking nobody must not read as an empty typed form.
    picking = request.method == "POST" and "pick" in request.POST
    form = AccessLinkForm(request.POST if request.method == "POST" and not picking else None)
    picked = PickedContactsForm(
        request.POST if picking else None,
        found=find_contacts(request.POST.getlist("contact")) if picking else {},
    )
    error = ""
    if request.method == "POST":
        try:
            if picking and picked.is_valid():
                recipients = [
                    {"name": contact.name, "email": contact.email, "outlet": contact.outlet}
                    for contact in picked.cleaned_data["contact"]
                ]
                return _create_links(request, item, recipients, at=now)
            if not picking and form.is_valid():
                if _active_link_holders(item, [form.cleaned_data["email"]], at=now):
                    raise ValueError(
                        f"{form.cleaned_data['email']} already has an active link to this item: "
                        "revoke it first to make a new one."
                    )
                return _create_links(request, item, [form.cleaned_data], at=now)
        except ValueError as refusal:
            error = str(refusal)
        if picked.errors:
            error = " ".join(picked.errors["contact"])

    search = ContactSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    matches = search_contacts(query) if query else []
    holders = _active_link_holders(item, [contact.email for contact in matches], at=now)
    created_ids = set(request.GET.get("created", "").split(","))
    new_tokens = _take_new_tokens(request, item)
    links = list(item.access_links.with_activity().select_related("created_by"))
    for link in links:
        link.state = link_state(link, item, at=now)
        link.token = new_tokens.get(str(link.pk))
        link.full_url = link.get_full_url() if link.token else ""
        link.is_new = str(link.pk) in created_ids
    context = {
        "item": item,
        "links": links,
        "form": form,
        "error": error,
        "search": search,
        "query": query,
        "matches": [(contact, contact.email.lower() in holders) for contact in matches],
        "has_directory": has_contact_directory(),
        "refusal": access_link_refusal(item, at=now),
        "log_entries": AccessLogEntry.objects.filter(link__item=item).select_related("link", "document")[:500],
        "header_title": f"Journalist links: {item.get_admin_display_title()}",
        "page_title": "Journalist links",
        "page_subtitle": item.get_admin_display_title(),
        "header_icon": "link",
    }
    return render(request, "embargo/access_links.html", context)


def _create_links(request, item, recipients: list[dict], *, at: datetime):
    """A link for each recipient (name, email, outlet) who has no active link yet, all or none; then back to the
    screen with the new links marked."""
    holders = _active_link_holders(item, [recipient["email"] for recipient in recipients], at=at)
    with transaction.atomic():
        created = [
            create_access_link(item, **recipient, by=request.user, at=at)
            for recipient in recipients
            if recipient["email"].lower() not in holders
        ]
    if created:
        names = get_text_list([link.recipient_line() for link in created], "and")
        messages.success(
            request,
            f"{'Link' if len(created) == 1 else 'Links'} created for {names}. "
            "Copy each address from the table and send it to its recipient.",
        )
    skipped = [recipient["name"] for recipient in recipients if recipient["email"].lower() in holders]
    if skipped:
        messages.warning(
            request,
            f"{get_text_list(skipped, 'and')} already {'has' if len(skipped) == 1 else 'have'} an active link: "
            "no second link was made. Revoke a link first to replace it.",
        )
    _hand_over_new_tokens(request, item, created)
    ids = ",".join(str(link.pk) for link in created)
    return redirect(f"{reverse('embargo_admin:links', args=[item.pk])}?created={ids}" if ids else request.path)


def _new_tokens_key(item) -> str:
    return f"embargo:new-links:{item.pk}"


def _hand_over_new_tokens(request, item, links: list[AccessLink]) -> None:
    """Carry the new links' tokens across the redirect to the one page that shows them.

    Only hashes are stored with the links, so the tokens are known just now; the session keeps them until the
    next view of the links screen, which takes them out (see _take_new_tokens).
    """
    if links:
        request.session[_new_tokens_key(item)] = {str(link.pk): link.token for link in links}


def _take_new_tokens(request, item) -> dict[str, str]:
    """The tokens of links made by the last request, shown this once and forgotten."""
    return request.session.pop(_new_tokens_key(item), {}) if hasattr(request, "session") else {}


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
