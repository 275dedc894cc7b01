from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Site

from presscentre.core.urls_public import public_url
from presscentre.newsroom.models import (
    ArticlePage,
    DefaultPressContact,
    ItemPerson,
    MediaAppearancePage,
    PressCentreSettings,
    PressReleasePage,
    ReleaseContact,
    ReportDocument,
    ReportPage,
)
from presscentre.newsroom.tests.factories import (
    ArticleFactory,
    BoilerplateFactory,
    ImageFactory,
    MediaAppearanceFactory,
    PersonFactory,
    PressContactFactory,
    PressReleaseFactory,
    ReportFactory,
)


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def text_of(response) -> str:
    """The visible text of the page's main content, whitespace collapsed."""
    return " ".join(soup(response).select_one("main").get_text(" ").split())


@pytest.fixture
def site_settings(newsroom):
    settings = PressCentreSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name = "The Example Institute"
    settings.default_boilerplate = BoilerplateFactory(text="<p>The Example Institute is an independent charity.</p>")
    settings.save()
    DefaultPressContact.objects.create(
        settings=settings,
        contact=PressContactFactory(name="Priya Shah", phone="020 7946 0123", out_of_hours_phone="07700 900123"),
    )
    return settings


def make_document(title: str, filename: str, content: bytes):
    document = get_document_model()(title=title)
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


# Press releases


def test_press_release_renders_every_part_in_order(newsroom, site_settings, reader):
    spokesperson = PersonFactory(name="Dr Tom Reid", slug="tom-reid", role="Chief Economist")
    release = PressReleaseFactory(
        parent=newsroom,
        title="Families face a colder winter",
        subheadline="New figures show energy debt doubling",
        dateline_place="London",
        lead="The institute today published new figures.",
        published_at=datetime(2023, 5, 24, 8, 0, tzinfo=UTC),
        notes_to_editors="<p>The survey covered 2,000 households.</p>",
        body=[
            {
                "type": "quote",
                "value": {"quote": "This is avoidable.", "speaker": "Dr Tom Reid", "speaker_role": "Chief Economist"},
            }
        ],
    )
    ItemPerson.objects.create(item=release, person=spokesperson)

    text = text_of(reader.get(release.url))

    expected_order = [
        "FOR IMMEDIATE RELEASE",
        "Families face a colder winter",
        "New figures show energy debt doubling",
        "LONDON, 24th May 2023 — The institute today published new figures.",
        "“This is avoidable.”" if "“" in text else "This is avoidable.",
        "Dr Tom Reid, Chief Economist",
        "ENDS",
        "Notes to editors The survey covered 2,000 households.",
        "About The Example Institute The Example Institute is an independent charity.",
        "For media enquiries please contact: Priya Shah",
        "Telephone: 020 7946 0123",
        "Out of hours: 07700 900123",
    ]
    positions = [text.index(part) for part in expected_order]
    assert positions == sorted(positions)


def test_press_release_uses_its_own_boilerplate_and_contacts_over_the_defaults(newsroom, site_settings, reader):
    release = PressReleaseFactory(parent=newsroom, boilerplate=BoilerplateFactory(text="<p>Special text.</p>"))
    ReleaseContact.objects.create(release=release, contact=PressContactFactory(name="Sam Okoro"))

    text = text_of(reader.get(release.url))

    assert "Special text." in text and "independent charity" not in text
    assert "Sam Okoro" in text and "Priya Shah" not in text


def test_press_release_without_defaults_still_renders(newsroom, reader):
    release = PressReleaseFactory(parent=newsroom, notes_to_editors="")

    text = text_of(reader.get(release.url))

    assert "ENDS" in text
    assert "Notes to editors" not in text


def test_embargo_line_names_the_zone_across_daylight_saving(db):
    summer = PressReleasePage(embargo_until=datetime(2023, 5, 23, 23, 1, tzinfo=UTC))
    winter = PressReleasePage(embargo_until=datetime(2023, 12, 6, 0, 1, tzinfo=UTC))
    new_york = PressReleasePage(
        embargo_until=datetime(2023, 5, 24, 4, 1, tzinfo=UTC), embargo_time_zone="America/New_York"
    )

    assert summer.release_line() == "EMBARGOED UNTIL 00:01 BST, Wednesday 24th May 2023"
    assert winter.release_line() == "EMBARGOED UNTIL 00:01 GMT, Wednesday 6th December 2023"
    assert new_york.release_line() == "EMBARGOED UNTIL 00:01 EDT, Wednesday 24th May 2023"
    assert PressReleasePage().release_line() == "FOR IMMEDIATE RELEASE"


# Articles


