from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory, answer_to, comment_settings, solve_proof_of_work
from presscentre.comments.views import PENDING_COOKIE
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory

OPENED = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
TYPED = {"name": "Ada Reader", "email": "ada@example.net", "url": "https://ada.example", "body": "A fair point."}


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 1000
    cache.clear()


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom, title="Open item", published_at=OPENED - timedelta(days=1))


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def form_of(response):
    return soup_of(response).select_one("form.comment-form")


def fields_of(form) -> dict:
    """What a browser would send: every named input and textarea with its current value."""
    values = {}
    for element in form.select("input[name], textarea[name]"):
        values[element["name"]] = typed_text(element) if element.name == "textarea" else element.get("value", "")
    return values


def typed_text(textarea) -> str:
    # HTML drops a newline straight after <textarea>, as Django writes it; BeautifulSoup keeps it.
    return textarea.get_text().removeprefix("\n")


def question_of(form) -> str:
    return form.select_one(".comment-question label").contents[0].strip()


def open_form(reader, item, time_machine, *, at=OPENED, path=None) -> dict:
    """Load the item page at `at` and fill in its form as a reader without JavaScript would."""
    time_machine.move_to(at, tick=False)
    form = form_of(reader.get(path or item.url))
    values = fields_of(form)
    values.update(TYPED)
    values["answer"] = answer_to(question_of(form))
    return values


def send(reader, item, values, time_machine, *, at=OPENED + timedelta(seconds=30)):
    time_machine.move_to(at, tick=False)
    return reader.post(form_action(item), values)


def form_action(item) -> str:
    return f"/comments/post/{item.pk}/"


def text_of(response) -> str:
    return " ".join(soup_of(response).get_text(" ").split())


# The form


def test_open_item_shows_the_reply_form_with_labelled_fields(article, reader):
    form = form_of(reader.get(article.url))

    # The fragment brings a reader whose post comes back with errors straight to the form.
    assert form["action"] == f"/comments/post/{article.pk}/#respond"
    assert form["method"] == "post"
    for name, label in [("name", "Name *"), ("email", "Email *"), ("url", "Website"), ("body", "Comment *")]:
        field = form.select_one(f"[name={name}]")
        assert " ".join(form.select_one(f"label[for={field['id']}]").get_text().split()) == label
        assert field.has_attr("required") == label.endswith("*")
    notes = " ".join(form.select_one(".comment-notes").get_text().split())
    assert notes == "Your email address will not be published. Required fields are marked *"
    assert "Leave a Reply" in soup_of(reader.get(article.url)).select_one("#respond h2").get_text()


def test_honeypot_is_hidden_from_people_screen_readers_and_the_keyboard(article, reader):
    form = form_of(reader.get(article.url))

    trap = form.select_one("[name=contact_reference]")
    assert trap["tabindex"] == "-1"
    assert trap["autocomplete"] == "off"
    assert trap.find_parent("div")["aria-hidden"] == "true"


def test_challenge_widget_comes_from_our_own_static_files(article, reader):
    soup = soup_of(reader.get(article.url))

    sources = [script["src"] for script in soup.select("script[src]")]
    assert "/static/altcha/altcha.min.js" in sources
    assert all(source.startswith("/static/") for source in sources)
    assert soup.select_one("altcha-widget")["challengejson"]


def test_reader_without_javascript_posts_by_answering_the_question(article, reader, time_machine):
    comment_settings(hold_first_time_authors=False)
    values = open_form(reader, article, time_machine)

    response = send(reader, article, values, time_machine)

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.url}#comment-{comment.pk}"
    assert (comment.author_name, comment.author_email, comment.author_url) == (
        "Ada Reader",
        "ada@example.net",
        "https://ada.example",
    )
    assert comment.status == Comment.Status.APPROVED
    assert comment.ip_address == "127.0.0.1"


