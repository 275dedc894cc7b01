"""The site memory: rows every request reads, kept per process until any app server changes one."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from presscentre.core import site_memo
from presscentre.newsroom.models import PressCentreSettings
from presscentre.newsroom.models.site_settings import DefaultPressContact
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    PressContactFactory,
    PressReleaseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_settings(newsroom):
    settings = PressCentreSettings.objects.create(site_id=1, organisation_name="Ashcombe Institute")
    return settings


def _queries(reader, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = reader.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _tables(sql: list[str]) -> str:
    return " ".join(sql)


def test_a_repeat_request_reads_no_site_settings_or_restrictions(newsroom, site_settings, reader):
    item = ArticleFactory(parent=newsroom)
    for url in ("/", item.url):
        reader.get(url)

        read = _tables(_queries(reader, url))

        assert "wagtailcore_site" not in read
        assert "newsroom_presscentresettings" not in read
        assert "comments_commentsettings" not in read
        assert "wagtailcore_pageviewrestriction" not in read


def test_a_settings_change_shows_on_the_next_request(newsroom, site_settings, reader):
    assert "Ashcombe Institute" in reader.get("/").text

    site_settings.organisation_name = "Ashcombe Foundation"
    site_settings.save()

    page = reader.get("/").text
    assert "Ashcombe Foundation" in page
    assert "Ashcombe Institute" not in page


def test_another_servers_change_is_seen_through_the_shared_generation(newsroom, site_settings, reader):
    reader.get("/")
    # Written without signals, as if through another app server: this process still shows what it kept...
    PressCentreSettings.objects.filter(pk=site_settings.pk).update(organisation_name="Changed Elsewhere")
    assert "Ashcombe Institute" in reader.get("/").text

    # ...until the shared generation moves on, which is all the other server's bump does here.
    cache.set(site_memo.GENERATION_KEY, "another-servers-generation")

    assert "Changed Elsewhere" in reader.get("/").text


def test_a_new_view_restriction_applies_at_once(newsroom, reader):
    item = ArticleFactory(parent=newsroom, title="Members only")
    assert reader.get(item.url).status_code == 200
    assert "Members only" in reader.get("/").text

    PageViewRestriction.objects.create(page=item, restriction_type=PageViewRestriction.LOGIN)

    assert reader.get(item.url).status_code == 302  # to the login page, as Wagtail answers
    assert "Members only" not in reader.get("/").text


def test_a_renamed_press_centre_shows_at_once(newsroom, reader):
    assert "<h1>Press Centre</h1>" in reader.get("/").text

    newsroom.title = "Newsroom"
    newsroom.save_revision().publish()

    assert "<h1>Newsroom</h1>" in reader.get("/").text


def test_default_press_contacts_follow_their_edits(newsroom, site_settings, reader):
    contact = PressContactFactory(name="Ann Press")
    DefaultPressContact.objects.create(settings=site_settings, contact=contact)
    release = PressReleaseFactory(parent=newsroom)
    assert "Ann Press" in reader.get(release.url).text

    contact.name = "Ann Presswell"
    contact.save()

    assert "Ann Presswell" in reader.get(release.url).text


def test_what_a_request_sets_on_its_copy_stays_with_it(newsroom, site_settings, rf):
    request = rf.get("/")
    token = site_memo._scope.set(site_memo._RequestScope())
    try:
        first = PressCentreSettings.for_site(newsroom.get_site())
        first.organisation_name = "Scribbled on by one request"
        second = PressCentreSettings.for_site(newsroom.get_site())
    finally:
        site_memo._scope.reset(token)

    assert request is not None
    assert first is not second
    assert second.organisation_name == "Ashcombe Institute"


def test_outside_a_request_every_read_goes_to_the_database(site_settings):
    calls = []

    def compute():
        calls.append(1)
        return "value"

    assert site_memo.memoised("key", compute) == "value"
    assert site_memo.memoised("key", compute) == "value"
    assert len(calls) == 2


def test_a_category_archive_follows_its_category(newsroom, reader):
    assert reader.get("/category/housing/").status_code == 404  # not remembered as missing...
    category = CategoryFactory(name="Housing", slug="housing")
    ArticleFactory(parent=newsroom, categories=[category])
    assert '<h1><span class="archive-kind">Category:</span> Housing</h1>' in reader.get("/category/housing/").text

    category.name = "Homes"
    category.save()

    assert "Category:</span> Homes</h1>" in reader.get("/category/housing/").text


def test_unknown_names_do_not_fill_the_memory(newsroom, reader):
    for number in range(20):
        assert reader.get(f"/category/nothing-{number}/").status_code == 404

    assert all(value is not None for value in site_memo._memo._values.values())
    assert not any(key[0] == "category" for key in site_memo._memo._values if isinstance(key, tuple))


def test_without_a_shared_cache_every_request_reads_the_rows(newsroom, site_settings, reader, settings):
    settings.PRESSCENTRE_SITE_MEMO = False  # switched off, as PRESSCENTRE_SITE_MEMO=false does
    reader.get("/")

    read = _tables(_queries(reader, "/"))

    assert "wagtailcore_site" in read
    assert "newsroom_presscentresettings" in read
