from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageViewRestriction

from presscentre.comments.models import Comment
from presscentre.importers.content import clean_html
from presscentre.importers.models import ImportedComment, ImportedPost
from presscentre.importers.services.run import import_wxr_file
from presscentre.importers.wxr import WXRError
from presscentre.newsroom.models import (
    ArticlePage,
    Category,
    MediaAppearancePage,
    NewsItemPage,
    Person,
    PressCentreSettings,
    PressReleasePage,
    ReportPage,
)

FIXTURES = Path(__file__).parent / "fixtures"
AT = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def run(newsroom, name="site.xml", **kwargs):
    return import_wxr_file(FIXTURES / name, parent=newsroom, at=AT, **kwargs)


def item(wp_post_id: int) -> NewsItemPage:
    return ImportedPost.objects.get(wp_post_id=wp_post_id).page.specific


@pytest.mark.django_db
def test_posts_become_items_typed_by_category(newsroom):
    summary = run(newsroom)
    assert summary.count("item", "created") == 5
    assert summary.count("page", "created") == 1  # "About us", a WordPress page
    assert sorted(summary.page_ids) == sorted(ImportedPost.objects.values_list("page_id", flat=True))
    assert isinstance(item(10), PressReleasePage)
    assert isinstance(item(11), ReportPage)
    assert isinstance(item(12), ArticlePage)
    assert summary.reasons[("item", "skipped", "status trash")] == 1


@pytest.mark.django_db
def test_type_map_and_default_type_choose_the_item_type(newsroom):
    run(newsroom, type_map={"interviews": MediaAppearancePage}, default_type=ReportPage)
    assert isinstance(item(12), MediaAppearancePage)
    assert isinstance(item(15), ReportPage)


@pytest.mark.django_db
def test_statuses_map_to_live_scheduled_draft_and_private(newsroom):
    run(newsroom)
    assert item(10).live
    scheduled = item(12)
    assert not scheduled.live and scheduled.go_live_at == datetime(2099, 1, 1, 9, tzinfo=UTC)
    assert not item(11).live and not item(16).live
    assert item(15).live
    assert PageViewRestriction.objects.get(page=item(15)).restriction_type == PageViewRestriction.LOGIN
    assert PageViewRestriction.objects.get(page=item(16)).password == "letmein"  # noqa: S105 - from the fixture


@pytest.mark.django_db
def test_fields_come_from_gmt_dates_excerpt_and_comment_status(newsroom):
    run(newsroom)
    release = item(10)
    assert release.published_at == datetime(2024, 3, 6, 14, tzinfo=UTC)
    assert release.summary == "A short summary & more."
    assert release.comments_open
    assert not item(11).comments_open
    assert release.slug == "institute-responds"
    assert [c.slug for c in release.categories] == ["press-releases", "economy"]
    assert [p.name for p in release.people] == ["Dr Asha Menon"]
    # No GMT date on a pending post: the local date, read in the site's display zone (London by default),
    # not the server's (New York in tests).
    assert item(11).published_at == datetime(2024, 4, 1, 9, tzinfo=UTC)  # 10:00 BST


@pytest.mark.django_db
def test_local_dates_are_read_in_the_site_display_zone(newsroom):
    settings = PressCentreSettings.for_site(newsroom.get_site())
    settings.time_zone = "Asia/Tokyo"
    settings.save()
    run(newsroom)
    assert item(11).published_at == datetime(2024, 4, 1, 1, tzinfo=UTC)  # 10:00 in Tokyo


@pytest.mark.django_db
def test_body_is_sanitised_html_in_one_paragraph_block(newsroom):
    run(newsroom)
    html = item(10).body.raw_data[0]["value"]
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org">a link</a>' in html
    assert "onclick" not in html and "script" not in html and "alert" not in html
    assert html.count("<p>") == 2


def test_caption_shortcode_becomes_a_figure():
    cleaned = clean_html('[caption id="a" align="x"]<img src="https://e.org/a.jpg" alt="A cat"> A cat[/caption]')
    assert cleaned == '<figure><img src="https://e.org/a.jpg" alt="A cat"><figcaption>A cat</figcaption></figure>'