def test_article_byline_says_who_writes_for_which_outlet_and_links_to_the_original(newsroom, reader):
    fellow = PersonFactory(name="Grace Hopper", slug="grace-hopper", role="Senior Fellow")
    article = ArticleFactory(
        parent=newsroom,
        original_outlet="The Evening Post",
        original_url="https://post.example.com/comment/compilers",
        first_published_on=date(2023, 4, 2),
    )
    ItemPerson.objects.create(item=article, person=fellow)

    page = soup(reader.get(article.url))

    assert page.select_one(".byline").get_text() == "Grace Hopper, Senior Fellow, writes for The Evening Post"
    assert page.select_one(".byline a")["href"] == "/author/grace-hopper/"
    original = page.select_one(".original-link a")
    assert original["href"] == "https://post.example.com/comment/compilers"
    assert original.get_text() == "Read the original in The Evening Post"
    assert "First published in The Evening Post on 2nd April 2023." in page.get_text()


def test_excerpt_only_article_shows_the_excerpt_and_not_the_body(newsroom, reader):
    article = ArticleFactory(
        parent=newsroom,
        rights=ArticlePage.Rights.EXCERPT,
        summary="A short summary of the piece.",
        body=[{"type": "paragraph", "value": "<p>Body text held back for rights reasons.</p>"}],
    )

    page = soup(reader.get(article.url))

    assert "A short summary of the piece." in page.get_text()
    assert "held back" not in page.get_text()
    assert page.select_one(".original-link a").get_text() == "Read the full article in The Daily Ledger"


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (ArticlePage.CanonicalPolicy.ORIGINAL, "https://ledger.example.com/opinion/budgets"),
        (ArticlePage.CanonicalPolicy.THIS_SITE, "/item-canonical/"),
    ],
)
def test_article_canonical_link_follows_the_policy(newsroom, reader, policy, expected):
    article = ArticleFactory(parent=newsroom, slug="item-canonical", canonical_policy=policy)
    expected = public_url(expected) if expected.startswith("/") else expected  # this site's: on the public base

    assert soup(reader.get(article.url)).select_one('link[rel="canonical"]')["href"] == expected


# Reports


