"""Exporting and erasing a commenter's personal data, as services and through the admin screen."""

import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import ModelLogEntry

from presscentre.comments.models import Comment
from presscentre.comments.privacy import erase_personal_data, export_personal_data
from presscentre.comments.tests.factories import CommentFactory
from presscentre.core.urls_public import public_url
from presscentre.newsroom.tests.factories import ArticleFactory

AT = datetime(2024, 8, 1, 10, 0, tzinfo=UTC)
PRIVACY = "/admin/comments/personal-data/"


@pytest.fixture
def article(newsroom):
    return ArticleFactory(parent=newsroom, title="Counting the cost", slug="counting-the-cost")


@pytest.fixture
def moderator(db, django_user_model):
    user = django_user_model.objects.create_user("mod", "mod@example.org", "password")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def janes(article):
    """Jane's comment and her reply to Sam, plus Sam's reply to Jane: a thread that must survive erasure."""
    top = CommentFactory(
        item=article,
        author_name="Jane Doe",
        author_email="Jane@Example.com",
        author_url="https://jane.example.com/",
        body="Jane's first words",
        status=Comment.Status.APPROVED,
        created_at=datetime(2024, 7, 1, 9, 30, tzinfo=UTC),
        ip_address="198.51.100.7",
        user_agent="JaneBrowser/1.0",
    )
    sams = CommentFactory(
        item=article,
        parent=top,
        author_name="Sam",
        author_email="sam@example.com",
        body="Sam",
        created_at=datetime(2024, 7, 2, 9, 0, tzinfo=UTC),
    )
    reply = CommentFactory(
        item=article,
        parent=sams,
        author_name="Jane",
        author_email="jane@example.com",
        body="Jane again",
        created_at=datetime(2024, 7, 3, 9, 0, tzinfo=UTC),
    )
    return top, sams, reply


def test_export_lists_every_comment_by_the_email_whatever_its_case(janes, article):
    top, _, reply = janes

    data = export_personal_data("  JANE@example.COM ")

    assert [entry["id"] for entry in data["comments"]] == [top.pk, reply.pk]
    first = data["comments"][0]
    assert first == {
        "id": top.pk,
        "item": {"id": article.pk, "title": "Counting the cost", "url": public_url("/counting-the-cost/")},
        "parent_id": None,
        "kind": "comment",
        "status": "approved",
        "created_at": "2024-07-01T09:30:00+00:00",
        "approved_at": top.approved_at.isoformat(),
        "name": "Jane Doe",
        "email": "Jane@Example.com",
        "website": "https://jane.example.com/",
        "body": "Jane's first words",
        "ip_address": "198.51.100.7",
        "user_agent": "JaneBrowser/1.0",
    }
    assert data["comments"][1]["parent_id"] == janes[1].pk
    json.dumps(data)  # serialisable as it stands


def test_export_leaves_out_ip_data_already_erased(article):
    CommentFactory(item=article, author_email="old@example.com", ip_address=None, user_agent="")

    [entry] = export_personal_data("old@example.com")["comments"]

    assert entry["ip_address"] is None and entry["user_agent"] is None


@pytest.mark.parametrize("keep_bodies", [True, False])
def test_erase_anonymises_the_authors_comments_and_keeps_the_thread(janes, moderator, keep_bodies):
    top, sams, reply = janes

    erased = erase_personal_data("jane@example.com", keep_bodies=keep_bodies, by=moderator, at=AT)

    assert erased == 2
    for comment, body in [(top, "Jane's first words"), (reply, "Jane again")]:
        comment.refresh_from_db()
        assert (comment.author_name, comment.author_email, comment.author_url) == ("Anonymous", "", "")
        assert (comment.ip_address, comment.user_agent, comment.anonymised_at) == (None, "", AT)
        assert comment.body == (body if keep_bodies else "[removed]")
    assert (reply.parent_id, sams.parent_id) == (sams.pk, top.pk)
    assert top.status == Comment.Status.APPROVED


def test_erase_leaves_other_peoples_comments_alone(janes, moderator):
    _, sams, _ = janes
    before = Comment.objects.values().get(pk=sams.pk)

    erase_personal_data("jane@example.com", keep_bodies=False, by=moderator, at=AT)

    assert Comment.objects.values().get(pk=sams.pk) == before


def test_erase_is_audit_logged_without_the_commenters_name_or_email(janes, moderator):
    top, _, reply = janes

    erase_personal_data("jane@example.com", keep_bodies=True, by=moderator, at=AT)

    entries = ModelLogEntry.objects.filter(action="presscentre.comments.erase")
    assert sorted(int(entry.object_id) for entry in entries) == sorted([top.pk, reply.pk])
    assert {entry.user_id for entry in entries} == {moderator.pk}
    for entry in ModelLogEntry.objects.all():
        assert "Jane" not in entry.label and "jane@" not in json.dumps(entry.data).lower()


def test_erasing_twice_finds_nothing_the_second_time(janes, moderator):
    erase_personal_data("jane@example.com", keep_bodies=True, by=moderator, at=AT)

    assert erase_personal_data("jane@example.com", keep_bodies=True, by=moderator, at=AT) == 0


# The admin screen


def test_admin_privacy_screen_offers_export_and_erase(client, moderator):
    client.force_login(moderator)

    html = client.get(PRIVACY).content.decode()

    assert 'value="export"' in html and 'value="erase"' in html


def test_admin_export_downloads_json_and_logs_it(client, moderator, janes):
    client.force_login(moderator)

    response = client.post(PRIVACY, {"email": "jane@example.com", "keep_bodies": "1", "action": "export"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert {entry["name"] for entry in data["comments"]} == {"Jane Doe", "Jane"}
    assert ModelLogEntry.objects.filter(action="presscentre.comments.export").count() == 2
    assert Comment.objects.filter(author_name="Jane Doe").exists()  # exporting changes nothing


def test_admin_erase_needs_the_confirmation_box(client, moderator, janes):
    client.force_login(moderator)
    data = {"email": "jane@example.com", "keep_bodies": "0", "action": "erase"}

    refused = client.post(PRIVACY, data)
    assert refused.status_code == 200
    assert Comment.objects.filter(author_email__iexact="jane@example.com").count() == 2

    done = client.post(PRIVACY, data | {"confirm": "on"})
    assert done.status_code == 302
    assert not Comment.objects.filter(author_email__iexact="jane@example.com").exists()
    assert Comment.objects.filter(author_name="Anonymous", body="[removed]").count() == 2


def test_admin_privacy_screen_rejects_a_malformed_email(client, moderator, janes):
    client.force_login(moderator)

    response = client.post(PRIVACY, {"email": "not an email", "keep_bodies": "1", "action": "erase", "confirm": "on"})

    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not Comment.objects.filter(author_name="Anonymous").exists()
    assert reverse("comments_admin:privacy") == PRIVACY
