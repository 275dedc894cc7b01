import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from presscentre.core.urls_public import public_url
from presscentre.newsroom.models import ArticlePage, PressCentreSettings
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ImageFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressReleaseFactory,
    ReportFactory,
)
from presscentre.syndication.metadata import json_ld_script

LIFT = datetime(2031, 5, 23, 23, 1, tzinfo=UTC)
MARKER = "QX7-EMBARGO-MARKER"


class Head:
    """The metadata a crawler reads from a page's <head>."""

    def __init__(self, response):
        assert response.status_code == 200
        self.soup = BeautifulSoup(response.content, "html.parser")
        self.head = self.soup.head

    def canonical(self) -> str:
        links = self.head.find_all("link", rel="canonical")
        assert len(links) == 1
        return links[0]["href"]

    def meta(self, key: str) -> str | None:
        found = self.head.find_all("meta", attrs={"property": key}) or self.head.find_all("meta", attrs={"name": key})
        assert len(found) <= 1, key
        return found[0]["content"] if found else None

    def json_ld(self) -> list[dict]:
        return [json.loads(script.string) for script in self.head.find_all("script", type="application/ld+json")]


@pytest.fixture
def site_settings(newsroom):
    settings = PressCentreSettings.for_site(newsroom.get_site())
    settings.organisation_name = "Institute for Fair Policy"
    settings.save()
    return settings


def test_press_release_carries_news_article_metadata(newsroom, site_settings, client):
    authors = [PersonFactory(name="Nia Evans"), PersonFactory(name="Tom Reed")]
    release = PressReleaseFactory(
        parent=newsroom, slug="budget", title="Budget figures", summary="Families pay more.", people=authors
    )

    head = Head(client.get(release.url))

    url = public_url("/budget/")
    assert head.canonical() == url
    assert head.meta("description") == "Families pay more."
    assert head.meta("og:type") == "article"
    assert head.meta("og:title") == "Budget figures"
    assert head.meta("og:description") == "Families pay more."
    assert head.meta("og:url") == url
    assert head.meta("og:site_name") == "Institute for Fair Policy"
    assert head.meta("og:image") is None
    assert head.meta("twitter:card") == "summary"
    assert head.meta("twitter:title") == "Budget figures"
    assert head.meta("robots") is None
    [data] = head.json_ld()
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Budget figures"
    assert datetime.fromisoformat(data["datePublished"]) == release.published_at
    assert datetime.fromisoformat(data["dateModified"]) == release.published_at
    assert [author["name"] for author in data["author"]] == ["Nia Evans", "Tom Reed"]
    assert all(author["@type"] == "Person" for author in data["author"])
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "Institute for Fair Policy",
        "url": public_url("/"),
    }
    assert data["description"] == "Families pay more."
    assert data["url"] == url


def test_description_falls_back_to_the_excerpt(newsroom, client):
    release = PressReleaseFactory(parent=newsroom, summary="", lead="", body=[])
    release.body = [{"type": "paragraph", "value": "<p>Only the body says this.</p>"}]
    release.save_revision().publish()

    head = Head(client.get(release.url))

    assert head.meta("description") == "Only the body says this."
    assert head.json_ld()[0]["description"] == "Only the body says this."


def test_cross_posted_article_points_canonical_at_the_original(newsroom, client):
    original = "https://ledger.example.com/opinion/budgets"
    article = ArticleFactory(
        parent=newsroom, original_url=original, canonical_policy=ArticlePage.CanonicalPolicy.ORIGINAL
    )
    own = ArticleFactory(parent=newsroom, slug="our-copy", original_url=original)

    head = Head(client.get(article.url))
    own_head = Head(client.get(own.url))

    assert head.canonical() == original
    assert head.meta("og:url") == original
    assert head.json_ld()[0]["@type"] == "NewsArticle"
    assert head.json_ld()[0]["url"] == original
    assert own_head.canonical() == public_url("/our-copy/")


def test_report_has_report_json_ld_and_its_cover_as_a_large_card_image(newsroom, client):
    report = ReportFactory(parent=newsroom, report_title="Counting the Cost", cover_image=ImageFactory())

    head = Head(client.get(report.url))

    image = head.meta("og:image")
    assert image.startswith(public_url("/"))
    assert "fill-1200x630" in image
    assert head.meta("twitter:image") == image
    assert head.meta("twitter:card") == "summary_large_image"
    [data] = head.json_ld()
    assert data["@type"] == "Report"
    assert data["name"] == "Counting the Cost"
    assert data["image"] == [image]


def test_first_body_image_is_the_share_image_when_there_is_no_cover(newsroom, client):
    picture = ImageFactory()
    release = PressReleaseFactory(
        parent=newsroom,
        body=[
            {"type": "paragraph", "value": "<p>Text first.</p>"},
            {"type": "image", "value": {"image": picture.pk, "alt_text": "A chart", "caption": ""}},
        ],
    )

    head = Head(client.get(release.url))

    assert head.meta("og:image").startswith(public_url("/"))
    assert head.meta("twitter:card") == "summary_large_image"


