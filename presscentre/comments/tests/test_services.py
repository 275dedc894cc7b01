from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.cache import cache

from presscentre.comments.models import Comment
from presscentre.comments.services import (
    AkismetChecker,
    CommentsClosed,
    RateLimited,
    accepts_comments,
    approved_comment_counts,
    comment_body_html,
    comment_thread,
    configured_spam_checker,
    count_links,
    latest_public_comments,
    post_comment,
    safe_website,
)
from presscentre.comments.tests.factories import CommentFactory, comment_settings
from presscentre.core.urls_public import public_page_url
from presscentre.newsroom.tests.factories import ArticleFactory, PressReleaseFactory

AT = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
APPROVED = Comment.Status.APPROVED
PENDING = Comment.Status.PENDING
SPAM = Comment.Status.SPAM


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom, published_at=AT - timedelta(days=1))


def data(**changes) -> dict:
    return {
        "name": "Ada Reader",
        "email": "ada@example.net",
        "url": "",
        "body": "A fair point, well made.",
        "parent": None,
        **changes,
    }


def post(item, *, settings, ip="198.51.100.7", user_agent="Mozilla/5.0 (X11)", checker=None, **changes) -> Comment:
    return post_comment(
        item, data=data(**changes), ip=ip, user_agent=user_agent, at=AT, settings=settings, checker=checker
    )


class FakeChecker:
    """Records what it was asked and answers as told."""

    def __init__(self, verdict):
        self.verdict = verdict
        self.calls = []

    def is_spam(self, comment, *, permalink):
        self.calls.append((comment.author_name, comment.body, permalink))
        return self.verdict


# The moderation rules


def test_comment_is_approved_when_no_rule_holds_it(article):
    settings = comment_settings(hold_first_time_authors=False)

    comment = post(article, settings=settings)

    assert comment.status == APPROVED
    assert comment.approved_at == AT
    assert comment.created_at == AT
    assert (comment.ip_address, comment.user_agent) == ("198.51.100.7", "Mozilla/5.0 (X11)")


def test_first_time_author_is_held(article):
    assert post(article, settings=comment_settings()).status == PENDING


def test_author_with_an_approved_comment_is_not_held_again(article):
    CommentFactory(item=article, author_email="Ada@Example.net", status=APPROVED)

    assert post(article, settings=comment_settings()).status == APPROVED


def test_author_with_only_pending_or_spam_comments_is_still_held(article):
    CommentFactory(item=article, author_email="ada@example.net", status=PENDING)
    CommentFactory(item=article, author_email="ada@example.net", status=SPAM)

    assert post(article, settings=comment_settings()).status == PENDING


def test_comment_with_as_many_links_as_the_limit_is_held(article):
    settings = comment_settings(hold_first_time_authors=False, hold_at_links=2)

    one = post(article, settings=settings, body="See https://one.example.org for more.")
    two = post(article, settings=settings, body="See https://one.example.org and www.two.example.org")

    assert (one.status, two.status) == (APPROVED, PENDING)


def test_link_limit_of_zero_holds_nothing(article):
    settings = comment_settings(hold_first_time_authors=False, hold_at_links=0)

    assert (
        post(article, settings=settings, body="http://a.example http://b.example http://c.example").status == APPROVED
    )


def test_count_links_counts_web_addresses():
    assert count_links("http://a.example, HTTPS://b.example and www.c.example but not d.example") == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Cheap PILLS Shop"),
        ("email", "buyer@pills.example"),
        ("url", "https://pills.example/"),
        ("body", "Try our Pills today"),
        ("ip", "203.0.113.66"),
        ("user_agent", "PillsBot/1.0"),
    ],
)
def test_moderation_words_hold_a_comment_whichever_field_matches(article, field, value):
    settings = comment_settings(hold_first_time_authors=False, moderation_words="\n  pills \n203.0.113.66\n")

    assert post(article, settings=settings, **{field: value}).status == PENDING


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "CASINO king"),
        ("email", "win@casino.example"),
        ("url", "https://casino.example/"),
        ("body", "Visit the Casino"),
        ("ip", "203.0.113.99"),
        ("user_agent", "CasinoCrawler"),
    ],
)
def test_disallowed_words_send_a_comment_to_spam_whichever_field_matches(article, field, value):
    settings = comment_settings(hold_first_time_authors=False, disallowed_words="casino\n203.0.113.99")

    assert post(article, settings=settings, **{field: value}).status == SPAM


def test_disallowed_words_win_over_moderation_words(article):
    settings = comment_settings(moderation_words="offer", disallowed_words="casino")

    assert post(article, settings=settings, body="A casino offer").status == SPAM


