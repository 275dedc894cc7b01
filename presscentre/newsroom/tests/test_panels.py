"""Items awaiting approval on the dashboard: Wagtail's own workflow panels cover them, so the site adds none.

An author's submitted item is listed under "Awaiting your review" for the press office (the reviewers of the
"Press office approval" workflow) and under the author's own "Your pages and snippets in a workflow".
"""

import pytest
from django.contrib.auth.models import Group

from presscentre.newsroom.tests.factories import ArticleFactory


def member(django_user_model, group: str, username: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "password")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def author(db, django_user_model):
    return member(django_user_model, "Authors", "fellow")


@pytest.fixture
def submitted(newsroom, author):
    article = ArticleFactory(parent=newsroom, title="Budgets under strain", live=False, owner=author)
    article.save_revision(user=author)
    article.get_workflow().start(article, author)
    return article


@pytest.mark.parametrize("group", ["Press officers", "Administrators"])
def test_the_press_office_sees_submitted_items_awaiting_its_review(client, submitted, django_user_model, group):
    client.force_login(member(django_user_model, group, "reviewer"))

    html = client.get("/admin/").content.decode()

    review = html.split('id="awaiting-review-section"', 1)[1].split("</section>", 1)[0]
    assert "Budgets under strain" in review
    assert "Press officer review" in review


def test_the_author_sees_their_item_in_the_workflow(client, submitted, author):
    client.force_login(author)

    html = client.get("/admin/").content.decode()

    assert "Budgets under strain" in html
    assert 'id="awaiting-review-section"' not in html


def test_comment_moderators_are_not_asked_to_approve_items(client, submitted, django_user_model):
    client.force_login(member(django_user_model, "Moderators", "moderator"))

    html = client.get("/admin/").content.decode()

    assert "Budgets under strain" not in html