def test_reader_with_javascript_posts_with_the_solved_proof_of_work(article, reader, time_machine):
    time_machine.move_to(OPENED, tick=False)
    form = form_of(reader.get(article.url))
    values = {**fields_of(form), **TYPED, "answer": ""}
    values["altcha"] = solve_proof_of_work(form.select_one("altcha-widget")["challengejson"])

    response = send(reader, article, values, time_machine)

    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_approved_comments_are_shown_with_a_count_heading(article, reader):
    CommentFactory(item=article, status=Comment.Status.APPROVED, author_name="First", body="One.")
    assert soup_of(reader.get(article.url)).select_one(".comments-title").get_text() == "1 Comment"

    CommentFactory(item=article, status=Comment.Status.APPROVED, author_name="Second", body="Two.")
    CommentFactory(item=article, status=Comment.Status.PENDING, body="Not yet.")
    soup = soup_of(reader.get(article.url))

    assert soup.select_one(".comments-title").get_text() == "2 Comments"
    assert [li.select_one(".comment-author").get_text(" ", strip=True) for li in soup.select("li.comment")] == [
        "First says:",
        "Second says:",
    ]
    assert "Not yet." not in text_of(reader.get(article.url))


def test_commenter_name_links_to_their_website_for_nobody_to_follow(article, reader):
    CommentFactory(item=article, status=Comment.Status.APPROVED, author_name="Ada", author_url="https://ada.example/")

    link = soup_of(reader.get(article.url)).select_one(".comment-author a")

    assert link["href"] == "https://ada.example/"
    assert link["rel"] == ["nofollow", "ugc", "noopener"]


def test_comment_shows_its_date_in_the_site_time_zone(article, reader):
    CommentFactory(item=article, status=Comment.Status.APPROVED, created_at=datetime(2030, 6, 30, 23, 30, tzinfo=UTC))

    time = soup_of(reader.get(article.url)).select_one(".comment-date time")

    assert time.get_text() == "1st July 2030 at 00:30"


# Pending comments: for their author's eyes only


