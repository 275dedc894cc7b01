"""Every response a shared cache may keep names what it shows (`Surrogate-Key`) and says how long it may be kept
(issue 16, items 1 and 4); a personal response carries neither. Served through the WSGI page cache as a server does,
hits included."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection

from presscentre.comments.models import Comment
from presscentre.comments.tests.factories import CommentFactory
from presscentre.newsroom.models import ReportDocument
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PersonFactory,
    ReportFactory,
)


@pytest.fixture
def content(newsroom):
    topic, author = CategoryFactory(name="Economy", slug="economy"), PersonFactory(name="Nia Evans", slug="nia-evans")
    article = ArticleFactory(parent=newsroom, title="Wages", slug="wages", categories=[topic], people=[author])
    report = ReportFactory(parent=newsroom, title="Budgets", slug="budgets")
    pdf = get_document_model().objects.create(
        title="Full report",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="full.pdf"),
        collection=Collection.get_first_root_node(),
    )
    ReportDocument.objects.create(report=report, document=pdf)
    recording = get_document_model().objects.create(
        title="Interview", file=ContentFile(b"ID3", name="interview.mp3"), collection=Collection.get_first_root_node()
    )
    appearance = MediaAppearanceFactory(parent=newsroom, title="On air", slug="on-air", recording=recording)
    CommentFactory(item=article, status=Comment.Status.APPROVED)
    return {
        "topic": topic,
        "author": author,
        "article": article,
        "report": report,
        "pdf": pdf,
        "appearance": appearance,
    }


# Varnish assembles the comment form's challenge itself (ESI), so an item page with open comments is shareable.
AS_VARNISH = {"surrogate_capability": 'varnish="ESI/1.0"'}


def tags_of(response) -> list[str]:
    return response.get("Surrogate-Key", "").split()


def test_each_surface_names_itself_and_the_items_it_shows(wsgi, content):
    article, report, appearance = content["article"], content["report"], content["appearance"]
    every = {f"item-{page.pk}" for page in (article, report, appearance)}
    topic, author = content["topic"], content["author"]
    expected = {
        "/": {"site", "index"} | every,
        "/?type=report": {"site", "index", f"item-{report.pk}"},
        "/category/": {"site", "index"},
        "/author/": {"site", "index"},
        "/press-contacts/": {"site", "index"},
        f"/category/{topic.slug}/": {"site", f"category-{topic.pk}", f"item-{article.pk}"},
        f"/author/{author.slug}/": {"site", f"person-{author.pk}", f"item-{article.pk}"},
        article.url: {"site", f"item-{article.pk}"},
        f"{article.url}?format=text": {"site", f"item-{article.pk}"},
        "/feed/": {"site", "feeds"} | every,
        "/feed/atom/": {"site", "feeds"} | every,
        "/feed/json/": {"site", "feeds"} | every,
        "/feed/?type=report": {"site", "feeds", f"item-{report.pk}"},
        "/feed/podcast/": {"site", "podcast", f"item-{appearance.pk}"},
        f"/category/{topic.slug}/feed/": {"site", f"category-{topic.pk}", f"item-{article.pk}"},
        f"/author/{author.slug}/feed/atom/": {"site", f"person-{author.pk}", f"item-{article.pk}"},
        "/comments/feed/": {"site", "comments", f"item-{article.pk}"},
        f"/comments/feed/{article.pk}/": {"site", f"item-{article.pk}"},
        "/sitemap.xml": {"site", "sitemaps"},
        "/news-sitemap.xml": {"site", "sitemaps"},
        "/search/?q=wages": {"site", "search", f"item-{article.pk}"},
        "/robots.txt": {"site"},
    }
    for url, tags in expected.items():
        miss = wsgi.get(url, **AS_VARNISH)
        assert miss.status_code == 200, url
        assert set(tags_of(miss)) == tags, url
        assert tags_of(miss)[0] == "site"
        lifetime = 60 if url.startswith("/search/") else 600  # searches are kept briefly (docs/caching.md)
        assert f"s-maxage={lifetime}" in miss["Cache-Control"], url
        hit = wsgi.get(url, **AS_VARNISH)
        if hit.cache_state == "hit":
            assert tags_of(hit) == tags_of(miss), url  # a stored copy keeps its tags for the edge


def test_the_api_says_how_long_it_may_be_kept_and_names_its_items(wsgi, content):
    article = content["article"]

    listing = wsgi.get("/api/v2/pages/?type=newsroom.ArticlePage")
    detail = wsgi.get(f"/api/v2/pages/{article.pk}/")

    assert listing.status_code == detail.status_code == 200
    assert set(tags_of(listing)) == {"site", "api", f"item-{article.pk}"}
    assert set(tags_of(detail)) == {"site", "api", f"item-{article.pk}"}
    assert listing["Cache-Control"] == detail["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_a_public_download_names_its_document_and_the_items_that_show_it(
    wsgi, content, django_capture_on_commit_callbacks
):
    report, pdf = content["report"], content["pdf"]
    with django_capture_on_commit_callbacks(execute=True):
        report.save_revision().publish()  # fills in the reference index, as the worker does

    download = wsgi.get(pdf.url)

    assert download.status_code == 200
    assert set(tags_of(download)) == {"site", f"document-{pdf.pk}", f"item-{report.pk}"}
    assert download["Cache-Control"] == "public, max-age=60, s-maxage=600"


def test_staff_downloads_and_pages_are_never_shared_or_tagged(wsgi, content, client, editor):
    client.force_login(editor)
    session = f"sessionid={client.cookies['sessionid'].value}"

    download = wsgi.get(content["pdf"].url, cookies=session)
    page = wsgi.get(content["article"].url, cookies=session)

    assert download["Cache-Control"] == "private, no-store" and "Surrogate-Key" not in download
    assert "Surrogate-Key" not in page and "public" not in page.get("Cache-Control", "")


def test_an_embargoed_items_page_is_a_404_without_tags(wsgi, newsroom):
    from datetime import timedelta

    from django.utils import timezone

    from presscentre.newsroom.tests.factories import PressReleaseFactory

    lift = timezone.now() + timedelta(days=1)
    release = PressReleaseFactory(parent=newsroom, slug="secret", embargo_until=lift, published_at=lift)

    response = wsgi.get(release.url)

    assert response.status_code == 404 and "Surrogate-Key" not in response
    index = wsgi.get("/")
    assert f"item-{release.pk}" not in tags_of(index)  # nothing names an item before its lift


def test_cloudflare_gets_its_own_header(wsgi, content, settings):
    settings.PRESSCENTRE_EDGE_CACHES = {"cloudflare": {"kind": "cloudflare", "zone_id": "z", "token": "t"}}

    response = wsgi.get(content["article"].url)

    assert response["Cache-Tag"] == ",".join(tags_of(response))