def test_media_appearance_has_article_metadata_without_json_ld(newsroom, client):
    appearance = MediaAppearanceFactory(parent=newsroom)

    head = Head(client.get(appearance.url))

    assert head.meta("og:type") == "article"
    assert head.json_ld() == []


def test_index_describes_the_organisation(newsroom, site_settings, client):
    PressReleaseFactory(parent=newsroom)

    head = Head(client.get("/"))

    assert head.canonical() == public_url("/")
    assert head.meta("og:type") == "website"
    assert head.meta("og:site_name") == "Institute for Fair Policy"
    assert head.json_ld() == [
        {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": "Institute for Fair Policy",
            "url": public_url("/"),
        }
    ]


def test_listing_canonical_keeps_the_type_and_a_later_page_but_no_other_parameters(newsroom, client, settings):
    settings.PRESSCENTRE_ITEMS_PER_PAGE = 1
    PressReleaseFactory.create_batch(2, parent=newsroom)

    assert Head(client.get("/?page=1&utm_source=x")).canonical() == public_url("/")
    assert Head(client.get("/?page=2")).canonical() == public_url("/?page=2")
    assert Head(client.get("/?type=press-release&page=2")).canonical() == public_url("/?type=press-release&page=2")


def test_archives_have_their_own_canonical_and_a_person_photo(newsroom, client):
    topic = CategoryFactory(name="Economy", description="Growth and budgets.")
    person = PersonFactory(name="Nia Evans", slug="nia-evans", role="Senior Fellow", photo=ImageFactory())
    PressReleaseFactory(parent=newsroom, categories=[topic], people=[person])

    category_head = Head(client.get("/category/economy/?page=1"))
    person_head = Head(client.get("/author/nia-evans/"))

    assert category_head.canonical() == public_url("/category/economy/")
    assert category_head.meta("og:title") == "Economy"
    assert category_head.meta("description") == "Growth and budgets."
    assert person_head.canonical() == public_url("/author/nia-evans/")
    assert person_head.meta("og:title") == "Nia Evans"
    assert person_head.meta("description") == "Senior Fellow"
    assert person_head.meta("og:image").startswith(public_url("/"))


def test_json_ld_cannot_be_broken_out_of_by_a_title(newsroom, client):
    title = "</script><script>alert(1)</script> & <!-- more"
    release = PressReleaseFactory(parent=newsroom, title=title)

    response = client.get(release.url)
    head = Head(response)

    assert b"</script><script>alert(1)" not in response.content
    assert head.json_ld()[0]["headline"] == title
    assert json_ld_script({"a": "<>&"}) == '<script type="application/ld+json">{"a": "\\u003C\\u003E\\u0026"}</script>'


def test_staff_preview_of_an_embargoed_item_is_noindex(newsroom, client, editor):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT)

    with time_machine.travel(LIFT - timedelta(hours=1), tick=False):
        client.force_login(editor)
        before = Head(client.get(release.url))
    with time_machine.travel(LIFT, tick=False):
        after = Head(client.get(release.url))

    assert before.meta("robots") == "noindex, nofollow"
    assert after.meta("robots") is None


def test_embargoed_item_metadata_reaches_no_page_before_the_lift(newsroom, client):
    topic = CategoryFactory(name="Economy")
    PressReleaseFactory(parent=newsroom, title="Public neighbour", categories=[topic])
    release = PressReleaseFactory(
        parent=newsroom,
        title=f"Launch {MARKER}",
        summary=f"Summary {MARKER}",
        embargo_until=LIFT,
        published_at=LIFT,
        categories=[topic],
    )
    urls = ["/", "/category/economy/", release.url]

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        before = {url: client.get(url) for url in urls}
    with time_machine.travel(LIFT, tick=False):
        after = {url: client.get(url) for url in urls}

    assert before[release.url].status_code == 404
    assert all(MARKER.encode() not in response.content for response in before.values())
    assert all(MARKER.encode() in response.content for response in after.values())
    item_head = Head(after[release.url])
    assert MARKER in item_head.meta("og:title")
    assert MARKER in item_head.json_ld()[0]["headline"]
    assert item_head.meta("robots") is None


def test_pages_outside_the_tree_name_only_the_site(newsroom, client):
    hidden = PressReleaseFactory(parent=newsroom, slug="hidden", embargo_until=LIFT)

    with time_machine.travel(LIFT - timedelta(seconds=1), tick=False):
        responses = [client.get(hidden.url), client.get("/no-such-item/")]

    for response in responses:
        assert response.status_code == 404
        head = BeautifulSoup(response.content, "html.parser").head
        assert head.find("link", rel="canonical") is None
        assert head.find("meta", property="og:url") is None
        assert head.find("meta", property="og:site_name")["content"] == "Our organisation"
