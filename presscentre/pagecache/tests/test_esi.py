"""The comment challenge on cached item pages: every reader gets their own ticket, hit or miss."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import answer_to
from presscentre.newsroom.tests.factories import ArticleFactory
from presscentre.pagecache import services

ESI = 'varnish="ESI/1.0"'


@pytest.fixture
def item(newsroom):
    return ArticleFactory(parent=newsroom, title="Open for comments", slug="open", comments_open=True)


def form_of(response):
    return BeautifulSoup(response.content, "html.parser").select_one("form.comment-form")


def ticket_of(response) -> str:
    return form_of(response).select_one("[name=ticket]")["value"]


def test_each_serve_of_a_cached_page_carries_a_new_ticket(wsgi, item):
    miss, hit, again = wsgi.get(item.url), wsgi.get(item.url), wsgi.get(item.url)

    assert (miss.cache_state, hit.cache_state, again.cache_state) == ("miss", "hit", "hit")
    assert len({ticket_of(miss), ticket_of(hit), ticket_of(again)}) == 3
    assert b"<esi:include" not in hit.content
    assert form_of(hit).select_one("altcha-widget")["challengejson"]


def test_the_shared_copy_holds_the_include_not_a_ticket(wsgi, item):
    wsgi.get(item.url)

    body = cache.get(services.entry_key("http", "testserver", item.url, "")).body

    assert f'<esi:include src="/comments/challenge/{item.pk}/" />'.encode() in body
    assert b'name="ticket"' not in body


def test_filling_in_the_challenge_on_a_hit_needs_no_database(wsgi, item):
    wsgi.get(item.url)

    with CaptureQueriesContext(connection) as queries:
        hit = wsgi.get(item.url)

    assert hit.cache_state == "hit" and ticket_of(hit)
    assert len(queries) == 0


def test_a_page_holding_one_readers_ticket_is_private_to_shared_caches(wsgi, item):
    response = wsgi.get(item.url)

    assert response["Cache-Control"] == "private, max-age=60"
    assert "Surrogate-Control" not in response


@pytest.mark.parametrize("state", ["miss", "hit"])
def test_a_surrogate_that_does_esi_gets_the_include_and_fills_it_in_itself(wsgi, item, state):
    if state == "hit":
        wsgi.get(item.url)

    response = wsgi.get(item.url, HTTP_SURROGATE_CAPABILITY=ESI)

    assert response.cache_state == state
    assert f'<esi:include src="/comments/challenge/{item.pk}/" />'.encode() in response.content
    assert response["Surrogate-Control"] == 'content="ESI/1.0"'
    assert response["Cache-Control"].startswith("public")


def test_the_fragment_the_surrogate_fetches_is_fresh_and_private(wsgi, item):
    first = wsgi.get(f"/comments/challenge/{item.pk}/", HTTP_SURROGATE_CAPABILITY=ESI)
    second = wsgi.get(f"/comments/challenge/{item.pk}/", HTTP_SURROGATE_CAPABILITY=ESI)

    fragment = BeautifulSoup(first.content, "html.parser")
    assert first.status_code == 200 and first.cache_state is None
    assert first["Cache-Control"] == "private, no-store"
    assert fragment.select_one("fieldset.comment-challenge [name=ticket]")["value"] != ticket_of_fragment(second)
    assert (
        fragment.select_one("altcha-widget")["strings"]
        == '{"expired": "Time limit is exhausted. Please reload CAPTCHA."}'
    )


def ticket_of_fragment(response) -> str:
    return BeautifulSoup(response.content, "html.parser").select_one("[name=ticket]")["value"]


def test_a_ticket_from_a_cached_page_can_be_used_once_without_javascript(wsgi, item, client, time_machine):
    time_machine.move_to("2030-05-01 09:00:00+00:00", tick=False)
    wsgi.get(item.url)
    form = form_of(wsgi.get(item.url))
    values = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    question = form.select_one(".comment-question label").contents[0].strip()
    values.update(name="Ada", email="ada@example.net", body="Cached, yet mine.", answer=answer_to(question))

    time_machine.move_to("2030-05-01 09:00:30+00:00", tick=False)
    sent = client.post(f"/comments/post/{item.pk}/", values)
    replayed = client.post(f"/comments/post/{item.pk}/", values)

    assert sent.status_code == 302
    assert replayed.status_code == 400
    assert Comment.objects.count() == 1


def test_a_revalidating_browser_keeps_its_copy_only_while_its_ticket_has_time_left(wsgi, item, time_machine, settings):
    settings.PRESSCENTRE_COMMENT_CHALLENGE_MINUTES = 20
    time_machine.move_to("2030-05-01 09:00:00+00:00", tick=False)
    first = wsgi.get(item.url)

    time_machine.move_to("2030-05-01 09:05:00+00:00", tick=False)
    soon = wsgi.get(item.url, HTTP_IF_NONE_MATCH=first["ETag"])
    time_machine.move_to("2030-05-01 09:00:00+00:00", tick=False)
    time_machine.shift(timedelta(minutes=11))
    later = wsgi.get(item.url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["ETag"].startswith('W/"')
    assert soon.status_code == 304
    assert later.status_code == 200 and ticket_of(later)


def test_a_reader_with_a_held_comment_gets_their_own_page_with_the_challenge_filled_in(wsgi, item):
    response = wsgi.get(item.url, cookies="presscentre_comments=1:bad")

    assert response.cache_state is None
    assert ticket_of(response)
    assert b"<esi:include" not in response.content


def test_a_page_the_app_fills_in_declares_its_real_length(wsgi, item):
    response = wsgi.get(item.url, cookies="presscentre_comments=1:bad")

    assert int(response["Content-Length"]) == len(response.content)
