import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from lxml import etree

from presscentre.core.urls_public import public_url
from presscentre.newsroom.models import PressCentreSettings
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
)

SCHEMAS = Path(settings.BASE_DIR).parent / "shared/conformance/schemas/sitemaps"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)
MARKER = "qx7-embargo-marker"


def schema(name: str) -> etree.XMLSchema:
    """An official schema loaded from its file, so that its imports resolve beside it."""
    path = SCHEMAS / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"The sitemap schemas are missing from {SCHEMAS}.")
        pytest.skip(f"The sitemap schemas are not at {SCHEMAS}.")
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(document: etree._Element, xsd: etree.XMLSchema) -> None:
    assert xsd.validate(document), xsd.error_log


def fetch(client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def site_sitemap(client) -> etree._Element:
    """Every sitemap page the index at /sitemap.xml names, each checked against the protocol's schema, read as one
    urlset (the index is checked against the sitemap index schema, and each page named once)."""
    index = fetch(client, "/sitemap.xml")
    assert_valid(index, schema("siteindex.xsd"))
    page_urls = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert len(page_urls) == len(set(page_urls))
    combined = etree.Element(f"{SITEMAP}urlset")
    for page_url in page_urls:
        assert page_url.startswith(public_url("/"))
        page = fetch(client, page_url.removeprefix(public_url("/")[:-1]))
        assert_valid(page, schema("sitemap.xsd"))
        combined.extend(page)
    return combined


def locations(document) -> list[str]:
    return [loc.text for loc in document.iter(f"{SITEMAP}loc")]


@pytest.fixture
def embargoed(newsroom):
    """A public neighbour and an embargoed release that share a category, whose slug and title carry the marker."""
    topic = CategoryFactory(name="Economy")
    ArticleFactory(
        parent=newsroom, title="Public neighbour", categories=[topic], published_at=LIFT - timedelta(hours=1)
    )
    return PressReleaseFactory(
        parent=newsroom,
        title=f"Launch {MARKER}",
        slug=MARKER,
        embargo_until=LIFT,
        published_at=LIFT,
        categories=[topic, CategoryFactory(name="Secret topic")],
    )


def test_sitemap_lists_public_items_indexes_and_archives_with_lastmod_on_the_public_base(newsroom, client):
    topic = CategoryFactory(name="Economy")
    author = PersonFactory(name="Nia Evans", slug="nia-evans")
    release = PressReleaseFactory(parent=newsroom, slug="budget-release", categories=[topic], people=[author])
    report = ReportFactory(parent=newsroom, slug="counting-the-cost")
    draft = PressReleaseFactory(parent=newsroom, slug="draft-release", live=False)
    edited_at = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
    type(release).objects.filter(pk=release.pk).update(last_published_at=edited_at)

    document = site_sitemap(client)

    urls = locations(document)
    assert urls[0] == public_url("/")
    assert {
        public_url("/budget-release/"),
        public_url("/counting-the-cost/"),
        public_url("/category/economy/"),
        public_url("/author/nia-evans/"),
    } <= set(urls)
    assert public_url("/draft-release/") not in urls
    entries = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in document}
    assert datetime.fromisoformat(entries[public_url("/budget-release/")]) == edited_at
    # Never republished: the publication date stands in.
    assert datetime.fromisoformat(entries[public_url("/counting-the-cost/")]) == report.published_at
    assert datetime.fromisoformat(entries[public_url("/")]) == edited_at
    assert draft.live is False


def test_sitemap_queries_stay_bounded_with_thirty_items(newsroom, client, django_assert_max_num_queries):
    topics = [CategoryFactory(name=f"Topic {n}") for n in range(3)]
    people = [PersonFactory() for _ in range(3)]
    for n in range(30):
        PressReleaseFactory(parent=newsroom, categories=[topics[n % 3]], people=[people[n % 3]])

    # The index: the site and its root (the request's), the private sections, the items' pages and their dates in one
    # grouped read, the plain pages' restrictions and newest date, and the page cache's look-up of the next embargo.
    with django_assert_max_num_queries(7):
        index = fetch(client, "/sitemap.xml")
    pages = locations(index)
    assert len(pages) == 2
    # The indexes, the archives and the plain pages (two queries: the view restrictions, then the rows).
    with django_assert_max_num_queries(16):
        assert len(locations(fetch(client, "/sitemap-pages.xml"))) == 1 + 3 + 3
    # The items: one range read, whatever their number.
    with django_assert_max_num_queries(3):
        assert len(locations(fetch(client, pages[1].removeprefix(public_url("/")[:-1])))) == 30