def test_held_comment_is_shown_to_its_author_only_and_kept_out_of_shared_caches(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    values["body"] = "My held thought."
    response = send(reader, article, values, time_machine)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response["Location"] == f"{article.url}#comment-{comment.pk}"
    cookie = response.cookies[PENDING_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"

    mine = reader.get(article.url)
    # As a shared cache asks for it: with the challenge left as an include for the cache to fill in per reader.
    someone_else = Client().get(article.url, HTTP_SURROGATE_CAPABILITY='varnish="ESI/1.0"')

    entry = soup_of(mine).select_one(f"#comment-{comment.pk}")
    assert entry.select_one(".comment-awaiting-moderation").get_text() == "Your comment is awaiting moderation."
    assert "My held thought." in entry.get_text()
    assert "private" in mine["Cache-Control"]
    assert "My held thought." not in text_of(someone_else)
    assert "private" not in someone_else.get("Cache-Control", "")
    assert "public" in someone_else["Cache-Control"]


def test_pending_cookie_cannot_be_forged_to_see_other_held_comments(article, reader):
    held = CommentFactory(item=article, body="Someone else's held comment.")
    reader.cookies[PENDING_COOKIE] = str(held.pk)

    assert "Someone else's held comment." not in text_of(reader.get(article.url))


def test_author_no_longer_sees_a_comment_once_it_goes_to_spam(article, reader, time_machine):
    send(reader, article, open_form(reader, article, time_machine), time_machine)
    Comment.objects.update(status=Comment.Status.SPAM)

    response = reader.get(article.url)

    assert "A fair point." not in text_of(response)
    assert "private" not in response.get("Cache-Control", "")


def test_spam_is_not_acknowledged(article, reader, time_machine):
    comment_settings(disallowed_words="fair point")

    response = send(reader, article, open_form(reader, article, time_machine), time_machine)

    assert response["Location"] == f"{article.url}#respond"
    assert PENDING_COOKIE not in response.cookies
    assert Comment.objects.get().status == Comment.Status.SPAM


# Bad input comes back with everything typed


def test_bad_input_comes_back_with_errors_tied_to_fields_and_the_text_kept(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    values["email"] = "not an address"

    response = send(reader, article, values, time_machine)

    assert response.status_code == 400
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    form = form_of(response)
    email = form.select_one("[name=email]")
    assert email["aria-invalid"] == "true"
    assert form.select_one(f"#{email['aria-describedby']}").get_text(strip=True) == "Enter a valid email address."
    assert typed_text(form.select_one("[name=body]")) == "A fair point."
    assert form.select_one("[name=name]")["value"] == "Ada Reader"
    assert not Comment.objects.exists()


def test_expired_challenge_keeps_the_text_and_says_time_is_up_next_to_a_reload(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    values["body"] = "A long comment I spent half an hour on."

    response = send(reader, article, values, time_machine, at=OPENED + timedelta(minutes=21))

    assert response.status_code == 400
    form = form_of(response)
    status = form.select_one(".comment-challenge-status")
    assert "Time limit is exhausted. Please reload CAPTCHA." in status.get_text()
    assert status.select_one("button[name=reload_challenge]").get_text() == "Reload CAPTCHA"
    assert typed_text(form.select_one("[name=body]")) == "A long comment I spent half an hour on."
    assert form.select_one("[name=ticket]")["value"] != values["ticket"]
    assert not Comment.objects.exists()


def test_expired_form_can_be_sent_again_with_its_fresh_challenge(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    late = OPENED + timedelta(minutes=21)
    form = form_of(send(reader, article, values, time_machine, at=late))
    again = {**fields_of(form), "answer": answer_to(question_of(form))}

    response = send(reader, article, again, time_machine, at=late + timedelta(seconds=10))

    assert response.status_code == 302
    assert Comment.objects.get().body == "A fair point."


def test_reload_control_brings_the_form_back_filled_in_with_a_new_challenge(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    values.update({"reload_challenge": "1", "answer": ""})

    response = send(reader, article, values, time_machine, at=OPENED + timedelta(minutes=30))

    assert response.status_code == 200
    form = form_of(response)
    assert typed_text(form.select_one("[name=body]")) == "A fair point."
    assert form.select_one("[name=email]")["value"] == "ada@example.net"
    assert form.select_one("[name=ticket]")["value"] != values["ticket"]
    assert not form.select(".errorlist")
    assert not Comment.objects.exists()


def test_form_enter_key_posts_rather_than_reloads(article, reader):
    form = form_of(reader.get(article.url))

    first_button = form.select_one("button")

    assert first_button.get("name") != "reload_challenge"
    assert first_button.get_text() == "Post Comment"


def test_replayed_post_is_refused(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    assert send(reader, article, values, time_machine).status_code == 302

    response = send(reader, article, values, time_machine, at=OPENED + timedelta(seconds=40))

    assert response.status_code == 400
    assert "already been sent" in text_of(response)
    assert Comment.objects.count() == 1


def test_forged_ticket_is_refused(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    values["ticket"] = values["ticket"][:-3] + "abc"

    response = send(reader, article, values, time_machine)

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_wrong_answer_is_refused_with_a_new_question(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    values["answer"] = "99"

    response = send(reader, article, values, time_machine)

    assert response.status_code == 400
    assert "That answer is not right" in form_of(response).select_one("#comment-answer_error").get_text()


def test_filled_honeypot_is_refused(article, reader, time_machine):
    values = open_form(reader, article, time_machine)
    values["contact_reference"] = "robot"

    assert send(reader, article, values, time_machine).status_code == 400
    assert not Comment.objects.exists()


def test_form_sent_too_fast_is_refused(article, reader, time_machine, settings):
    settings.PRESSCENTRE_COMMENT_MIN_FILL_SECONDS = 3
    values = open_form(reader, article, time_machine)

    response = send(reader, article, values, time_machine, at=OPENED + timedelta(seconds=1))

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_too_many_comments_from_one_address_are_refused_with_the_text_kept(article, reader, time_machine, settings):
    settings.PRESSCENTRE_COMMENT_RATE_LIMIT = 1
    send(reader, article, open_form(reader, article, time_machine), time_machine)
    values = open_form(reader, article, time_machine, at=OPENED + timedelta(minutes=1))
    values["body"] = "Second thoughts."

    response = send(reader, article, values, time_machine, at=OPENED + timedelta(minutes=1, seconds=30))

    assert response.status_code == 429
    assert typed_text(form_of(response).select_one("[name=body]")) == "Second thoughts."
    assert Comment.objects.count() == 1


def test_reply_to_a_comment_that_cannot_take_one_says_so(article, reader, time_machine):
    held = CommentFactory(item=article)
    values = open_form(reader, article, time_machine)
    values["parent"] = str(held.pk)

    response = send(reader, article, values, time_machine)

    assert response.status_code == 400
    assert "That comment cannot take replies." in form_of(response).select_one("[role=alert]").get_text()


def test_posting_needs_post(article, reader):
    assert reader.get(f"/comments/post/{article.pk}/").status_code == 405


# Replies


def test_reply_link_prefills_the_parent_without_javascript(article, reader, time_machine):
    parent = CommentFactory(item=article, status=Comment.Status.APPROVED, author_name="Grace")
    soup = soup_of(reader.get(article.url))
    link = soup.select_one(f"#comment-{parent.pk} .comment-reply-link")
    assert link["href"] == f"?replytocom={parent.pk}#respond"

    values = open_form(reader, article, time_machine, path=f"{article.url}?replytocom={parent.pk}")
    response = reader.get(f"{article.url}?replytocom={parent.pk}")

    assert values["parent"] == str(parent.pk)
    assert soup_of(response).select_one("#reply-title").get_text() == "Leave a Reply to Grace"
    send(reader, article, values, time_machine)
    assert Comment.objects.get(author_name="Ada Reader").parent == parent


def test_replies_are_nested_under_their_parent(article, reader):
    parent = CommentFactory(item=article, status=Comment.Status.APPROVED)
    reply = CommentFactory(item=article, status=Comment.Status.APPROVED, parent=parent)

    soup = soup_of(reader.get(article.url))

    nested = soup.select_one(f"#comment-{parent.pk} > ol.children > li")
    assert nested["id"] == f"comment-{reply.pk}"
    assert "depth-2" in nested["class"]


def test_no_reply_link_at_the_thread_depth(article, reader):
    comment_settings(thread_depth=2)
    top = CommentFactory(item=article, status=Comment.Status.APPROVED)
    reply = CommentFactory(item=article, status=Comment.Status.APPROVED, parent=top)

    soup = soup_of(reader.get(article.url))

    assert soup.select_one(f"#comment-{top.pk} > article .comment-reply-link")
    assert not soup.select_one(f"#comment-{reply.pk} .comment-reply-link")
    assert soup_of(reader.get(f"{article.url}?replytocom={reply.pk}")).select_one("[name=parent]").get("value") in (
        None,
        "",
    )


# Closed, auto-closed and invisible items


def test_closed_item_shows_no_form_and_refuses_posts(newsroom, reader, time_machine):
    release = PressReleaseFactory(parent=newsroom, title="Closed item", comments_open=False)
    CommentFactory(item=release, status=Comment.Status.APPROVED, body="From when it was open.")
    open_article = ArticleFactory(parent=newsroom)
    values = open_form(reader, open_article, time_machine)

    page = reader.get(release.url)
    response = send(reader, release, values, time_machine)

    assert form_of(page) is None
    assert "Comments Off on Closed item" in text_of(page)
    assert "From when it was open." in text_of(page)
    assert response.status_code == 403
    assert not Comment.objects.filter(item=release, body="A fair point.").exists()


def test_comments_close_automatically_after_the_set_number_of_days(newsroom, reader, time_machine):
    comment_settings(close_after_days=14)
    article = ArticleFactory(parent=newsroom, title="Ageing", published_at=OPENED)
    values = open_form(reader, article, time_machine, at=OPENED + timedelta(days=14) - timedelta(minutes=1))

    response = send(reader, article, values, time_machine, at=OPENED + timedelta(days=14, seconds=1))
    page = reader.get(article.url)

    assert response.status_code == 403
    assert form_of(page) is None
    assert "Comments Off on Ageing" in text_of(page)


def test_embargoed_item_takes_no_comments_from_the_public(newsroom, reader, time_machine):
    lift = OPENED + timedelta(hours=1)
    release = PressReleaseFactory(parent=newsroom, comments_open=True, embargo_until=lift)
    values = open_form(reader, ArticleFactory(parent=newsroom), time_machine)

    response = send(reader, release, values, time_machine)

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_unpublished_or_unknown_items_take_no_comments(newsroom, reader, time_machine):
    draft = ArticleFactory(parent=newsroom, live=False)
    values = open_form(reader, ArticleFactory(parent=newsroom), time_machine)

    assert send(reader, draft, values, time_machine).status_code == 404
    assert reader.post("/comments/post/999999/", values).status_code == 404


# Listing


def entry_status(reader, title):
    for entry in soup_of(reader.get("/")).select("article.entry"):
        if entry.select_one(".entry-title a").get_text() == title:
            return entry.select_one(".entry-comments")
    raise AssertionError(title)


def test_listing_counts_approved_comments_and_links_to_them(newsroom, reader):
    one = ArticleFactory(parent=newsroom, title="One")
    three = ArticleFactory(parent=newsroom, title="Three")
    none = ArticleFactory(parent=newsroom, title="None yet")
    CommentFactory(item=one, status=Comment.Status.APPROVED)
    CommentFactory.create_batch(3, item=three, status=Comment.Status.APPROVED)
    CommentFactory(item=none, status=Comment.Status.PENDING)

    assert entry_status(reader, "One").get_text() == "1 Comment on One"
    assert entry_status(reader, "One").a["href"] == f"{one.url}#comments"
    assert entry_status(reader, "Three").get_text() == "3 Comments on Three"
    assert entry_status(reader, "None yet").get_text() == "Leave a comment on None yet"
    assert entry_status(reader, "None yet").a["href"] == f"{none.url}#respond"


def test_listing_says_comments_off_for_closed_items_even_with_comments(newsroom, reader):
    closed = PressReleaseFactory(parent=newsroom, title="Closed", comments_open=False)
    CommentFactory(item=closed, status=Comment.Status.APPROVED)

    assert entry_status(reader, "Closed").get_text() == "Comments Off on Closed"


def test_listing_says_comments_off_once_comments_close_by_age(newsroom, reader):
    comment_settings(close_after_days=14)
    ArticleFactory(parent=newsroom, title="Old", published_at=datetime(2020, 1, 1, tzinfo=UTC))

    assert entry_status(reader, "Old").get_text() == "Comments Off on Old"


def test_listing_count_costs_one_query_whatever_the_number_of_comments(newsroom, reader):
    items = [ArticleFactory(parent=newsroom) for _ in range(4)]
    reader.get("/")
    with CaptureQueriesContext(connection) as before:
        reader.get("/")
    for item in items:
        CommentFactory.create_batch(2, item=item, status=Comment.Status.APPROVED)
    with CaptureQueriesContext(connection) as after:
        reader.get("/")

    assert len(after) == len(before)
    assert sum('FROM "comments_comment"' in query["sql"] for query in after.captured_queries) == 1
