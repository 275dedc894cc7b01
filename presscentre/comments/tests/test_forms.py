from datetime import UTC, datetime, timedelta

import pytest
from django.core import signing
from django.core.cache import cache

from presscentre.comments.challenge import TICKET_SALT, issue_challenge, parse_answer
from presscentre.comments.forms import CommentForm
from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import (
    CommentFactory,
    answer_to,
    comment_settings,
    filled_form,
    solve_proof_of_work,
)
from presscentre.newsroom.tests.factories import ArticleFactory

ISSUED = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
LATER = ISSUED + timedelta(minutes=2)


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    settings.PRESSCENTRE_COMMENT_ALTCHA_MAX_NUMBER = 1000
    cache.clear()


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom)


def bound(article, data, *, at=LATER) -> CommentForm:
    return CommentForm(data, item=article, at=at, comment_settings=comment_settings())


def challenge_codes(form) -> list[str]:
    return [error.code for error in form.errors.as_data().get("answer", [])]


def test_correct_answer_to_the_question_passes(article):
    form = bound(article, filled_form(article, at=ISSUED))

    assert form.is_valid(), form.errors


@pytest.mark.parametrize(("typed", "number"), [("7", 7), (" Seven ", 7), ("twenty", 20), ("0", 0), ("7.0", None)])
def test_answers_may_be_digits_or_words(typed, number):
    assert parse_answer(typed) == number


def test_wrong_answer_is_refused(article):
    data = filled_form(article, at=ISSUED)
    data["answer"] = str(int(data["answer"]) + 1)

    form = bound(article, data)

    assert not form.is_valid()
    assert challenge_codes(form) == ["wrong"]


def test_missing_answer_is_refused(article):
    form = bound(article, filled_form(article, at=ISSUED, answer=""))

    assert challenge_codes(form) == ["missing"]


def test_solved_proof_of_work_passes_without_an_answer(article):
    challenge = issue_challenge(article.pk, at=ISSUED)
    data = filled_form(article, at=ISSUED, ticket=challenge.ticket, answer="")
    data["altcha"] = solve_proof_of_work(challenge.altcha_json)

    assert bound(article, data).is_valid()


def test_proof_of_work_from_another_form_is_refused(article):
    mine, other = issue_challenge(article.pk, at=ISSUED), issue_challenge(article.pk, at=ISSUED)
    data = filled_form(article, at=ISSUED, ticket=mine.ticket, answer="")
    data["altcha"] = solve_proof_of_work(other.altcha_json)

    assert challenge_codes(bound(article, data)) == ["forged"]


def test_challenge_is_accepted_until_its_time_limit_and_expired_after(article, settings):
    settings.PRESSCENTRE_COMMENT_CHALLENGE_MINUTES = 20
    limit = ISSUED + timedelta(minutes=20)

    assert bound(article, filled_form(article, at=ISSUED), at=limit).is_valid()
    expired = bound(article, filled_form(article, at=ISSUED), at=limit + timedelta(seconds=1))
    assert challenge_codes(expired) == ["expired"]
    assert expired.challenge_expired
    assert expired.errors["answer"] == ["Time limit is exhausted. Please reload CAPTCHA."]


def test_expired_message_comes_from_the_site_settings(article):
    comment_settings(expired_message="Too slow! Get a new question.")

    form = bound(article, filled_form(article, at=ISSUED), at=ISSUED + timedelta(hours=1))

    assert form.errors["answer"] == ["Too slow! Get a new question."]


def test_expired_form_keeps_what_was_typed_with_a_fresh_challenge(article):
    data = filled_form(article, at=ISSUED, name="Grace", body="My long and careful comment.")
    form = bound(article, data, at=ISSUED + timedelta(hours=1))
    form.is_valid()

    form.with_fresh_challenge()

    assert form["name"].value() == "Grace"
    assert form["body"].value() == "My long and careful comment."
    assert form["ticket"].value() == form.challenge.ticket != data["ticket"]
    assert form["answer"].value() == ""


def test_challenge_can_be_used_once_only(article):
    data = filled_form(article, at=ISSUED)

    assert bound(article, data).is_valid()
    replayed = bound(article, data)
    assert not replayed.is_valid()
    assert challenge_codes(replayed) == ["replayed"]


