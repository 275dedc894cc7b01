"""The moderation queue, bulk and row actions, edit, staff reply, dashboard panel and moderator emails."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils.http import urlencode
from wagtail.models import Site

from presscentre.comments.models import Comment, CommentSettings
from presscentre.comments.moderation import notify_moderators_of_held_comment, reply_as_staff
from presscentre.comments.tests.factories import CommentFactory
from presscentre.newsroom.tests.factories import ArticleFactory
from presscentre.pagecache import purge as purging

QUEUE = "/admin/comments/"
NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom, title="Counting the cost of energy")


@pytest.fixture
def other_article(newsroom):
    return ArticleFactory(parent=newsroom, title="Rents in the regions")


def _member(django_user_model, username, group, **extra):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "password", **extra)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def moderator(db, django_user_model):
    return _member(django_user_model, "mod", "Moderators", first_name="Maya", last_name="Moderator")


@pytest.fixture
def author(db, django_user_model):
    return _member(django_user_model, "author", "Authors")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


class PurgedItems:
    """The items whose cached pages were purged (their `item-<id>` tags), in the order purged."""

    def __init__(self, sent: list[set[str]]) -> None:
        self.sent = sent

    def __iter__(self):
        for tags in self.sent:
            assert "comments" in tags  # the site's comment feed goes with every item's
            yield from sorted(int(tag.removeprefix("item-")) for tag in tags if tag.startswith("item-"))

    def __eq__(self, other) -> bool:
        return list(self) == other

    def __repr__(self) -> str:
        return repr(list(self))


@pytest.fixture
def purged():
    with purging.recording() as sent:
        yield PurgedItems(sent)


def bulk_url(action: str, ids) -> str:
    base = reverse("wagtail_bulk_action", args=["comments", "comment", action])
    return f"{base}?{urlencode([('id', pk) for pk in ids])}"


def make_comments(item, count: int, **fields) -> list[Comment]:
    defaults = {"author_name": "Reader", "author_email": "reader@example.com", "body": "A comment."}
    return Comment.objects.bulk_create(
        Comment(item=item, created_at=NOW - timedelta(minutes=n), **(defaults | fields)) for n in range(count)
    )


# Permissions


def denied(response) -> bool:
    """Wagtail's admin answers PermissionDenied with a redirect to the dashboard and a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def test_editorial_groups_get_the_comment_permissions_from_the_migration(db):
    for name in ("Moderators", "Press officers", "Administrators"):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert {"add_comment", "change_comment", "delete_comment", "view_comment"} <= codenames
    assert not Group.objects.get(name="Authors").permissions.filter(codename="change_comment").exists()


def test_permission_migration_reverses_and_reapplies_idempotently(db):
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("presscentre.comments.migrations.0002_moderation_permissions")
    schema_editor = SimpleNamespace(connection=connection)
    moderators = Group.objects.get(name="Moderators")

    migration.revoke(apps, schema_editor)
    assert not moderators.permissions.filter(content_type__app_label="comments").exists()

    migration.grant(apps, schema_editor)
    migration.grant(apps, schema_editor)
    assert moderators.permissions.filter(content_type__app_label="comments").count() == 4


def test_user_without_comment_permissions_cannot_reach_the_queue_or_act(client, author, article):
    comment = CommentFactory(item=article)
    client.force_login(author)

    assert denied(client.get(QUEUE))
    assert denied(client.post(bulk_url("approve", [comment.pk])))
    assert denied(client.get(reverse("comments_admin:reply", args=[comment.pk])))
    assert denied(client.get(reverse("comments_admin:privacy")))
    assert "Comments" not in client.get("/admin/").content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_moderators_reach_the_queue_and_see_the_pending_count_in_the_menu(moderator_client, article):
    CommentFactory.create_batch(3, item=article)

    response = moderator_client.get(QUEUE)

    assert response.status_code == 200
    assert "Comments (3)" in moderator_client.get("/admin/").content.decode()


# The queue


