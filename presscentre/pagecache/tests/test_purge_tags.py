"""What changes what (issue 16, item 2): each change purges exactly the tags of what it affects, and the edge is told
those tags over HTTP. An unrelated item's tag is never among them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.models import Collection, Site

from presscentre.comments.models import Comment
from presscentre.comments.moderation import set_comments_status
from presscentre.comments.tests.factories import CommentFactory, comment_settings
from presscentre.embargo.services import lift_embargo
from presscentre.newsroom.models import PressCentreSettings, ReportDocument
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    BoilerplateFactory,
    CategoryFactory,
    ImageFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressContactFactory,
    PressReleaseFactory,
    ReportFactory,
)
from presscentre.pagecache import purge as purging
from presscentre.syndication.models import SyndicationSettings

NOW = datetime(2030, 5, 4, 9, 0, tzinfo=UTC)
EVERY_ITEM_SURFACE = {"index", "feeds", "sitemaps", "search", "api", "redirects"}


@pytest.fixture
def topic(db):
    return CategoryFactory(name="Economy", slug="economy")


@pytest.fixture
def author(db):
    return PersonFactory(name="Nia Evans", slug="nia-evans")


@pytest.fixture
def bystander(newsroom):
    """An unrelated published item in another category: its tag must never be purged by the changes below."""
    return ArticleFactory(parent=newsroom, title="Unrelated", slug="unrelated", categories=[CategoryFactory()])


def purged_by(change, capture) -> set[str]:
    with purging.recording() as sent, capture(execute=True):
        change()
    return set().union(*sent) if sent else set()


def item_surfaces(item, *categories, people=(), extra=()) -> set[str]:
    return (
        {f"item-{item.pk}"}
        | EVERY_ITEM_SURFACE
        | {f"category-{c.pk}" for c in categories}
        | {f"person-{p.pk}" for p in people}
        | set(extra)
    )


def test_publishing_a_new_release_purges_it_and_every_surface_it_joins(
    newsroom, topic, author, bystander, django_capture_on_commit_callbacks, edge_purges
):
    release = PressReleaseFactory(parent=newsroom, slug="pay-gap", categories=[topic], people=[author], live=False)
    edge_purges.clear()

    tags = purged_by(lambda: release.save_revision().publish(), django_capture_on_commit_callbacks)

    assert tags == item_surfaces(release, topic, people=[author])
    assert f"item-{bystander.pk}" not in tags
    assert edge_purges.tags == tags  # the same tags reached the edge, in one request
    assert len(edge_purges.requests) == 1 and edge_purges.requests[0][:2] == ("PURGE", "/")


def test_an_edit_that_moves_an_item_to_another_category_purges_the_new_archive_and_the_item_everywhere(
    newsroom, topic, bystander, django_capture_on_commit_callbacks
):
    # The old archive carries the item's tag (it showed it), so `item-<id>` reaches it; the new one is named.
    item = ArticleFactory(parent=newsroom, categories=[topic])
    other = CategoryFactory(name="Health", slug="health")
    item.category_links.all().delete()
    item.category_links.create(category=other)

    tags = purged_by(lambda: item.save_revision().publish(), django_capture_on_commit_callbacks)

    assert tags == item_surfaces(item, other)
    assert f"category-{topic.pk}" not in tags and f"item-{bystander.pk}" not in tags


def test_unpublishing_purges_the_item_its_surfaces_and_its_files(
    newsroom, bystander, django_capture_on_commit_callbacks
):
    report = ReportFactory(parent=newsroom)
    document = get_document_model().objects.create(
        title="Full report",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="full.pdf"),
        collection=Collection.get_first_root_node(),
    )
    ReportDocument.objects.create(report=report, document=document)

    tags = purged_by(lambda: report.unpublish(), django_capture_on_commit_callbacks)

    assert tags == item_surfaces(report, extra=[f"document-{document.pk}"])


def test_a_media_appearance_with_a_recording_also_purges_the_podcast(newsroom, django_capture_on_commit_callbacks):
    recording = get_document_model().objects.create(
        title="Interview", file=ContentFile(b"ID3", name="interview.mp3"), collection=Collection.get_first_root_node()
    )
    appearance = MediaAppearanceFactory(parent=newsroom, recording=recording, live=False)

    tags = purged_by(lambda: appearance.save_revision().publish(), django_capture_on_commit_callbacks)

    assert tags == item_surfaces(appearance, extra=["podcast", f"document-{recording.pk}"])


def test_a_lift_purges_what_publishing_would(
    newsroom, topic, author, bystander, time_machine, django_capture_on_commit_callbacks
):
    lift = NOW + timedelta(hours=1)
    release = PressReleaseFactory(
        parent=newsroom, embargo_until=lift, published_at=lift, categories=[topic], people=[author]
    )
    time_machine.move_to(lift, tick=False)

    tags = purged_by(lambda: lift_embargo(release, at=lift), django_capture_on_commit_callbacks)

    assert tags == item_surfaces(release, topic, people=[author])


def test_moving_renaming_or_deleting_an_item_purges_its_surfaces(
    newsroom, topic, bystander, django_capture_on_commit_callbacks
):
    item = ArticleFactory(parent=newsroom, slug="first-name", categories=[topic])
    expected = item_surfaces(item, topic)

    def rename():
        item.slug = "second-name"
        item.save_revision().publish()

    assert purged_by(rename, django_capture_on_commit_callbacks) == expected
    assert purged_by(lambda: item.delete(), django_capture_on_commit_callbacks) == expected


def test_approving_or_removing_a_comment_purges_the_item_and_the_comment_feed(
    newsroom, bystander, django_capture_on_commit_callbacks
):
    comment_settings(enabled=True)
    item = ArticleFactory(parent=newsroom)
    comment = CommentFactory(item=item, status=Comment.Status.PENDING)

    approve = purged_by(
        lambda: set_comments_status(Comment.objects.filter(pk=comment.pk), Comment.Status.APPROVED, at=NOW),
        django_capture_on_commit_callbacks,
    )
    remove = purged_by(
        lambda: set_comments_status(Comment.objects.filter(pk=comment.pk), Comment.Status.SPAM, at=NOW),
        django_capture_on_commit_callbacks,
    )

    assert approve == remove == {f"item-{item.pk}", "comments"}


def test_an_item_with_approved_comments_also_purges_the_comment_feed_when_it_goes(
    newsroom, django_capture_on_commit_callbacks
):
    item = ArticleFactory(parent=newsroom)
    CommentFactory(item=item, status=Comment.Status.APPROVED)

    assert purged_by(lambda: item.unpublish(), django_capture_on_commit_callbacks) == item_surfaces(
        item, extra=["comments"]
    )


def test_a_category_or_person_edit_purges_its_archive_the_indexes_the_sitemaps_and_its_items(
    newsroom, topic, author, bystander, django_capture_on_commit_callbacks
):
    item = ArticleFactory(parent=newsroom, categories=[topic], people=[author])

    def rename(row):
        row.name += " (renamed)"
        row.save()

    assert purged_by(lambda: rename(topic), django_capture_on_commit_callbacks) == {
        f"category-{topic.pk}",
        "index",
        "sitemaps",
        f"item-{item.pk}",
    }
    assert purged_by(lambda: rename(author), django_capture_on_commit_callbacks) == {
        f"person-{author.pk}",
        "index",
        "sitemaps",
        f"item-{item.pk}",
    }


def test_settings_snippets_sites_and_redirects_shown_everywhere_purge_the_site(
    newsroom, django_capture_on_commit_callbacks
):
    site = Site.objects.get(is_default_site=True)
    changes = [
        lambda: PressCentreSettings.for_site(site).save(),
        lambda: SyndicationSettings.for_site(site).save(),
        lambda: comment_settings(enabled=False),
        lambda: BoilerplateFactory(),
        lambda: PressContactFactory(),
        lambda: site.save(),
    ]
    for change in changes:
        assert purged_by(change, django_capture_on_commit_callbacks) == {"site"}
    # Redirects are answered only where the address is otherwise a 404: a change reaches the cached redirects.
    redirect = lambda: Redirect.objects.create(old_path="/old", redirect_link="/")  # noqa: E731
    assert purged_by(redirect, django_capture_on_commit_callbacks) == {"redirects"}


def test_an_image_edit_purges_the_items_that_show_it_and_nothing_else(
    newsroom, bystander, django_capture_on_commit_callbacks
):
    picture = ImageFactory(title="Chart")
    with django_capture_on_commit_callbacks(execute=True):
        item = ArticleFactory(
            parent=newsroom,
            body=[{"type": "image", "value": {"image": picture.pk, "alt_text": "A chart", "caption": ""}}],
        )
        item.save_revision().publish()

    def rename():
        picture.title = "Chart, corrected"
        picture.save()

    assert purged_by(rename, django_capture_on_commit_callbacks) == {f"item-{item.pk}", f"image-{picture.pk}"}
