"""The interview request form: its own page per expert (/experts/request/<slug>/), outside the page cache, with
Django's usual CSRF check (the directory page, which the cache shares, only links to it), and a thank-you page.

Only people listed as available for comment can be asked for; anyone else is a 404, like a slug that does not
exist. A refused or mistyped request keeps everything the journalist typed.
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from presscentre.core.client_address import client_address
from presscentre.experts import requests
from presscentre.experts.forms import InterviewRequestForm
from presscentre.newsroom.models import Person


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _expert(slug: str) -> Person:
    return get_object_or_404(Person.objects.select_related("photo"), slug=slug[:150], available_for_comment=True)


@require_http_methods(["GET", "HEAD", "POST"])
def request_view(request, slug: str):
    expert = _expert(slug)
    form = InterviewRequestForm(request.POST if request.method == "POST" else None)
    context = {"expert": expert, "form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            at = timezone.now()
            try:
                requests.check_rate(client=client_address(request), at=at)
            except requests.RequestRefused as refusal:
                context["refusal"] = refusal.message
                status = refusal.status
            else:
                requests.take_request(expert, form.cleaned_data, at=at)
                return redirect(reverse("experts:thanks", args=[expert.slug]))
        else:
            status = 400
    form.describe_fields()
    return _private(render(request, "experts/request.html", context, status=status))


@require_http_methods(["GET", "HEAD"])
def thanks_view(request, slug: str):
    return _private(render(request, "experts/thanks.html", {"expert": _expert(slug)}))
