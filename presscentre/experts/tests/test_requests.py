"""The interview request form: the email to the press office over real SMTP through the worker's task, bad input,
the rate limit, the page cache, and the admin inbox."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Site

from presscentre.experts import requests
from presscentre.experts.models import InterviewRequest
from presscentre.newsroom.models import PressCentreSettings
from presscentre.newsroom.tests.factories import PersonFactory

FORM = "/experts/request/miriam-okafor/"
GOOD = {
    "name": "Jo Reporter",
    "outlet": "The Daily Ledger",
    "email": "jo@ledger.example",
    "phone": "020 7946 0000",
    "deadline": "Thursday 4 pm",
    "message": "Five minutes on the new poverty figures, for the evening bulletin.",
}


@pytest.fixture
def expert(newsroom):
    site = Site.objects.get(is_default_site=True)
    PressCentreSettings.objects.update_or_create(site=site, defaults={"press_office_email": "press@institute.example"})
    return PersonFactory(name="Miriam Okafor", slug="miriam-okafor", available_for_comment=True)


def post(client, capture, data, **extra):
    with capture(execute=True):
        return client.post(FORM, data, **extra)


def test_a_request_is_saved_and_the_press_office_gets_an_email_over_smtp(
    client, expert, smtp_server, django_capture_on_commit_callbacks
):
    response = post(client, django_capture_on_commit_callbacks, GOOD)

    assert response.status_code == 302
    assert response["Location"] == "/experts/request/miriam-okafor/sent/"
    saved = InterviewRequest.objects.get()
    assert (saved.expert, saved.expert_name, saved.email, saved.handled) == (
        expert,
        "Miriam Okafor",
        "jo@ledger.example",
        False,
    )
    assert smtp_server.recipients() == {"press@institute.example": 1}
    message = smtp_server.message_to("press@institute.example")
    assert "Miriam Okafor" in message["Subject"] and "Jo Reporter" in message["Subject"]
    assert message["Reply-To"] == "jo@ledger.example"
    text = message.get_content()
    assert "The Daily Ledger" in text and "Thursday 4 pm" in text and "evening bulletin" in text
    assert f"/admin/interview-requests/inspect/{saved.pk}/" in text
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Request sent" in thanks.content.decode()


def test_bad_input_keeps_what_was_typed_with_one_message_per_problem(
    client, expert, django_capture_on_commit_callbacks
):
    response = post(client, django_capture_on_commit_callbacks, {**GOOD, "email": "jo@", "message": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Enter your email address in the form name@example.com.") == 2  # summary and field
    assert "Say briefly what the interview is about." in page
    assert 'value="jo@"' in page and 'value="The Daily Ledger"' in page and 'value="Thursday 4 pm"' in page
    assert 'aria-invalid="true"' in page
    assert not InterviewRequest.objects.exists()


@pytest.mark.parametrize("slug", ["nobody", "quiet-person", "x" * 3000])
def test_only_people_available_for_comment_can_be_asked_for(client, expert, slug):
    PersonFactory(name="Quiet Person", slug="quiet-person", available_for_comment=False)

    assert client.get(f"/experts/request/{slug}/").status_code == 404
    assert client.post(f"/experts/request/{slug}/", GOOD).status_code == 404
    assert not InterviewRequest.objects.exists()


def test_the_form_needs_its_csrf_token(expert):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(FORM, GOOD)

    assert response.status_code == 403
    assert not InterviewRequest.objects.exists()


def test_a_sixth_request_in_an_hour_from_one_address_is_refused_and_kept(
    client, expert, django_capture_on_commit_callbacks
):
    for _ in range(requests.REQUESTS_PER_CLIENT):
        assert post(client, django_capture_on_commit_callbacks, GOOD).status_code == 302

    refused = post(client, django_capture_on_commit_callbacks, {**GOOD, "name": "Sixth Try"})
    other = post(client, django_capture_on_commit_callbacks, GOOD, REMOTE_ADDR="198.51.100.9")

    assert refused.status_code == 429
    assert "too many interview requests" in refused.content.decode()
    assert 'value="Sixth Try"' in refused.content.decode()
    assert other.status_code == 302
    assert InterviewRequest.objects.count() == requests.REQUESTS_PER_CLIENT + 1


def test_the_rate_limit_keys_hold_no_address(expert):
    from django.core.cache import cache
    from django.utils import timezone

    requests.check_rate(client="198.51.100.7", at=timezone.now())

    keys = list(cache._cache.keys())
    assert keys and not [key for key in keys if "198.51" in key]


def test_with_the_shared_cache_down_requests_wait_and_keep_what_was_typed(client, expert, monkeypatch):
    from presscentre.pagecache.cache_backend import CacheUnavailable

    def unreachable(*args, **kwargs):
        raise CacheUnavailable("Redis is unreachable")

    monkeypatch.setattr(requests, "_count", unreachable)

    response = client.post(FORM, GOOD)

    assert response.status_code == 503
    assert "paused" in response.content.decode() and 'value="Jo Reporter"' in response.content.decode()
    assert not InterviewRequest.objects.exists()


def test_an_email_the_mail_server_refuses_is_tried_again_later(settings, expert):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django.utils import timezone
    from django_tasks import default_task_backend

    default_task_backend.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    saved = requests.take_request(expert, GOOD, at=timezone.now())
    default_task_backend.clear()

    assert requests.deliver(saved.pk, attempt=1, at=timezone.now()) == "retrying"
    (queued,) = default_task_backend.results
    assert queued.args == [saved.pk, 2]
    assert requests.deliver(saved.pk, attempt=len(requests.RETRY_DELAYS) + 1, at=timezone.now()) == "failed"
    assert InterviewRequest.objects.filter(pk=saved.pk).exists()


def test_the_cached_directory_and_the_uncached_form_keep_personal_details_out_of_the_cache(
    page_cache, expert, django_capture_on_commit_callbacks
):
    first = page_cache.get("/experts/")
    form = page_cache.get(FORM)
    with django_capture_on_commit_callbacks(execute=True):
        sent = page_cache.post(FORM, urlencode(GOOD).encode())  # no CSRF cookie: refused, nothing stored
    again = page_cache.get("/experts/")

    assert first.status_code == 200 and again.cache_state == "hit"
    assert form.status_code == 200 and form.cache_state is None
    assert "no-store" in form["Cache-Control"] and "csrfmiddlewaretoken" in form.content.decode()
    assert sent.status_code == 403
    for page in (first, again):
        text = page.content.decode()
        assert "csrfmiddlewaretoken" not in text and "jo@ledger.example" not in text and "Jo Reporter" not in text


@pytest.fixture
def press_officer(db, django_user_model, client):
    user = django_user_model.objects.create_user("press-officer", "officer@example.org", "officer-password")
    user.groups.add(Group.objects.get(name="Press officers"))
    client.force_login(user)
    return user


def test_press_officers_see_the_inbox_inspect_a_request_and_mark_it_handled(client, expert, press_officer):
    from django.utils import timezone

    saved = requests.take_request(expert, GOOD, at=timezone.now())

    listing = client.get("/admin/interview-requests/")
    inspect = client.get(f"/admin/interview-requests/inspect/{saved.pk}/")
    marked = client.post(f"/admin/interview-requests/edit/{saved.pk}/", {"handled": "on"})

    assert listing.status_code == 200 and "Jo Reporter" in listing.content.decode()
    assert inspect.status_code == 200 and "evening bulletin" in inspect.content.decode()
    assert marked.status_code == 302
    saved.refresh_from_db()
    assert saved.handled and saved.handled_at is not None
    assert client.get("/admin/interview-requests/new/").status_code in (302, 403, 404)


def test_authors_do_not_see_the_inbox(client, expert, django_user_model):
    user = django_user_model.objects.create_user("author", "author@example.org", "author-password")
    user.groups.add(Group.objects.get(name="Authors"))
    client.force_login(user)

    assert client.get("/admin/interview-requests/").status_code in (302, 403)
