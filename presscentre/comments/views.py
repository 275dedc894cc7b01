"""Posting a comment from an item page, and remembering which held comments are the reader's own.

A post that succeeds redirects back to the item (post/redirect/get). One that fails renders the item page again
with the errors, everything the reader typed and a fresh challenge; that response is the reader's own, so no
cache may keep it. A post larger than the longest comment can make is refused from its Content-Length, before a
byte of it is read: a client sending slowly, or sending megabytes, holds no worker while it does.
"""

import functools
import json
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from presscentre.comments.challenge import Challenge, issue_challenge
from presscentre.comments.forms import MAX_BODY_LENGTH, CommentForm
from presscentre.comments.models import Comment, CommentSettings
from presscentre.comments.services import (
    CommentRefused,
    RateLimited,
    accepts_comments,
    configured_spam_checker,
    post_comment,
)
from presscentre.core.client_address import client_address
from presscentre.embargo.services import can_view
from presscentre.newsroom.models import NewsItemPage

PENDING_COOKIE = "presscentre_comments"
PENDING_COOKIE_SALT = "presscentre.comments.pending"
PENDING_COOKIE_MAX_AGE = timedelta(days=30)
PENDING_COOKIE_MAX_IDS = 20

# A browser sends the form percent-encoded: a character takes at most 12 bytes (four UTF-8 bytes, each as %XX).
BYTES_PER_CHARACTER = 12
# The name, email, website, ticket, proof of work and field names, with room to spare (about 4 KB in practice).
OTHER_FIELDS_BYTES = 16 * 1024
# The largest post the longest comment the form accepts can make; nginx lets a little more through (1m).
MAX_POST_BYTES = MAX_BODY_LENGTH * BYTES_PER_CHARACTER + OTHER_FIELDS_BYTES


def pending_comment_ids(request) -> frozenset[int]:
    """The ids of the held comments this browser posted, from its signed cookie (never from email or IP)."""
    raw = request.get_signed_cookie(
        PENDING_COOKIE, default="", salt=PENDING_COOKIE_SALT, max_age=PENDING_COOKIE_MAX_AGE
    )
    return frozenset(int(part) for part in raw.split(",") if part.isdigit())