def test_report_page_offers_the_pdf_and_shows_findings(newsroom, reader):
    pdf = make_document("Counting the Cost (PDF)", "counting-the-cost.pdf", b"%PDF-1.4\n%test\n")
    report = ReportFactory(
        parent=newsroom,
        title="Launch: Counting the Cost",
        report_title="Counting the Cost",
        key_findings=[{"type": "finding", "value": "One in five families is behind on bills."}],
    )
    ReportDocument.objects.create(report=report, document=pdf)

    page = soup(reader.get(report.url))

    link = page.select_one(".downloads a")
    assert link["href"] == pdf.url
    assert link.get_text() == "Counting the Cost (PDF)"
    assert "Report: “Counting the Cost”" in page.get_text()
    assert page.select_one(".key-findings li").get_text() == "One in five families is behind on bills."

    download = reader.get(pdf.url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


# Media appearances


def test_media_appearance_plays_and_offers_the_recording(newsroom, reader):
    audio = make_document("Interview", "interview.mp3", b"ID3" + b"\0" * 64)
    guest = PersonFactory(name="Ada Lovelace", slug="ada")
    appearance = MediaAppearanceFactory(
        parent=newsroom,
        outlet="Radio Example",
        programme="Today",
        recording=audio,
        transcript="<p>PRESENTER: Good morning.</p>",
        broadcast_at=datetime(2024, 2, 1, 7, 10, tzinfo=UTC),
    )
    ItemPerson.objects.create(item=appearance, person=guest)

    page = soup(reader.get(appearance.url))

    assert page.select_one("audio")["src"] == audio.url
    assert page.select_one(".recording figcaption a")["href"] == audio.url
    assert "Listen to Ada Lovelace on Today, Radio Example" in page.get_text()
    assert "PRESENTER: Good morning." in page.get_text()
    download = reader.get(audio.url)
    assert download.status_code == 200
    assert download["Content-Type"] == "audio/mpeg"


def test_video_recording_gets_a_video_player(db):
    video = get_document_model()(title="Clip")
    video.file.name = "documents/clip.mp4"

    appearance = MediaAppearancePage(outlet="TV", recording=video)

    assert appearance.recording_kind == "video"
    assert appearance.listen_line().startswith("Watch")


# Body blocks


def test_body_renders_headings_quotes_images_and_embeds_as_links(newsroom, reader):
    image = ImageFactory()
    article = ArticleFactory(
        parent=newsroom,
        body=[
            {"type": "heading", "value": {"text": "What we found", "level": "h2"}},
            {"type": "quote", "value": {"quote": "Act now.", "speaker": "Jo Bloggs", "speaker_role": "Director"}},
            {
                "type": "image",
                "value": {"image": image.pk, "alt_text": "A chart of bills", "caption": "Bills since 2019"},
            },
            {"type": "embed", "value": "https://www.youtube.com/watch?v=abc123"},
        ],
    )

    page = soup(reader.get(article.url))

    assert page.select_one(".body h2").get_text() == "What we found"
    assert page.select_one(".quote blockquote").get_text(strip=True) == "Act now."
    assert page.select_one(".quote figcaption").get_text() == "Jo Bloggs, Director"
    assert page.select_one(".body figure.image img")["alt"] == "A chart of bills"
    assert page.select_one(".body figure.image figcaption").get_text() == "Bills since 2019"
    assert page.select_one(".embed-link a")["href"] == "https://www.youtube.com/watch?v=abc123"
    assert "<iframe" not in str(page)


def test_public_pages_load_nothing_from_other_hosts(newsroom, reader):
    article = ArticleFactory(parent=newsroom)

    for url in ["/", article.url]:
        page = soup(reader.get(url))
        for tag, attribute in [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")]:
            for element in page.find_all(tag):
                if tag == "link" and element.get("rel") == ["canonical"]:
                    continue
                assert not element.get(attribute, "").startswith(("http:", "https:", "//")), element


# Item-level rules


@pytest.mark.parametrize(
    ("model", "open_by_default"),
    [(ArticlePage, True), (PressReleasePage, False), (ReportPage, False), (MediaAppearancePage, False)],
)
def test_comments_default_open_on_articles_only(db, model, open_by_default):
    assert model(title="New").comments_open is open_by_default
    assert model(title="Chosen", comments_open=not open_by_default).comments_open is not open_by_default


def test_comment_area_follows_the_item_setting(newsroom, reader):
    open_article = ArticleFactory(parent=newsroom)
    closed_article = ArticleFactory(parent=newsroom, comments_open=False, title="Quiet")

    assert "Leave a Reply" in text_of(reader.get(open_article.url))
    closed = text_of(reader.get(closed_article.url))
    assert "Leave a Reply" not in closed
    assert "Comments Off on Quiet" in closed


@pytest.mark.parametrize("slug", ["category", "author", "feed", "search"])
def test_items_may_not_take_the_archive_slugs(newsroom, slug):
    article = ArticlePage(title="Clash", slug=slug)
    newsroom.add_child(instance=ArticlePage(title="Fine", slug="fine"))

    with pytest.raises(ValidationError) as error:
        article.full_clean()

    assert "slug" in error.value.message_dict


def test_embargoed_item_is_hidden_from_the_public_until_the_instant(newsroom, reader, editor, client):
    embargoed = PressReleaseFactory(
        parent=newsroom, title="Secret until later", embargo_until=datetime(2999, 1, 1, 0, 1, tzinfo=UTC)
    )

    assert reader.get(embargoed.url).status_code == 404
    assert "Secret until later" not in reader.get("/").text
    client.force_login(editor)
    assert client.get(embargoed.url).status_code == 200


def test_item_page_describes_itself_with_its_summary_or_excerpt(newsroom, reader):
    summarised = ArticleFactory(parent=newsroom, summary="Editor's summary.")
    derived = ArticleFactory(parent=newsroom)

    assert soup(reader.get(summarised.url)).select_one('meta[name="description"]')["content"] == "Editor's summary."
    assert soup(reader.get(derived.url)).select_one('meta[name="description"]')["content"].endswith("...")


def test_item_pages_offer_the_type_navigation_without_claiming_to_be_the_index(newsroom, reader):
    article = ArticleFactory(parent=newsroom)

    nav = soup(reader.get(article.url)).select_one("nav.type-nav")

    assert [link.get_text() for link in nav.select("a")] == [
        "Everything",
        "Press Releases",
        "Articles",
        "Reports",
        "Media Appearances",
    ]
    assert not nav.select("[aria-current]")
    assert soup(reader.get("/")).select_one('nav.type-nav [aria-current="page"]').get_text() == "Everything"
    assert soup(reader.get("/?type=report")).select_one('nav.type-nav [aria-current="page"]').get_text() == "Reports"


def test_image_files_get_unguessable_names(db):
    first, second = ImageFactory(file__filename="chart.png"), ImageFactory(file__filename="chart.png")

    for image in (first, second):
        folder, name = image.file.name.split("/")
        assert folder == "original_images"
        assert name.endswith("-chart.png") and len(name) > len("-chart.png") + 12
    assert first.file.name != second.file.name
    stem = first.file.name.split("/")[1].removesuffix(".png")
    assert first.get_rendition("width-100").file.name.startswith(f"images/{stem}.")
