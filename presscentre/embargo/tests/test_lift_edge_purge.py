"""A lift tells the edge (Varnish, a CDN) about every surface of the item, feeds and sitemaps included: with no
header counting down to the lift, a purge is the only way the edge learns the item is public. The edge is a
recording HTTP server here (`edge_purges`), reached the way Varnish is."""

from datetime import UTC, datetime, timedelta

from presscentre.embargo.services import lift_embargo
from presscentre.newsroom.tests.factories import ArticleFactory, CategoryFactory, PersonFactory, PressReleaseFactory

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)


def test_a_lift_purges_the_item_its_archives_and_every_feed_sitemap_search_and_api_listing(
    newsroom, time_machine, django_capture_on_commit_callbacks, edge_purges
):
    topic, author = CategoryFactory(name="Economy", slug="economy"), PersonFactory(name="Nia Evans", slug="nia-evans")
    other = ArticleFactory(parent=newsroom, categories=[topic], people=[author], published_at=LIFT - timedelta(days=1))
    release = PressReleaseFactory(
        parent=newsroom, slug="pay-gap", embargo_until=LIFT, published_at=LIFT, categories=[topic], people=[author]
    )
    time_machine.move_to(LIFT, tick=False)
    edge_purges.clear()

    with django_capture_on_commit_callbacks(execute=True):
        lift_embargo(release, at=LIFT)

    assert edge_purges.tag_sets == [
        {
            f"item-{release.pk}",
            f"category-{topic.pk}",
            f"person-{author.pk}",
            "index",
            "feeds",
            "sitemaps",
            "search",
            "api",
            "redirects",
        }
    ]
    assert f"item-{other.pk}" not in edge_purges.tags  # an unrelated item's page stays cached at the edge


def test_an_edge_that_fails_is_retried_from_the_task_queue_and_the_lift_stands(
    newsroom, time_machine, django_capture_on_commit_callbacks, edge_purges, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the worker's queue, as deployed
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT, published_at=LIFT)
    time_machine.move_to(LIFT, tick=False)
    edge_purges.status = 503  # Varnish restarting
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        assert lift_embargo(release, at=LIFT)

    release.refresh_from_db()
    assert release.embargo_lifted_at is not None
    retry = DBTaskResult.objects.get(task_path="presscentre.pagecache.tasks.retry_edge_purge")
    name, tags, attempt = retry.args_kwargs["args"]
    assert (name, attempt) == ("varnish1", 1) and f"item-{release.pk}" in tags
    assert retry.run_after > LIFT

    edge_purges.status = 200
    from presscentre.pagecache.tasks import retry_edge_purge

    assert retry_edge_purge.call(name, tags, attempt) is True
    assert edge_purges.tag_sets[-1] == set(tags)