def test_news_sitemap_lists_the_last_two_days_with_publication_name_and_language(newsroom, client):
    now = datetime(2030, 6, 10, 12, 0, tzinfo=UTC)
    site_settings = PressCentreSettings.for_site(newsroom.get_site())
    site_settings.organisation_name = "Institute for Fair & Open Policy"
    site_settings.save()
    PressReleaseFactory(parent=newsroom, title="Fresh <release>", slug="fresh", published_at=now - timedelta(hours=47))
    PressReleaseFactory(parent=newsroom, slug="stale", published_at=now - timedelta(days=2, seconds=1))

    with time_machine.travel(now, tick=False):
        document = fetch(client, "/news-sitemap.xml")

    assert_valid(document, schema("sitemap-with-extensions.xsd"))
    assert locations(document) == [public_url("/fresh/")]
    news = document.find(f"{SITEMAP}url/{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Institute for Fair & Open Policy"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == "Fresh <release>"
    assert datetime.fromisoformat(news.findtext(f"{NEWS}publication_date")) == now - timedelta(hours=47)


def test_news_sitemap_elements_also_validate_against_the_news_schema_alone(newsroom, client):
    PressReleaseFactory(parent=newsroom, published_at=datetime.now(UTC) - timedelta(hours=1))
    news_schema = schema("sitemap-news.xsd")

    document = fetch(client, "/news-sitemap.xml")

    elements = list(document.iter(f"{NEWS}news"))
    assert len(elements) == 1
    for element in elements:
        assert_valid(element, news_schema)


def test_robots_txt_shuts_the_admin_and_personal_links_and_names_both_sitemaps(db, client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /embargoed/" in lines
    assert f"Sitemap: {public_url('/sitemap.xml')}" in lines
    assert f"Sitemap: {public_url('/news-sitemap.xml')}" in lines
    assert [line for line in lines if line.startswith("Disallow:")] == ["Disallow: /admin/", "Disallow: /embargoed/"]


@pytest.mark.parametrize("url", ["/sitemap.xml", "/news-sitemap.xml"])
def test_embargoed_item_enters_the_sitemaps_exactly_at_the_lift(embargoed, client, url):
    def read() -> str:
        if url == "/sitemap.xml":
            return etree.tostring(site_sitemap(client)).decode().lower()
        return client.get(url).content.decode().lower()

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        before = read()
    with time_machine.travel(LIFT, tick=False):
        after = read()

    assert MARKER not in before
    assert "secret-topic" not in before  # an archive only the embargoed item fills
    assert "public-neighbour" in before
    assert MARKER in after
    if url == "/sitemap.xml":
        assert "/category/secret-topic/" in after


def test_sitemap_lists_the_plain_pages_anyone_may_read_and_no_draft_or_private_one(newsroom, client):
    from wagtail.models import PageViewRestriction

    from presscentre.newsroom.models import ContentPage

    about = newsroom.add_child(instance=ContentPage(title="About us", slug="about-us"))
    about.add_child(instance=ContentPage(title="Our history", slug="history"))
    newsroom.add_child(instance=ContentPage(title="Coming soon", slug="coming-soon", live=False))
    private = newsroom.add_child(instance=ContentPage(title="Staff only", slug="staff-only"))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    urls = locations(site_sitemap(client))
    assert {public_url("/about-us/"), public_url("/about-us/history/")} <= set(urls)
    assert public_url("/coming-soon/") not in urls and public_url("/staff-only/") not in urls


@pytest.mark.parametrize("per_page", [1, 4, 7])
def test_an_archive_larger_than_one_page_lists_every_public_item_exactly_once_across_the_pages(
    newsroom, client, settings, per_page
):
    """With a page of a few URLs standing in for 50,000: every public item once, nothing embargoed, no draft, each
    page valid and within the limit, and the index's date for a page the newest of its items'."""
    settings.PRESSCENTRE_SITEMAP_URLS_PER_PAGE = per_page
    public = [PressReleaseFactory(parent=newsroom, slug=f"public-{n}") for n in range(11)]
    PressReleaseFactory(parent=newsroom, slug=f"embargoed-{MARKER}", embargo_until=LIFT, published_at=LIFT)
    PressReleaseFactory(parent=newsroom, slug="a-draft", live=False)
    public.append(ReportFactory(parent=newsroom, slug="public-report"))

    index = fetch(client, "/sitemap.xml")
    assert_valid(index, schema("siteindex.xsd"))
    item_locations = []
    for entry in index:
        location = entry.findtext(f"{SITEMAP}loc").removeprefix(public_url("/")[:-1])
        page = fetch(client, location)
        assert_valid(page, schema("sitemap.xsd"))
        if "sitemap-items-" not in location:
            continue
        assert 1 <= len(page) <= per_page
        item_locations += locations(page)
        page_dates = [datetime.fromisoformat(url.findtext(f"{SITEMAP}lastmod")) for url in page]
        assert datetime.fromisoformat(entry.findtext(f"{SITEMAP}lastmod")) == max(page_dates)

    assert sorted(item_locations) == sorted(public_url(item.url) for item in public)
    assert len(item_locations) == len(set(item_locations))


def test_a_sitemap_page_with_nothing_public_or_out_of_range_is_not_found(newsroom, client, settings):
    settings.PRESSCENTRE_SITEMAP_URLS_PER_PAGE = 2
    embargoed = PressReleaseFactory(parent=newsroom, slug="only-embargoed", embargo_until=LIFT, published_at=LIFT)

    assert client.get(f"/sitemap-items-{embargoed.pk // 2}.xml").status_code == 404
    assert client.get("/sitemap-items-99999999999999999999.xml").status_code == 404
    assert client.get("/sitemap-items--1.xml").status_code == 404
    assert "sitemap-items-" not in client.get("/sitemap.xml").content.decode()