def test_wrong_answer_uses_up_the_challenge_so_answers_cannot_be_guessed(article):
    data = filled_form(article, at=ISSUED)
    right = data["answer"]
    data["answer"] = str(int(right) + 1)
    assert challenge_codes(bound(article, data)) == ["wrong"]

    data["answer"] = right
    assert challenge_codes(bound(article, data)) == ["replayed"]


@pytest.mark.parametrize(
    "ticket",
    ["", "not-a-ticket", "eyJuIjoiYWJjIn0:1abc:forgedsignature"],
    ids=["missing", "garbage", "bad-signature"],
)
def test_forged_tickets_are_refused(article, ticket):
    form = bound(article, filled_form(article, at=ISSUED, ticket=ticket))

    assert challenge_codes(form) == ["forged"]


def test_ticket_signed_with_another_key_is_refused(article):
    ticket = signing.dumps({"n": "x", "i": article.pk, "t": int(ISSUED.timestamp()), "h": "0"}, key="guess")

    assert challenge_codes(bound(article, filled_form(article, at=ISSUED, ticket=ticket))) == ["forged"]


def test_ticket_for_another_item_is_refused(article, newsroom):
    other = ArticleFactory(parent=newsroom)
    challenge = issue_challenge(other.pk, at=ISSUED)
    data = filled_form(article, at=ISSUED, ticket=challenge.ticket, answer=answer_to(challenge.question))

    assert challenge_codes(bound(article, data)) == ["forged"]


def test_ticket_does_not_reveal_its_answer(article):
    challenge = issue_challenge(article.pk, at=ISSUED)

    claims = signing.loads(challenge.ticket, salt=TICKET_SALT)

    assert answer_to(challenge.question) not in claims.values()
    assert set(claims) == {"n", "i", "t", "h"}


def test_form_sent_faster_than_the_minimum_fill_time_is_refused(article, settings):
    settings.PRESSCENTRE_COMMENT_MIN_FILL_SECONDS = 3

    too_fast = bound(article, filled_form(article, at=ISSUED), at=ISSUED + timedelta(seconds=2))
    in_time = bound(article, filled_form(article, at=ISSUED), at=ISSUED + timedelta(seconds=3))

    assert challenge_codes(too_fast) == ["too_fast"]
    assert in_time.is_valid()


def test_filled_honeypot_is_refused(article):
    form = bound(article, filled_form(article, at=ISSUED, contact_reference="http://spam.example"))

    assert not form.is_valid()
    assert [error.code for error in form.non_field_errors().as_data()] == ["honeypot"]


@pytest.mark.parametrize("field", ["name", "email", "body"])
def test_name_email_and_comment_are_required(article, field):
    form = bound(article, filled_form(article, at=ISSUED, **{field: ""}))

    assert form.errors[field] == ["This field is required."]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x.org"])
def test_website_must_be_a_web_address(article, url):
    assert "url" in bound(article, filled_form(article, at=ISSUED, url=url)).errors


def test_reply_must_be_to_an_approved_comment_on_the_same_item(article, newsroom):
    approved = CommentFactory(item=article, status=Comment.Status.APPROVED)
    pending = CommentFactory(item=article)
    elsewhere = CommentFactory(item=ArticleFactory(parent=newsroom), status=Comment.Status.APPROVED)

    assert bound(article, filled_form(article, at=ISSUED, parent=approved.pk)).is_valid()
    for parent in (pending, elsewhere):
        assert "parent" in bound(article, filled_form(article, at=ISSUED, parent=parent.pk)).errors


def test_replies_stop_at_the_thread_depth(article):
    comment_settings(thread_depth=2)
    top = CommentFactory(item=article, status=Comment.Status.APPROVED)
    reply = CommentFactory(item=article, parent=top, status=Comment.Status.APPROVED)

    assert bound(article, filled_form(article, at=ISSUED, parent=top.pk)).is_valid()
    assert "parent" in bound(article, filled_form(article, at=ISSUED, parent=reply.pk)).errors


def test_field_errors_are_tied_to_their_fields(article):
    form = bound(article, filled_form(article, at=ISSUED, email="not-an-email"))
    form.is_valid()

    html = str(form["email"])

    assert 'aria-describedby="comment-email_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="comment-email_error"' in str(form["email"].errors)