def test_blank_lines_in_word_lists_match_nothing(article):
    settings = comment_settings(hold_first_time_authors=False, moderation_words="\n\n   \n", disallowed_words="\n")

    assert post(article, settings=settings).status == APPROVED


def test_held_comment_is_reported_to_the_moderators(article, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(article, settings=comment_settings())

    assert len(mail.outbox) == 1
    assert "ada@example.net" not in mail.outbox[0].body


# The optional spam service


def test_spam_checker_is_asked_and_can_send_a_comment_to_spam(article):
    checker = FakeChecker(True)

    comment = post(article, settings=comment_settings(hold_first_time_authors=False), checker=checker)

    assert comment.status == SPAM
    assert checker.calls == [("Ada Reader", "A fair point, well made.", public_page_url(article))]


def test_spam_checker_saying_not_spam_leaves_the_rules_to_decide(article):
    assert post(article, settings=comment_settings(), checker=FakeChecker(False)).status == PENDING
    settings = comment_settings(hold_first_time_authors=False)
    assert post(article, settings=settings, checker=FakeChecker(False)).status == APPROVED


def test_comment_is_held_when_the_spam_checker_cannot_answer(article):
    settings = comment_settings(hold_first_time_authors=False)

    assert post(article, settings=settings, checker=FakeChecker(None)).status == PENDING


def test_spam_checker_is_not_asked_about_disallowed_comments(article):
    checker = FakeChecker(False)

    post(article, settings=comment_settings(disallowed_words="casino"), body="casino", checker=checker)

    assert checker.calls == []


def test_akismet_is_off_without_a_key(settings):
    settings.PRESSCENTRE_AKISMET_KEY = ""
    assert configured_spam_checker() is None
    settings.PRESSCENTRE_AKISMET_KEY = "abc123"
    assert isinstance(configured_spam_checker(), AkismetChecker)


def test_akismet_failure_reads_as_no_answer(article, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no network in tests")

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    comment = CommentFactory(item=article)

    assert AkismetChecker("key", blog="http://testserver").is_spam(comment, permalink="http://x") is None


# Which items take comments, and how often


def test_closed_item_refuses_comments(newsroom):
    release = PressReleaseFactory(parent=newsroom, comments_open=False)

    with pytest.raises(CommentsClosed):
        post(release, settings=comment_settings())
    assert not Comment.objects.exists()


def test_comments_close_automatically_after_the_set_number_of_days(newsroom):
    settings = comment_settings(close_after_days=14)
    article = ArticleFactory(parent=newsroom, published_at=AT)
    closing = AT + timedelta(days=14)

    assert accepts_comments(article, at=closing - timedelta(seconds=1), settings=settings)
    assert not accepts_comments(article, at=closing, settings=settings)


def test_comments_never_close_by_age_by_default(newsroom):
    article = ArticleFactory(parent=newsroom, published_at=AT - timedelta(days=3650))

    assert accepts_comments(article, at=AT, settings=comment_settings())


def test_posting_is_rate_limited_per_ip_address(article, settings):
    settings.PRESSCENTRE_COMMENT_RATE_LIMIT = 3
    comment_rules = comment_settings()
    for _ in range(3):
        post(article, settings=comment_rules, ip="198.51.100.1")

    with pytest.raises(RateLimited):
        post(article, settings=comment_rules, ip="198.51.100.1")
    post(article, settings=comment_rules, ip="198.51.100.2")
    assert Comment.objects.filter(ip_address="198.51.100.1").count() == 3


def test_rate_limit_starts_again_in_the_next_window(article, settings):
    settings.PRESSCENTRE_COMMENT_RATE_LIMIT = 1
    settings.PRESSCENTRE_COMMENT_RATE_LIMIT_MINUTES = 10
    rules = comment_settings()
    post(article, settings=rules)

    later = AT + timedelta(minutes=10)
    post_comment(article, data=data(), ip="198.51.100.7", user_agent="", at=later, settings=rules)

    assert Comment.objects.count() == 2


# Threads


def test_thread_nests_replies_under_their_parents_in_order(article):
    first = CommentFactory(item=article, status=APPROVED)
    second = CommentFactory(item=article, status=APPROVED)
    reply = CommentFactory(item=article, status=APPROVED, parent=first)
    reply_to_reply = CommentFactory(item=article, status=APPROVED, parent=reply)

    thread = comment_thread(article, max_depth=5)

    assert [node.comment for node in thread.nodes] == [first, second]
    assert [node.comment for node in thread.nodes[0].children] == [reply]
    assert thread.nodes[0].children[0].children[0].comment == reply_to_reply
    assert thread.nodes[0].children[0].children[0].depth == 3
    assert thread.approved_count == 4


def test_thread_is_built_from_one_query(article, django_assert_num_queries):
    parent = None
    for _ in range(8):
        parent = CommentFactory(item=article, status=APPROVED, parent=parent)

    with django_assert_num_queries(1):
        comment_thread(article, max_depth=5)


def test_replies_beyond_the_thread_depth_are_shown_at_the_deepest_level(article):
    top = CommentFactory(item=article, status=APPROVED)
    second = CommentFactory(item=article, status=APPROVED, parent=top)
    third = CommentFactory(item=article, status=APPROVED, parent=second)
    fourth = CommentFactory(item=article, status=APPROVED, parent=third)

    thread = comment_thread(article, max_depth=2)

    level_two = thread.nodes[0].children
    assert [(node.comment, node.depth) for node in level_two] == [(second, 2), (third, 2), (fourth, 2)]
    assert not any(node.can_reply for node in level_two)
    assert thread.nodes[0].can_reply


def test_thread_shows_approved_comments_and_only_the_named_pending_ones(article):
    approved = CommentFactory(item=article, status=APPROVED)
    mine = CommentFactory(item=article, status=PENDING)
    CommentFactory(item=article, status=PENDING)
    spam = CommentFactory(item=article, status=SPAM)

    thread = comment_thread(article, max_depth=5, pending_ids=frozenset({mine.pk, spam.pk}))

    assert [node.comment for node in thread.nodes] == [approved, mine]
    assert thread.approved_count == 1
    assert thread.nodes[1].is_pending
    assert not thread.nodes[1].can_reply


def test_reply_to_a_hidden_comment_stands_at_the_top(article):
    trashed = CommentFactory(item=article, status=Comment.Status.TRASH)
    reply = CommentFactory(item=article, status=APPROVED, parent=trashed)

    assert [node.comment for node in comment_thread(article, max_depth=5).nodes] == [reply]


def test_approved_counts_cover_a_page_of_items_in_one_query(newsroom, django_assert_num_queries):
    busy, quiet, none = (ArticleFactory(parent=newsroom) for _ in range(3))
    CommentFactory.create_batch(3, item=busy, status=APPROVED)
    CommentFactory(item=busy, status=PENDING)
    CommentFactory(item=quiet, status=APPROVED)

    with django_assert_num_queries(1):
        counts = approved_comment_counts([busy.pk, quiet.pk, none.pk])

    assert counts == {busy.pk: 3, quiet.pk: 1}


# Showing a comment's text


def test_body_becomes_paragraphs_with_line_breaks():
    html = comment_body_html("First paragraph\nsecond line.\n\nSecond paragraph.")

    assert html == "<p>First paragraph<br>second line.</p>\n\n<p>Second paragraph.</p>"


def test_web_addresses_in_the_body_become_links_for_nobody_to_follow():
    soup = BeautifulSoup(comment_body_html("Read https://example.org/report?a=1&b=2 now."), "html.parser")

    link = soup.a
    assert link["href"] == "https://example.org/report?a=1&b=2"
    assert link["rel"] == ["nofollow", "ugc", "noopener"]
    assert link.get_text() == "https://example.org/report?a=1&b=2"


def test_allowed_markup_in_the_body_is_kept_and_the_rest_taken_out():
    """Issue 15, defect 10: comments once showed every tag as text; the tags WordPress allows now render."""
    html = comment_body_html('<b>bold</b> <a href="https://x.example">x</a> <script>alert(1)</script>')

    assert "<b>bold</b>" in html and "<script>" not in html and "alert" not in html
    assert BeautifulSoup(html, "html.parser").a["rel"] == ["nofollow", "ugc", "noopener"]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://ada.example/", "https://ada.example/"),
        ("http://ada.example", "http://ada.example"),
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("data:text/html,hi", ""),
        ("//ada.example", ""),
        ("https://ada.example/\x00", ""),
        ("", ""),
    ],
)
def test_only_web_addresses_are_linked_as_websites(url, shown):
    assert safe_website(url) == shown


# Feeds' query


def test_public_comment_query_leaves_out_embargoed_and_unpublished_items(newsroom):
    public = ArticleFactory(parent=newsroom)
    embargoed = PressReleaseFactory(parent=newsroom, embargo_until=AT + timedelta(hours=1))
    draft = ArticleFactory(parent=newsroom, live=False)
    shown = CommentFactory(item=public, status=APPROVED)
    for item in (embargoed, draft):
        CommentFactory(item=item, status=APPROVED)
    CommentFactory(item=public, status=PENDING)

    assert list(latest_public_comments(at=AT)) == [shown]
    assert len(latest_public_comments(at=AT + timedelta(hours=1))) == 2
