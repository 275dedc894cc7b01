"""The dashboard panel of comments awaiting moderation."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group

from presscentre.comments.models import Comment
from presscentre.comments.panels import PendingCommentsPanel
from presscentre.newsroom.tests.factories import ArticleFactory

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
QUEUE = "/admin/comments/?status=pending"


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom, title="Counting the cost of energy")


def member(django_user_model, group: str, username: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "password")
    user.groups.add(Group.objects.get(name=group))
    return user


def comment(item, minutes_ago: int, **fields) -> Comment:
    defaults = {"author_name": f"Reader {minutes_ago}", "author_email": "reader@example.com", "body": "A comment."}
    return Comment.objects.create(item=item, created_at=NOW - timedelta(minutes=minutes_ago), **(defaults | fields))


def test_panel_counts_the_pending_comments_and_lists_the_newest_five(article):
    for minutes_ago in range(7):
        comment(article, minutes_ago)
    comment(article, 0, author_name="Approved reader", status=Comment.Status.APPROVED)
    comment(article, 0, author_name="Spammer", status=Comment.Status.SPAM)
    comment(article, 30, author_name="Ada", body="<p>Where is the <strong>method</strong> note?</p>")

    soup = BeautifulSoup(PendingCommentsPanel().render_html(), "html.parser")

    count_link = soup.select_one(".w-panel__content a")
    assert count_link.get_text() == "8 comments awaiting moderation"
    assert count_link["href"] == QUEUE
    authors = [row.select_one("td").get_text(strip=True) for row in soup.select("tbody tr")]
    assert authors == ["Reader 0", "Reader 1", "Reader 2", "Reader 3", "Reader 4"]
    assert soup.select("tbody tr")[0].select("td")[2].get_text() == "on Counting the cost of energy"
    assert "See all 8 in the moderation queue" in soup.get_text()


def test_a_comments_text_is_shown_plain_and_short(article):
    comment(article, 1, author_name="Ada", body="<p>Where is the <strong>method</strong> note? " + "x" * 200 + "</p>")

    cell = BeautifulSoup(PendingCommentsPanel().render_html(), "html.parser").select("tbody td")[1]

    assert cell.select("strong") == []
    assert cell.get_text().startswith("Where is the method note?")
    assert len(cell.get_text()) == 120


def test_panel_says_so_when_the_queue_is_empty(article):
    comment(article, 1, status=Comment.Status.APPROVED)

    html = PendingCommentsPanel().render_html()

    assert "No comments awaiting moderation." in html
    assert f'href="{QUEUE}"' in html
    assert "<table" not in html


def test_panel_runs_two_queries_however_many_comments_wait(article, django_assert_num_queries):
    for minutes_ago in range(30):
        comment(article, minutes_ago)

    with django_assert_num_queries(2):
        PendingCommentsPanel().render_html()


def test_only_moderators_see_the_panel(client, article, django_user_model):
    comment(article, 1, author_name="Ada Reader")

    client.force_login(member(django_user_model, "Authors", "fellow"))
    assert "Ada Reader" not in client.get("/admin/").content.decode()
    client.force_login(member(django_user_model, "Moderators", "moderator"))
    assert "Ada Reader" in client.get("/admin/").content.decode()


def test_a_comments_paragraphs_and_list_items_keep_their_words_apart_in_the_preview(article):
    comment(article, 1, body="<p>First point.</p><p>Second point.</p><ul><li>one</li><li>two</li></ul>")

    cell = BeautifulSoup(PendingCommentsPanel().render_html(), "html.parser").select("tbody td")[1]

    assert cell.get_text() == "First point. Second point. one two"