def remember_pending_comment(response, request, comment: Comment) -> None:
    ids = sorted(pending_comment_ids(request) | {comment.pk})[-PENDING_COOKIE_MAX_IDS:]
    response.set_signed_cookie(
        PENDING_COOKIE,
        ",".join(str(pk) for pk in ids),
        salt=PENDING_COOKIE_SALT,
        max_age=int(PENDING_COOKIE_MAX_AGE.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def viewable_item_or_404(request, item_id: int, *, at):
    """The item, if this reader may see it at `at` (the embargo rule and Wagtail's view restrictions)."""
    item = NewsItemPage.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item.")
    item = item.specific
    if not can_view(item, at=at, viewer=request.user):
        raise Http404("No such item.")
    if not all(restriction.accept_request(request) for restriction in item.get_view_restrictions()):
        raise Http404("No such item.")
    return item


def render_item_with_form(request, item, form: CommentForm, *, status: int):
    """The item page again, with this reader's form in the comment area."""
    request.is_preview = False
    context = item.get_context(request)
    form.challenge_inline = True  # this response is private: its challenge (and its errors) go straight in
    context["comment_form"] = form
    response = render(request, item.get_template(request), context, status=status)
    # It holds what the reader typed, their email address included.
    response["Cache-Control"] = "private, no-store"
    return response


def post_size_limit() -> int:
    """The largest comment post read, in bytes: ours, or Django's own limit if that is lower."""
    return min(MAX_POST_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_POST_BYTES)


def refusal_before_reading(request, item_id: int):
    """The answer to a post whose body is too long to read (413) or of unknown length (411); None to read it.

    Only the headers are looked at. A body sent in chunks has no length until it has all arrived, which is just
    what a slow client exploits; browsers always send a form with its Content-Length.
    """
    declared = request.META.get("CONTENT_LENGTH") or "0"  # none at all: no body
    if request.META.get("HTTP_TRANSFER_ENCODING") or not declared.isdigit():
        response = HttpResponse("A comment must be sent with its length (Content-Length).", status=411)
        response["Cache-Control"] = "no-store"
        return response
    limit = post_size_limit()
    if int(declared) <= limit:
        return None
    try:
        item = viewable_item_or_404(request, item_id, at=timezone.now())
    except Http404:
        item = None  # the page links back only to an item this reader may see
    max_characters = min(MAX_BODY_LENGTH, max(limit - OTHER_FIELDS_BYTES, 0) // BYTES_PER_CHARACTER)
    response = render(
        request, "comments/too_long.html", {"item": item, "max_characters": f"{max_characters:,}"}, status=413
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Item pages are cached for everyone, so the form carries no CSRF token: the signed, single-use challenge
# ticket is what a post must bring, and a comment is posted with no authority from the reader's session.
@csrf_exempt
@require_POST
def post(request, item_id: int):
    refusal = refusal_before_reading(request, item_id)
    if refusal is not None:
        return refusal
    now = timezone.now()
    item = viewable_item_or_404(request, item_id, at=now)
    comment_settings = CommentSettings.for_request(request)
    if not accepts_comments(item, at=now, settings=comment_settings):
        response = render(request, "comments/closed.html", {"item": item}, status=403)
        response["Cache-Control"] = "private, no-store"
        return response
    form_kwargs = {"item": item, "at": now, "comment_settings": comment_settings}
    if "reload_challenge" in request.POST:
        return render_item_with_form(request, item, CommentForm.refilled(request.POST, **form_kwargs), status=200)
    form = CommentForm(request.POST, **form_kwargs)
    if not form.is_valid():
        return render_item_with_form(request, item, form.with_fresh_challenge(), status=400)
    try:
        comment = post_comment(
            item,
            data=form.comment_data(),
            ip=client_address(request),
            user_agent=request.headers.get("user-agent", ""),
            at=now,
            settings=comment_settings,
            checker=configured_spam_checker(),
        )
    except CommentRefused as refusal:
        form.add_error(None, str(refusal))
        status = 429 if isinstance(refusal, RateLimited) else 403
        return render_item_with_form(request, item, form.with_fresh_challenge(), status=status)
    item_url = item.get_url(request=request)
    if comment.status == Comment.Status.SPAM:
        return redirect(f"{item_url}#respond")  # as WordPress does: spam gets no acknowledgement
    response = redirect(f"{item_url}#comment-{comment.pk}")
    if comment.status == Comment.Status.PENDING:
        remember_pending_comment(response, request, comment)
    return response


# Placeholders in the rendered fragment, replaced with each reader's own values (all survive HTML escaping).
_TICKET, _QUESTION, _PROOF, _STRINGS = "pcslotticket", "pcslotquestion", "pcslotproof", "pcslotstrings"


@functools.cache
def _fragment_skeleton() -> str:
    """The challenge fieldset rendered once with placeholders: filling it in costs no template rendering."""
    form = CommentForm(item=SimpleNamespace(pk=0), at=timezone.now(), comment_settings=CommentSettings())
    form.challenge = Challenge(ticket=_TICKET, question=_QUESTION, altcha_json=_PROOF)
    form.initial["ticket"] = _TICKET
    form.fields["answer"].label = _QUESTION
    return render_to_string("comments/challenge.html", {"form": form, "altcha_strings": _STRINGS})


def challenge_fragment(item_id: int, *, at: datetime, escaped_strings: str) -> str:
    """The challenge fieldset for one reader of item `item_id`, with a new ticket; no database queries.

    `escaped_strings` is the widget's wording (JSON) already escaped for an HTML attribute.
    """
    challenge = issue_challenge(item_id, at=at)
    return (
        _fragment_skeleton()
        .replace(_TICKET, escape(challenge.ticket))
        .replace(_QUESTION, escape(challenge.question))
        .replace(_PROOF, escape(challenge.altcha_json))
        .replace(_STRINGS, escaped_strings)
    )


@require_safe
def challenge(request, item_id: int):
    """`/comments/challenge/<id>/`: the fragment a surrogate (Varnish) fetches for each ESI include."""
    comment_settings = CommentSettings.for_request(request)
    strings = escape(json.dumps({"expired": comment_settings.expired_message}))
    response = HttpResponse(challenge_fragment(item_id, at=timezone.now(), escaped_strings=strings))
    response["Cache-Control"] = "private, no-store"
    return response