@pytest.mark.django_db
def test_people_and_categories_are_created(newsroom):
    summary = run(newsroom)
    assert Person.objects.get(slug="asha").name == "Dr Asha Menon"
    assert set(Category.objects.values_list("slug", flat=True)) == {
        "press-releases",
        "economy",
        "reports",
        "interviews",
    }
    assert summary.reasons[("category", "note", "hierarchy not kept (categories are flat)")] == 1
    assert summary.count("tag", "created") == 1


@pytest.mark.django_db
def test_tags_are_imported_onto_items_and_shown_on_the_page(newsroom, client):
    run(newsroom)
    release = item(10)
    assert [t.name for t in release.tags.all()] == ["Budget"]
    assert '<span class="tag">Budget</span>' in client.get(release.url).content.decode()
    assert not item(12).tags.exists()


@pytest.mark.django_db
def test_comments_keep_status_kind_threading_dates_and_author(newsroom):
    run(newsroom)
    comments = {c.body: c for c in Comment.objects.filter(item=item(10))}
    assert {c.status for c in comments.values()} == {"approved", "pending", "spam", "trash"}
    approved = comments["Approved comment"]
    assert (approved.author_name, approved.author_email, approved.author_url) == (
        "Reader One",
        "one@example.com",
        "https://one.example.com",
    )
    assert approved.ip_address == "192.0.2.1"
    assert approved.created_at == datetime(2024, 3, 6, 15, tzinfo=UTC) == approved.approved_at
    reply = comments["A reply, held"]
    assert reply.status == "pending" and reply.parent == approved and reply.ip_address is None
    assert comments["[...] linked here [...]"].kind == "pingback"
    assert "Private editorial note" not in comments


@pytest.mark.django_db
def test_old_permalinks_redirect_to_the_new_pages(newsroom):
    run(newsroom)
    release = item(10)
    assert Redirect.objects.get(old_path="/2024/03/institute-responds").redirect_page_id == release.pk
    assert Redirect.objects.get(old_path="/?p=10").is_permanent
    assert Redirect.objects.get(old_path="/?p=11").redirect_page_id == item(11).pk


@pytest.mark.django_db
def test_second_import_creates_and_changes_nothing(newsroom):
    run(newsroom)
    before = (NewsItemPage.objects.count(), Comment.objects.count(), Redirect.objects.count(), Person.objects.count())
    revisions = item(10).revisions.count()
    summary = run(newsroom)
    after = (NewsItemPage.objects.count(), Comment.objects.count(), Redirect.objects.count(), Person.objects.count())
    assert after == before
    assert summary.count("item", "created") == summary.count("item", "updated") == 0
    assert summary.count("comment", "created") == 0
    assert item(10).revisions.count() == revisions
    assert ImportedComment.objects.count() == 5


@pytest.mark.django_db
def test_changed_post_is_updated_not_duplicated(newsroom, tmp_path):
    run(newsroom)
    changed = tmp_path / "changed.xml"
    changed.write_text((FIXTURES / "site.xml").read_text().replace("Second paragraph.", "Second, revised."))
    summary = import_wxr_file(changed, parent=newsroom, at=AT)
    assert summary.count("item", "updated") == 1
    assert NewsItemPage.objects.count() == 5
    assert "Second, revised." in item(10).body.raw_data[0]["value"]


@pytest.mark.django_db
def test_dry_run_reports_without_writing(newsroom):
    summary = run(newsroom, dry_run=True)
    assert summary.count("item", "created") == 5
    assert not NewsItemPage.objects.exists() and not Comment.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["malformed.xml", "no-version.xml"])
def test_refused_file_imports_nothing(newsroom, name):
    with pytest.raises(WXRError, match=name):
        run(newsroom, name)
    assert not NewsItemPage.objects.exists() and not ImportedPost.objects.exists()


@pytest.mark.django_db
def test_latin1_file_over_https_namespace_imports(newsroom):
    run(newsroom, "latin1-https.xml")
    assert item(1).title == "Café crème £ 5"