def test_queue_shows_pending_comments_by_default_with_counts_per_status(moderator_client, article):
    CommentFactory(item=article, body="Pending one")
    CommentFactory(item=article, body="Approved one", status=Comment.Status.APPROVED)
    CommentFactory(item=article, body="Spam one", status=Comment.Status.SPAM)
    CommentFactory(item=article, body="Trash one", status=Comment.Status.TRASH)

    response = moderator_client.get(QUEUE)

    html = response.content.decode()
    assert "Pending one" in html
    assert "Approved one" not in html and "Spam one" not in html
    tabs = {tab["label"]: tab["count"] for tab in response.context["status_tabs"]}
    assert tabs == {"Pending": 1, "Approved": 1, "Spam": 1, "Trash": 1, "All": 2}


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("approved", {"Approved one"}),
        ("spam", {"Spam one"}),
        ("trash", {"Trash one"}),
        ("all", {"Pending one", "Approved one"}),
    ],
)
def test_queue_filters_by_status(moderator_client, article, status, shown):
    for body, comment_status in [
        ("Pending one", "pending"),
        ("Approved one", "approved"),
        ("Spam one", "spam"),
        ("Trash one", "trash"),
    ]:
        CommentFactory(item=article, body=body, status=comment_status)

    response = moderator_client.get(QUEUE, {"status": status})

    assert {comment.body for comment in response.context["object_list"]} == shown


