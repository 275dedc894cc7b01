"""The reader's and journalist's ways round the public site: header search and press contacts on every page, the
category and people indexes, archive filters and feeds, print and plain text, the release line after the lift,
sharing without third parties, and the 404 page."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from wagtail.models import Site

from presscentre.core.urls_public import public_page_url, public_url
from presscentre.embargo.services import create_access_link
from presscentre.newsroom.dates import long_date, release_line_at
from presscentre.newsroom.models import (
    Category,
    DefaultPressContact,
    ItemPerson,
    Person,
    PressCentrePage,
    PressCentreSettings,
    PressContact,
)
from presscentre.newsroom.sharing import INSTANCE_ERROR, SHARE_LINK_ERROR, instance_host, mastodon_share_url
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    CategoryFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressContactFactory,
    PressReleaseFactory,
    ReportFactory,
)

LIFT = datetime(2030, 3, 2, 0, 1, tzinfo=UTC)  # 00:01 GMT, Saturday 2nd March 2030
BEFORE = LIFT - timedelta(seconds=1)


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def visible_text(response, selector: str = "main") -> str:
    return " ".join(soup(response).select_one(selector).get_text(" ").split())


def index_entries(response) -> list[str]:
    return [" ".join(li.get_text().split()) for li in soup(response).select("main .archive-index li")]


@pytest.fixture
def site_settings(newsroom):
    settings = PressCentreSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name = "The Example Institute"
    settings.press_office_email = "press@example.org"
    settings.save()
    DefaultPressContact.objects.create(
        settings=settings,
        contact=PressContactFactory(name="Priya Shah", phone="020 7946 0123", out_of_hours_phone="07700 900123"),
    )
    return settings


@pytest.fixture
def at_the_lift(time_machine):
    """Stand one second before the lift; `at_the_lift()` moves the clock to the instant itself."""
    time_machine.move_to(BEFORE, tick=False)
    return lambda: time_machine.move_to(LIFT, tick=False)


@pytest.fixture
def economy(newsroom):
    return CategoryFactory(name="Economy", slug="economy")


@pytest.fixture
def embargoed_release(newsroom, economy):
    fellow = PersonFactory(name="Dr Embargo Only", slug="embargo-only")
    return PressReleaseFactory(
        parent=newsroom,
        title="Secret budget findings",
        embargo_until=LIFT,
        published_at=LIFT,
        categories=[economy],
        people=[fellow],
    )


# Header and footer on every public page


def public_urls(newsroom, client, editor) -> dict[str, str]:
    economy = CategoryFactory(name="Economy", slug="economy")
    fellow = PersonFactory(name="Ada Fellow", slug="ada-fellow")
    article = ArticleFactory(parent=newsroom, categories=[economy], people=[fellow])
    upcoming = PressReleaseFactory(parent=newsroom, embargo_until=datetime(2099, 1, 1, tzinfo=UTC))
    link = create_access_link(
        upcoming, name="Jo Reporter", email="jo@example.org", outlet="", by=editor, at=datetime.now(tz=UTC)
    )
    return {
        "index": "/",
        "item": article.url,
        "category archive": "/category/economy/",
        "person archive": "/author/ada-fellow/",
        "category index": "/category/",
        "people index": "/author/",
        "press contacts": "/press-contacts/",
        "search": "/search/?q=budget",
        "mastodon share": f"/share/mastodon/?url=http://testserver{article.url}&text=Hello",
        "not found": "/no-such-page/",
        "journalist copy": link.get_absolute_url(),
    }


def test_every_public_page_has_the_header_search_and_press_contacts_links(newsroom, site_settings, client, editor):
    for name, url in public_urls(newsroom, client, editor).items():
        response = client.get(url)
        assert response.status_code in (200, 404), name
        page = soup(response)
        search = page.select_one("header.site-header form[role=search]")
        assert search is not None, name
        assert search["action"] == "/search/" and search.select_one("input[name=q]") is not None, name
        assert search.select_one(f"label[for={search.select_one('input')['id']}]") is not None, name
        assert page.select_one("header.site-header a[href='/press-contacts/']") is not None, name
        assert page.select_one("footer.site-footer a[href='/press-contacts/']") is not None, name
        assert page.select_one("footer.site-footer a[href='/feed/']") is not None, name


def test_not_found_page_offers_search_and_the_press_office_without_any_page_context(db, client):
    # A fresh install: no press centre at all, so the template has neither a page nor a press centre to ask.
    assert not PressCentrePage.objects.exists()

    response = client.get("/nowhere/")

    assert response.status_code == 404
    page = soup(response)
    assert page.select_one("h1").get_text() == "Page not found"
    assert page.select_one("main form[role=search] input[name=q]") is not None
    assert page.select_one("header form[role=search] input[name=q]") is not None
    assert page.select_one("main a[href='/press-contacts/']").get_text() == "Contact the press office"


def test_not_found_page_under_a_press_centre_links_to_its_pages(newsroom, client):
    response = client.get("/no-such-item/")

    assert response.status_code == 404
    page = soup(response)
    assert page.select_one("main form[role=search]")["action"] == "/search/"
    assert page.select_one("main a[href='/category/']") is not None


# Press contacts


def test_press_contacts_page_lists_the_press_office_and_named_contacts_by_topic(site_settings, client):
    energy = CategoryFactory(name="Energy")
    PressContactFactory(name="Noor Ali", role="Energy press officer", topic=energy, out_of_hours_phone="07700 900555")
    PressContactFactory(name="Ben Cole", topic=CategoryFactory(name="Children"))
    PressContactFactory(name="Cat Dunn", topic=None)

    response = client.get("/press-contacts/")

    assert response.status_code == 200
    text = visible_text(response)
    assert "Email: press@example.org" in text
    assert "Priya Shah" in text and "Out of hours: 07700 900123" in text
    headings = [heading.get_text() for heading in soup(response).select("main h3")]
    assert headings == ["Children", "Energy", "Other enquiries"]
    assert text.index("Energy") < text.index("Noor Ali") < text.index("Out of hours: 07700 900555")
    assert text.count("Priya Shah") == 1  # a default contact is listed with the press office, not again
    assert "s-maxage" in response["Cache-Control"]  # shared by every reader through the page cache


def test_press_contacts_page_without_any_contact_says_so(newsroom, client):
    text = visible_text(client.get("/press-contacts/"))

    assert "The press office has not published its contact details yet." in text


def test_press_contact_topic_is_optional_and_cleared_with_its_category(db):
    topic = CategoryFactory(name="Housing")
    contact = PressContactFactory(topic=topic)
    topic.delete()

    contact.refresh_from_db()
    assert contact.topic is None
    assert PressContact._meta.get_field("topic").blank


@pytest.mark.parametrize("factory", [ReportFactory, MediaAppearanceFactory])
def test_reports_and_recordings_carry_the_media_contacts_block_with_the_defaults(site_settings, client, factory):
    item = factory(parent=site_settings.site.root_page)

    block = soup(client.get(item.url)).select_one("section.media-contacts")

    assert block is not None
    text = " ".join(block.get_text(" ").split())
    assert "Priya Shah" in text and "Out of hours: 07700 900123" in text
    assert block.select_one("a[href='/press-contacts/']") is not None
    assert block.select_one("a[href='mailto:press@example.org']") is not None


# Category and people indexes


def test_category_index_counts_public_items_and_an_embargoed_one_only_from_the_lift(
    newsroom, economy, embargoed_release, at_the_lift, client
):
    ArticleFactory(parent=newsroom, categories=[economy])
    secret_only = CategoryFactory(name="Project Falcon")
    PressReleaseFactory(parent=newsroom, embargo_until=LIFT, published_at=LIFT, categories=[secret_only])

    before = client.get("/category/")

    assert before.status_code == 200
    assert index_entries(before) == ["Economy (1 item)"]  # Project Falcon's only item is secret: not even named
    assert soup(before).select_one("main a[href='/category/economy/']") is not None

    at_the_lift()
    after = client.get("/category/")
    assert index_entries(after) == ["Economy (2 items)", "Project Falcon (1 item)"]


def test_people_index_counts_public_items_and_an_embargoed_one_only_from_the_lift(
    newsroom, embargoed_release, at_the_lift, client
):
    fellow = PersonFactory(name="Ada Fellow", slug="ada-fellow", role="Senior Fellow")
    ArticleFactory(parent=newsroom, people=[fellow])
    ItemPerson.objects.create(item=embargoed_release, person=fellow, sort_order=1)

    before = client.get("/author/")

    assert index_entries(before) == ["Ada Fellow, Senior Fellow (1 item)"]
    assert soup(before).select_one("main a[href='/author/ada-fellow/']") is not None

    at_the_lift()
    after = index_entries(client.get("/author/"))
    assert after == ["Ada Fellow, Senior Fellow (2 items)", "Dr Embargo Only, Senior Fellow (1 item)"]


def test_counts_take_the_instant_as_an_argument(newsroom, economy, embargoed_release):
    def count(at):
        return {category.name: category.item_count for category in newsroom.public_counts(Category, at)}

    assert count(BEFORE) == {}
    assert count(LIFT) == {"Economy": 1}
    assert {person.name for person in newsroom.public_counts(Person, LIFT)} == {"Dr Embargo Only"}


def test_indexes_read_a_fixed_number_of_queries(newsroom, client, django_assert_max_num_queries):
    categories = [CategoryFactory() for _ in range(5)]
    people = [PersonFactory() for _ in range(5)]
    for category, person in zip(categories, people, strict=True):
        ArticleFactory(parent=newsroom, categories=[category], people=[person])
    client.get("/category/")  # warm the site memory

    with django_assert_max_num_queries(12):
        assert client.get("/category/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/author/").status_code == 200


def test_indexes_are_linked_from_the_header_and_cached_like_listings(newsroom, client):
    response = client.get("/category/")

    header = soup(response).select_one("header.site-header")
    assert header.select_one("a[href='/category/'][aria-current=page]") is not None
    assert header.select_one("a[href='/author/']") is not None
    assert "s-maxage" in response["Cache-Control"]
    assert soup(response).select_one("link[rel=canonical]")["href"] == public_url("/category/")


# Archives: the type filter and visible feeds


def test_archive_type_filter_keeps_the_archive(newsroom, economy, client):
    ArticleFactory(parent=newsroom, title="An article on the economy", categories=[economy])
    ReportFactory(parent=newsroom, title="A report on the economy", categories=[economy])
    ReportFactory(parent=newsroom, title="A report elsewhere")

    response = client.get("/category/economy/?type=report")

    archive_filter = soup(response).select_one("main nav.type-nav--archive")
    links = {a.get_text(): a["href"] for a in archive_filter.select("a")}
    assert links["All types"] == "/category/economy/"
    assert links["Reports"] == "/category/economy/?type=report"
    assert archive_filter.select_one("a[aria-current=page]").get_text() == "Reports"
    titles = [a.get_text() for a in soup(response).select("main .entry-title a")]
    assert titles == ["A report on the economy"]


def test_person_archive_has_its_own_type_filter_and_feeds(newsroom, client):
    fellow = PersonFactory(name="Ada Fellow", slug="ada-fellow")
    ArticleFactory(parent=newsroom, people=[fellow])

    page = soup(client.get("/author/ada-fellow/"))

    assert page.select_one("main nav.type-nav--archive a[href='/author/ada-fellow/?type=article']") is not None
    feeds = [a["href"] for a in page.select("main .feed-subscribe a")]
    assert feeds == ["/author/ada-fellow/feed/", "/author/ada-fellow/feed/atom/", "/author/ada-fellow/feed/json/"]


def test_index_and_category_archive_show_their_feed_links(newsroom, economy, client):
    ArticleFactory(parent=newsroom, categories=[economy])

    index = [a["href"] for a in soup(client.get("/?type=article")).select("main .feed-subscribe a")]
    archive = [a["href"] for a in soup(client.get("/category/economy/")).select("main .feed-subscribe a")]

    assert index == ["/feed/?type=article", "/feed/atom/?type=article", "/feed/json/?type=article"]
    assert archive == ["/category/economy/feed/", "/category/economy/feed/atom/", "/category/economy/feed/json/"]


# The release line and the one date style


def test_release_line_reads_as_published_from_the_lift(newsroom, editor, at_the_lift, client):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT, published_at=LIFT, dateline_place="London")
    client.force_login(editor)

    staff_before = soup(client.get(release.url)).select_one(".release-line").get_text()

    at_the_lift()
    client.logout()
    public = soup(client.get(release.url))
    assert staff_before == "EMBARGOED UNTIL 00:01 GMT, Saturday 2nd March 2030"
    assert public.select_one(".release-line").get_text() == "Published 00:01 GMT, 2nd March 2030"
    assert "EMBARGOED" not in public.select_one("main").get_text()
    assert public.select_one(".dateline").get_text() == "LONDON, 2nd March 2030 —"
    assert public.select_one(".item-meta time").get_text() == "2nd March 2030"


def test_journalist_copy_before_the_lift_keeps_the_embargo_line(newsroom, editor, at_the_lift, client):
    release = PressReleaseFactory(parent=newsroom, embargo_until=LIFT, published_at=LIFT)
    link = create_access_link(release, name="Jo Reporter", email="jo@example.org", outlet="", by=editor, at=BEFORE)

    page = soup(client.get(link.get_absolute_url()))

    assert page.select_one(".release-line").get_text().startswith("EMBARGOED UNTIL 00:01 GMT")
    assert page.select_one(".share") is None  # nothing to share before the lift
    assert page.select_one("a[href$='?format=text']") is None  # the public plain text is a 404 until then


def test_release_line_without_an_embargo_is_for_immediate_release(db):
    release = PressReleaseFactory.build(embargo_until=None)

    assert release_line_at(release, at=LIFT, zone=UTC) == "FOR IMMEDIATE RELEASE"


def test_release_line_is_written_in_the_page_zone_and_date_style(db):
    from zoneinfo import ZoneInfo

    release = PressReleaseFactory.build(embargo_until=LIFT, published_at=datetime(2030, 6, 1, 23, 30, tzinfo=UTC))
    london = ZoneInfo("Europe/London")

    assert release_line_at(release, at=release.published_at, zone=london) == "Published 00:30 BST, 2nd June 2030"
    assert release_line_at(release, at=BEFORE, zone=london).startswith("EMBARGOED UNTIL")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 12, 2, 12, 0, tzinfo=UTC), "2nd December 2026"),
        (datetime(2026, 12, 21, 12, 0, tzinfo=UTC), "21st December 2026"),
        (datetime(2026, 12, 13, 12, 0, tzinfo=UTC), "13th December 2026"),
        (None, ""),
    ],
)
def test_long_date_is_the_one_date_style(value, expected):
    assert long_date(value) == expected


# Print and plain text


def test_item_offers_print_and_a_plain_text_download(newsroom, client):
    article = ArticleFactory(parent=newsroom, title="Energy bills explained")

    actions = soup(client.get(article.url)).select_one(".item-actions")

    assert actions.select_one("button[data-print]") is not None
    assert actions.select_one(f"a[href='{article.url}?format=text']") is not None


def test_plain_text_download_is_the_item_as_text(newsroom, site_settings, client):
    release = PressReleaseFactory(parent=newsroom, title="Energy bills explained", slug="energy-bills")

    response = client.get(f"{release.url}?format=text")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="energy-bills.txt"'
    text = response.content.decode()
    assert "Energy bills explained" in text and "ENDS" in text and "<p>" not in text


def test_plain_text_of_an_embargoed_item_is_a_404_to_the_public_until_the_lift(newsroom, editor, at_the_lift, client):
    release = PressReleaseFactory(parent=newsroom, title="Secret budget findings", embargo_until=LIFT)

    assert client.get(f"{release.url}?format=text").status_code == 404
    client.force_login(editor)
    staff = client.get(f"{release.url}?format=text")
    assert staff.status_code == 200 and "Secret budget findings" in staff.content.decode()
    assert staff["Cache-Control"] == "private, no-store"
    client.logout()

    at_the_lift()
    public = client.get(f"{release.url}?format=text")
    assert public.status_code == 200 and "Secret budget findings" in public.content.decode()


def test_plain_text_obeys_wagtail_view_restrictions(newsroom, client):
    from wagtail.models import PageViewRestriction

    article = ArticleFactory(parent=newsroom, title="Members only")
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(f"{article.url}?format=text")

    assert response.status_code == 302  # to the login page, as for the page itself
    assert b"Members only" not in response.content


def test_an_unknown_format_is_a_404(newsroom, client):
    article = ArticleFactory(parent=newsroom)

    assert client.get(f"{article.url}?format=pdf").status_code == 404


# Sharing without third parties


def test_share_links_are_plain_links_that_load_nothing(newsroom, client):
    article = ArticleFactory(parent=newsroom, title="Bills & budgets", slug="bills")

    page = soup(client.get(article.url))

    share = page.select_one(".share")
    links = {a.get_text(): a["href"] for a in share.select("a")}
    item_url = public_page_url(article)
    assert item_url.startswith("http") and item_url.endswith("/bills/")
    assert links["Email"] == f"mailto:?subject=Bills%20%26%20budgets&body={quote(item_url)}"
    assert links["LinkedIn"] == f"https://www.linkedin.com/sharing/share-offsite/?url={quote(item_url, safe='')}"
    assert parse_qs(urlsplit(links["Bluesky"]).query) == {"text": [f"Bills & budgets {item_url}"]}
    assert links["Bluesky"].startswith("https://bsky.app/intent/compose?")
    mastodon = urlsplit(links["Mastodon"])
    assert mastodon.path == "/share/mastodon/"
    assert parse_qs(mastodon.query) == {"url": [item_url], "text": ["Bills & budgets"]}
    assert share.select_one("button[data-copy-link]")["data-copy-link"] == item_url
    for tag, attribute in [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")]:
        for element in page.find_all(tag):
            if tag == "link" and element.get("rel") == ["canonical"]:
                continue
            assert not element.get(attribute, "").startswith(("http:", "https:", "//")), element
    assert not page.select("script:not([src]):not([type='application/ld+json'])")  # the public CSP forbids inline


def test_a_preview_offers_print_but_nothing_to_share_or_download(newsroom):
    article = ArticleFactory(parent=newsroom)

    page = soup(article.make_preview_request())

    assert page.select_one(".item-actions button[data-print]") is not None
    assert page.select_one(".share") is None
    assert page.select_one("a[href$='?format=text']") is None


def test_mastodon_share_page_asks_for_the_server(newsroom, client):
    response = client.get("/share/mastodon/?url=http://localhost/bills/&text=Bills")

    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("label[for=id_instance]").get_text() == "Your Mastodon server"
    assert page.select_one("input[name=url]")["value"] == "http://localhost/bills/"
    assert "You are sharing: Bills" in visible_text(response)
    assert page.select_one("meta[name=robots]")["content"] == "noindex, nofollow"


@pytest.mark.parametrize(
    "typed",
    ["mastodon.social", " Mastodon.Social ", "https://mastodon.social/", "@me@mastodon.social", "mastodon.social/@me"],
)
def test_mastodon_share_sends_the_reader_to_their_server(newsroom, client, typed):
    response = client.get("/share/mastodon/", {"url": "http://localhost/bills/", "text": "Bills", "instance": typed})

    assert response.status_code == 302
    assert response["Location"] == "https://mastodon.social/share?text=Bills+http%3A%2F%2Flocalhost%2Fbills%2F"


@pytest.mark.parametrize(
    "typed", ["", "localhost", "127.0.0.1", "mastodon.social:8443", "-bad-.example", "exa mple.org", "a" * 64 + ".org"]
)
def test_mastodon_share_refuses_what_is_not_a_host_name_and_keeps_what_was_typed(newsroom, client, typed):
    response = client.get("/share/mastodon/", {"url": "http://localhost/bills/", "text": "Bills", "instance": typed})

    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("#instance-error").get_text() == INSTANCE_ERROR
    assert page.select_one("input[name=instance]")["value"] == typed
    assert page.select_one("input[name=instance]")["aria-invalid"] == "true"
    assert "s-maxage" not in response.get("Cache-Control", "")


def test_mastodon_share_without_an_address_to_share_says_so(newsroom, client):
    response = client.get("/share/mastodon/", {"instance": "mastodon.social", "url": "javascript:alert(1)"})

    assert response.status_code == 400
    assert soup(response).select_one("#share-link-error").get_text() == SHARE_LINK_ERROR


def test_instance_host_accepts_international_names_in_ascii():
    assert instance_host("bücher.example") == "xn--bcher-kva.example"
    with pytest.raises(ValidationError):
        instance_host("10.0.0.1")


def test_mastodon_share_url_writes_the_post():
    assert mastodon_share_url("example.social", text="A & B", url="https://x.org/a/") == (
        "https://example.social/share?text=A+%26+B+https%3A%2F%2Fx.org%2Fa%2F"
    )
