"""Every WXR file in ../shared/conformance/wxr is imported with sensible counts or refused with a clear error."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from presscentre.comments.models import Comment
from presscentre.importers.models import ImportedPost
from presscentre.importers.services.run import import_wxr_file
from presscentre.importers.wxr import WXRAuthor, WXRError, WXRItem, iter_wxr
from presscentre.newsroom.models import ArticlePage, ContentPage, NewsItemPage

CONFORMANCE = Path(settings.BASE_DIR).parent / "shared/conformance/wxr"
AT = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

# Not well-formed XML or not WXR, as the folder's README says; refused with the file and the problem named.
REFUSED = {
    "ghost-migrate-mg-wp-xml/sample.xml": "not well-formed XML",  # a bare & in a URL
    "ghost-migrate-mg-wp-xml/sample-no-slug.xml": "not well-formed XML",
    "ghost-migrate-mg-wp-xml/multiple/attachments-only.xml": "not well-formed XML",
    "wordpress-importer/phpunit-data/crazy-cdata.xml": "not well-formed XML",
    "wordpress-importer/phpunit-data/malformed.xml": "not well-formed XML",
    "wordpress-importer/phpunit-data/malformed-simple.xml": "not well-formed XML",
    "wordpress-importer/phpunit-data/missing-version-tag.xml": "not a WXR file",
    "wordpress-importer/phpunit-data/invalid-version-tag.xml": "not a WXR file",
    "wordpress-importer/removed-or-unmerged/namespace-attacks.xml": "not well-formed XML",
}
BARE_AMPERSAND_FILES = [name for name, problem in REFUSED.items() if name.startswith("ghost-migrate-mg-wp-xml/")]


def conformance_files() -> list[str]:
    if not CONFORMANCE.is_dir():
        return []
    return sorted(str(path.relative_to(CONFORMANCE)) for path in CONFORMANCE.rglob("*.xml"))


@pytest.fixture(autouse=True)
def _conformance_folder():
    if not CONFORMANCE.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{CONFORMANCE} is missing; CI must have the conformance files.")
        pytest.skip(f"{CONFORMANCE} not found: conformance files are outside the repository")


def items(name: str) -> list[WXRItem]:
    return [record for record in iter_wxr(CONFORMANCE / name) if isinstance(record, WXRItem)]


def run(newsroom, name: str, **kwargs):
    return import_wxr_file(CONFORMANCE / name, parent=newsroom, at=AT, **kwargs)


def counts() -> tuple[int, ...]:
    return NewsItemPage.objects.count(), Comment.objects.count(), ImportedPost.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("name", conformance_files() or ["(none)"])
def test_file_is_imported_idempotently_or_refused_clearly(newsroom, name):
    if name in REFUSED:
        with pytest.raises(WXRError, match=rf"{Path(name).name}.*{REFUSED[name]}"):
            run(newsroom, name)
        assert counts() == (0, 0, 0)
        return
    posts = [i for i in items(name) if (i.post_type or "post") == "post" and i.status != "trash"]
    summary = run(newsroom, name)
    assert summary.count("item", "created") <= len(posts)
    assert NewsItemPage.objects.count() == summary.count("item", "created")
    before = counts()
    again = run(newsroom, name)
    assert counts() == before
    assert again.count("item", "created") == again.count("item", "updated") == again.count("comment", "created") == 0


def test_escaped_cdata_blank_lines_and_multiple_cdata_are_kept_verbatim():
    base = "wordpress-importer/phpunit-data/"
    assert items(base + "crazy-cdata-escaped.xml")[0].content == "Content with nested <![CDATA[ tags ]]> :)"
    assert items(base + "cdata-edge.xml")[0].content.endswith("]] >")
    # The element's own line breaks surround the three sections; WordPress trims them.
    assert items(base + "multiple-cdata.xml")[0].content.strip() == "line oneline twoline three"
    assert items(base + "post-content-blank-lines.xml")[0].content.count("\n") == 3


def test_author_logins_are_trimmed():
    found = iter_wxr(CONFORMANCE / "wordpress-importer/phpunit-data/authors-multiline.xml")
    assert [r.login for r in found if isinstance(r, WXRAuthor)] == ["alice", "bob", "carol"]


def test_pelican_pages_are_recognised():
    pages = [i for i in items("pelican/wordpressexport.xml") if i.post_type == "page"]
    assert len(pages) == 2
    assert (pages[1].title, pages[1].post_name) == ("Empty Page", "empty")


@pytest.mark.django_db
def test_pelican_empty_posts_are_skipped_and_pages_become_content_pages(newsroom):
    summary = run(newsroom, "pelican/wordpressexport.xml")
    assert summary.count("page", "created") == ContentPage.objects.count() == 2
    assert ContentPage.objects.filter(title="Empty Page", slug="empty").exists()
    assert summary.count("item", "created") + 2 == len(ImportedPost.objects.all())
    assert not NewsItemPage.objects.filter(title="").exists()


@pytest.mark.django_db
def test_reimporting_complete_then_partial_duplicates_nothing(newsroom):
    run(newsroom, "wordpress-importer/pr-219/idempotency-complete.xml")
    before = counts()
    assert before[0] == 3
    run(newsroom, "wordpress-importer/pr-219/idempotency-partial.xml")
    run(newsroom, "wordpress-importer/pr-219/idempotency-complete.xml")
    assert counts() == before


@pytest.mark.django_db
def test_block_notes_are_never_imported_as_comments(newsroom):
    summary = run(
        newsroom, "wordpress-importer/removed-or-unmerged/wxr-with-note-comments.xml", type_map={"page": ArticlePage}
    )
    assert summary.reasons[("comment", "skipped", "block note (never public)")] == 2
    assert Comment.objects.count() == summary.count("comment", "created") == 1


@pytest.mark.django_db
def test_co_authors_become_people_on_the_item(newsroom):
    run(newsroom, "ghost-migrate-mg-wp-xml/co-authors-plus.xml")
    page = ImportedPost.objects.get(wp_post_id=100).page.specific
    assert [p.name for p in page.people] == ["Alice Smith", "Bob Jones"]


def test_namespace_edge_cases_yield_six_posts_the_mixed_one_taking_the_last_post_id():
    # Its non-ASCII namespace URI is an IRI: libxml2 warns, but the document is well-formed and is read.
    found = items("wordpress-importer/phpunit-data/namespace-edge-cases.xml")
    assert len(found) == 6
    assert next(i for i in found if i.title == "Mixed Namespaces").post_id == "999"
    assert next(i for i in found if i.title == "Unicode Namespace").post_id == "4"
    assert next(i for i in found if i.title == "Hijacked Namespace").post_id == ""  # its wp: is not WordPress's


@pytest.mark.django_db
def test_namespace_edge_cases_import_every_post_with_a_wordpress_id(newsroom):
    summary = run(newsroom, "wordpress-importer/phpunit-data/namespace-edge-cases.xml")
    assert summary.count("item", "created") == 5
    assert summary.reasons[("item", "skipped", "status (none)")] == 1  # the hijacked one: no WordPress fields
    assert ImportedPost.objects.filter(wp_post_id=999).exists()
    assert [
        p.login
        for p in iter_wxr(CONFORMANCE / "wordpress-importer/phpunit-data/namespace-edge-cases.xml")
        if isinstance(p, WXRAuthor)
    ] == ["real_user", "version_conflict"]


@pytest.mark.parametrize("name", BARE_AMPERSAND_FILES)
def test_bare_ampersand_files_are_refused_with_the_line_and_a_hint(name):
    with pytest.raises(WXRError, match=r"line \d+: not well-formed XML: .*a bare '&' must be written '&amp;'"):
        items(name)


@pytest.mark.django_db
def test_pelican_caption_shortcodes_become_figures(newsroom):
    run(newsroom, "pelican/wordpressexport.xml")
    page = NewsItemPage.objects.get(slug="caption-on-image")
    html = "".join(block["value"] for block in page.body.raw_data if block["type"] == "paragraph")
    assert html.count("<figure>") == 3
    for caption in ("This is a pelican", "This also a pelican", "Yet another pelican"):
        assert f"<figcaption>{caption}</figcaption>" in html