def test_queue_filters_by_item_and_date(moderator_client, article, other_article):
    CommentFactory(item=article, body="Early", created_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
    CommentFactory(item=article, body="Late", created_at=datetime(2024, 6, 20, 12, tzinfo=UTC))
    CommentFactory(item=other_article, body="Elsewhere", created_at=datetime(2024, 6, 20, 12, tzinfo=UTC))

    by_item = moderator_client.get(QUEUE, {"item": article.pk})
    by_date = moderator_client.get(QUEUE, {"created_at_from": "2024-06-01", "created_at_to": "2024-06-30"})

    assert {c.body for c in by_item.context["object_list"]} == {"Early", "Late"}
    assert {c.body for c in by_date.context["object_list"]} == {"Late", "Elsewhere"}


@pytest.mark.parametrize("query", ["Grace", "GRACE@EXAMPLE", "tariffs"])
def test_queue_searches_name_email_and_body(moderator_client, article, query):
    CommentFactory(item=article, author_name="Grace Hopper", author_email="grace@example.net", body="On tariffs.")
    CommentFactory(item=article, author_name="Alan", author_email="alan@example.net", body="On rents.")

    response = moderator_client.get(QUEUE, {"q": query})

    assert [c.author_name for c in response.context["object_list"]] == ["Grace Hopper"]


def test_queue_is_paginated_with_a_bounded_number_of_queries(moderator_client, article, django_assert_max_num_queries):
    make_comments(article, 120)

    with django_assert_max_num_queries(30):
        response = moderator_client.get(QUEUE)

    assert len(response.context["object_list"]) == 50
    assert response.context["paginator"].count == 120


# Bulk actions: 1,000 comments, one request, a constant number of queries


@pytest.mark.parametrize(
    ("action", "status"), [("approve", "approved"), ("spam", "spam"), ("trash", "trash"), ("delete", None)]
)
def test_bulk_action_on_1000_comments_is_one_request_with_few_queries(
    moderator_client,
    article,
    other_article,
    purged,
    action,
    status,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    comments = make_comments(article, 600) + make_comments(other_article, 400)
    ids = [comment.pk for comment in comments]

    with django_assert_max_num_queries(22), django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(bulk_url(action, ids), {"next": QUEUE})

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    if status is None:
        assert not Comment.objects.exists()
    else:
        assert Comment.objects.filter(status=status).count() == 1000
    if action == "approve":
        assert not Comment.objects.filter(approved_at__isnull=True).exists()
        assert sorted(purged) == sorted([article.pk, other_article.pk])
    else:
        assert purged == []  # none of them was on the public page


def test_hiding_approved_comments_purges_their_items_once(
    moderator_client, article, other_article, purged, django_capture_on_commit_callbacks
):
    shown = make_comments(article, 5, status=Comment.Status.APPROVED, approved_at=NOW)
    held = make_comments(other_article, 5)

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(bulk_url("trash", [c.pk for c in shown + held]))

    assert purged == [article.pk]


def test_approving_keeps_the_first_approval_time(moderator_client, article):
    first = datetime(2024, 1, 2, 3, 4, tzinfo=UTC)
    already = CommentFactory(item=article, status=Comment.Status.APPROVED, approved_at=first)
    new = CommentFactory(item=article)

    moderator_client.post(bulk_url("approve", [already.pk, new.pk]))

    already.refresh_from_db()
    new.refresh_from_db()
    assert already.approved_at == first
    assert new.status == Comment.Status.APPROVED and new.approved_at is not None


def test_select_all_in_listing_acts_on_the_filtered_queue_only(moderator_client, article, other_article):
    wanted = CommentFactory.create_batch(3, item=article)
    other_item = CommentFactory(item=other_article)
    spam = CommentFactory(item=article, status=Comment.Status.SPAM)

    url = reverse("wagtail_bulk_action", args=["comments", "comment", "approve"])
    moderator_client.post(f"{url}?{urlencode({'id': 'all', 'item': article.pk})}")

    assert set(Comment.objects.approved().values_list("pk", flat=True)) == {c.pk for c in wanted}
    other_item.refresh_from_db()
    spam.refresh_from_db()
    assert (other_item.status, spam.status) == ("pending", "spam")


def test_bulk_confirmation_page_lists_the_selection(moderator_client, article):
    comments = CommentFactory.create_batch(2, item=article, body="Please approve me")

    response = moderator_client.get(bulk_url("spam", [c.pk for c in comments]))

    assert response.status_code == 200
    assert response.content.decode().count("Please approve me") == 2


def test_row_action_marks_one_comment_as_spam_and_returns_to_the_queue(moderator_client, article):
    comment, other = CommentFactory.create_batch(2, item=article)
    listing = moderator_client.get(QUEUE).content.decode()
    assert bulk_url("spam", [comment.pk]).replace("&", "&amp;") in listing or bulk_url("spam", [comment.pk]) in listing

    response = moderator_client.post(bulk_url("spam", [comment.pk]), {"next": f"{QUEUE}?status=pending"})

    assert response["Location"] == f"{QUEUE}?status=pending"
    comment.refresh_from_db()
    other.refresh_from_db()
    assert (comment.status, other.status) == ("spam", "pending")


def test_moderators_may_delete_one_comment(moderator_client, article):
    comment, other = CommentFactory.create_batch(2, item=article)

    response = moderator_client.post(reverse("comments_admin:delete", args=[comment.pk]))

    assert response.status_code == 302
    assert list(Comment.objects.all()) == [other]


def test_deleting_a_comment_deletes_its_replies_and_purges_the_page_they_were_on(
    moderator_client, article, purged, django_capture_on_commit_callbacks
):
    spam = CommentFactory(item=article, status=Comment.Status.SPAM)
    reply = CommentFactory(item=article, parent=spam, status=Comment.Status.APPROVED)
    CommentFactory(item=article, parent=reply)
    kept = CommentFactory(item=article)

    with django_capture_on_commit_callbacks(execute=True):
        moderator_client.post(bulk_url("delete", [spam.pk]))

    assert list(Comment.objects.all()) == [kept]
    assert purged == [article.pk]


# Edit and reply


def test_edit_changes_the_fields_and_approving_sets_approved_at(
    moderator_client, article, purged, django_capture_on_commit_callbacks
):
    comment = CommentFactory(item=article, author_name="Typo Nmae")
    data = {
        "author_name": "Typo Name",
        "author_email": "fixed@example.com",
        "author_url": "https://example.com/",
        "body": "Edited body.",
        "status": "approved",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(reverse("comments_admin:edit", args=[comment.pk]), data)

    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.author_name, comment.author_email, comment.author_url, comment.body) == (
        "Typo Name",
        "fixed@example.com",
        "https://example.com/",
        "Edited body.",
    )
    assert comment.status == "approved" and comment.approved_at is not None
    assert purged == [article.pk]


def test_edit_form_and_inspect_view_show_the_comment(moderator_client, article):
    comment = CommentFactory(item=article, body="Original words", ip_address="203.0.113.9")

    edit = moderator_client.get(reverse("comments_admin:edit", args=[comment.pk]))
    inspect = moderator_client.get(reverse("comments_admin:inspect", args=[comment.pk]))

    assert edit.status_code == 200
    assert "Original words" in edit.content.decode()
    assert "203.0.113.9" in inspect.content.decode()


def test_reply_form_quotes_the_comment(moderator_client, article):
    comment = CommentFactory(item=article, body="What about rents?")

    response = moderator_client.get(reverse("comments_admin:reply", args=[comment.pk]))

    assert response.status_code == 200
    assert "What about rents?" in response.content.decode()
    assert 'name="body"' in response.content.decode()


def test_staff_reply_is_approved_and_in_the_staff_members_name(moderator_client, moderator, article):
    parent = CommentFactory(item=article, status=Comment.Status.APPROVED)

    response = moderator_client.post(reverse("comments_admin:reply", args=[parent.pk]), {"body": "Thank you."})

    assert response.status_code == 302
    reply = Comment.objects.get(parent=parent)
    assert reply.status == Comment.Status.APPROVED and reply.approved_at is not None
    assert (reply.author_name, reply.author_email, reply.user, reply.item_id) == (
        "Maya Moderator",
        "mod@example.org",
        moderator,
        article.pk,
    )
    assert reply.body == "Thank you."


def test_staff_reply_uses_the_username_without_a_full_name(editor, article):
    parent = CommentFactory(item=article)

    reply = reply_as_staff(parent, body="Noted.", by=editor, at=NOW)

    assert reply.author_name == "editor"


def test_staff_reply_respects_the_thread_depth(moderator_client, article):
    settings = CommentSettings.for_site(Site.objects.get(is_default_site=True))
    settings.thread_depth = 2
    settings.save()
    top = CommentFactory(item=article)
    second = CommentFactory(item=article, parent=top)

    allowed = moderator_client.post(reverse("comments_admin:reply", args=[top.pk]), {"body": "Fine."})
    refused = moderator_client.post(reverse("comments_admin:reply", args=[second.pk]), {"body": "Too deep."})

    assert allowed.status_code == 302
    assert refused.status_code == 200
    assert "as deep as replies may go" in refused.content.decode()
    assert not Comment.objects.filter(parent=second).exists()


# Dashboard


def test_dashboard_panel_shows_the_pending_count_to_moderators(moderator_client, article):
    CommentFactory.create_batch(4, item=article)
    CommentFactory(item=article, status=Comment.Status.APPROVED)

    html = moderator_client.get("/admin/").content.decode()

    assert "4 comments awaiting moderation" in html
    assert f'href="{QUEUE}?status=pending"' in html


def test_dashboard_panel_is_hidden_from_those_who_cannot_moderate(client, author, article):
    CommentFactory(item=article)
    client.force_login(author)

    assert "awaiting moderation" not in client.get("/admin/").content.decode()


# Moderator email


@pytest.fixture
def other_moderator(db, django_user_model):
    return _member(django_user_model, "mod2", "Moderators")


def test_moderators_are_emailed_about_a_held_comment(moderator, other_moderator, django_user_model, article):
    inactive = _member(django_user_model, "gone", "Moderators", is_active=False)
    comment = CommentFactory(item=article, author_name="Held Reader", author_email="held@example.com")

    assert notify_moderators_of_held_comment(comment) is True

    [message] = mail.outbox
    assert sorted(message.to) == ["mod2@example.org", "mod@example.org"]
    assert inactive.email not in message.to
    assert "Counting the cost of energy" in message.subject
    assert "Held Reader" in message.body
    assert "http://127.0.0.1:8000/admin/comments/?status=pending" in message.body
    assert "held@example.com" not in message.body
    assert "held@example.com" not in message.alternatives[0][0]


@pytest.mark.parametrize("status", ["approved", "spam", "trash"])
def test_no_email_for_comments_that_are_not_held(moderator, article, status):
    comment = CommentFactory(item=article, status=status)

    assert notify_moderators_of_held_comment(comment) is False
    assert mail.outbox == []


def test_no_email_when_moderator_notifications_are_off(moderator, article):
    settings = CommentSettings.for_site(Site.objects.get(is_default_site=True))
    settings.notify_moderators = False
    settings.save()

    assert notify_moderators_of_held_comment(CommentFactory(item=article)) is False
    assert mail.outbox == []


def test_superusers_are_emailed_when_there_are_no_moderators(editor, article):
    notify_moderators_of_held_comment(CommentFactory(item=article))

    assert [message.to for message in mail.outbox] == [["editor@example.org"]]


def test_the_notification_task_emails_the_moderators(moderator, article):
    from presscentre.comments.tasks import notify_moderators_of_held_comment_task

    result = notify_moderators_of_held_comment_task.enqueue(CommentFactory(item=article).pk)

    assert result.return_value is True
    assert len(mail.outbox) == 1