@pytest.mark.django_db
def test_command_imports_and_prints_summary(newsroom):
    out = StringIO()
    call_command("import_wordpress", str(FIXTURES / "site.xml"), "--type-map", "interviews=report", stdout=out)
    assert isinstance(item(12), ReportPage)
    assert "item" in out.getvalue() and "created" in out.getvalue()


@pytest.mark.django_db
def test_command_dry_run_writes_nothing(newsroom):
    out = StringIO()
    call_command("import_wordpress", str(FIXTURES / "site.xml"), "--dry-run", stdout=out)
    assert "dry run" in out.getvalue()
    assert not NewsItemPage.objects.exists()


@pytest.mark.django_db
def test_command_with_a_refused_file_imports_nothing_from_any_file(newsroom):
    files = [str(FIXTURES / "site.xml"), str(FIXTURES / "malformed.xml")]
    with pytest.raises(CommandError, match=r"malformed\.xml: line \d+"):
        call_command("import_wordpress", *files, stdout=StringIO())
    assert not NewsItemPage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--default-type", "essay"], "Unknown item type 'essay'"),
        (["--type-map", "news"], "SLUG=TYPE"),
        (["--parent", "nowhere"], "no such page"),
    ],
)
def test_command_rejects_bad_arguments(newsroom, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_wordpress", str(FIXTURES / "site.xml"), *args)


@pytest.mark.django_db
def test_command_rejects_a_missing_file(newsroom):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_wordpress", "/nonexistent/export.xml")


@pytest.mark.django_db
def test_command_parent_must_be_a_press_centre(newsroom):
    with pytest.raises(CommandError, match="not a press centre page"):
        call_command("import_wordpress", str(FIXTURES / "site.xml"), "--parent", "1")


@pytest.mark.django_db
def test_old_links_answer_with_a_permanent_redirect(newsroom, client):
    run(newsroom)
    release = item(10)

    by_id = client.get("/?p=10")
    by_permalink = client.get("/2024/03/institute-responds")

    assert by_id.status_code == by_permalink.status_code == 301
    assert by_id["Location"] == by_permalink["Location"] == release.url
    assert client.get("/?p=999999").status_code == 200  # an unknown id is just the press centre
    assert client.get("/?p=abc").status_code == 200


@pytest.mark.django_db
def test_progress_bar_only_with_progress_or_a_terminal(newsroom):
    quiet, shown = StringIO(), StringIO()
    call_command("import_wordpress", str(FIXTURES / "site.xml"), "--dry-run", stdout=StringIO(), stderr=quiet)
    call_command("import_wordpress", str(FIXTURES / "site.xml"), "--progress", stdout=StringIO(), stderr=shown)
    assert quiet.getvalue() == ""
    assert "importing site.xml [" in shown.getvalue() and "100%" in shown.getvalue()


@pytest.mark.django_db
def test_summary_table_counts_created_updated_and_skipped_with_reasons(newsroom):
    out = StringIO()
    call_command("import_wordpress", str(FIXTURES / "site.xml"), stdout=out)
    call_command("import_wordpress", str(FIXTURES / "site.xml"), stdout=out)
    second = out.getvalue().split("site.xml\n")[-1].splitlines()
    assert second[0].split() == ["kind", "created", "updated", "skipped"]
    assert "item                0        0        6" in second
    assert "page                0        0        1" in second
    assert "  item skipped (unchanged): 5" in second
    assert "  comment skipped (already imported): 5" in second


@pytest.mark.django_db
def test_imported_pages_are_searchable_and_logged_as_created(newsroom):
    from wagtail.models import Page, PageLogEntry

    run(newsroom)
    found = NewsItemPage.objects.live().search("budget")
    assert item(10).pk in [page.pk for page in found]
    assert PageLogEntry.objects.filter(page=item(10), action="wagtail.create").count() == 1
    newsroom.refresh_from_db()
    assert newsroom.numchild == Page.objects.child_of(newsroom).count() == 6  # five items and a content page
    assert not any(Page.find_problems())  # treebeard's own check of paths, depths and child counts
    assert list(NewsItemPage.objects.child_of(newsroom).order_by("path").values_list("slug", flat=True))[0] == (
        "institute-responds"
    )
