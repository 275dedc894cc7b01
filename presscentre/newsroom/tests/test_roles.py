"""Editorial roles and the press office approval workflow created by migration 0002_editorial_roles."""

import importlib
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import GroupApprovalTask, Page, PageLogEntry, Revision, Task, Workflow, WorkflowState
from wagtail.permissions import policy_registry
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from presscentre.newsroom.models import ArticlePage
from presscentre.newsroom.tests.factories import ArticleFactory, ImageFactory

roles = importlib.import_module("presscentre.newsroom.migrations.0002_editorial_roles")

image_permission_policy = policy_registry.get_by_type(get_image_model())
document_permission_policy = policy_registry.get_by_type(get_document_model())

PAGE_ACTIONS = {"add", "bulk_delete", "change", "lock", "publish", "unlock"}


def make_member(django_user_model, group_name: str, username: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", f"{username}-password")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def author(db, django_user_model):
    return make_member(django_user_model, "Authors", "fellow")


@pytest.fixture
def press_officer(db, django_user_model):
    return make_member(django_user_model, "Press officers", "press-officer")


@pytest.fixture
def moderator(db, django_user_model):
    return make_member(django_user_model, "Moderators", "moderator")


@pytest.fixture
def administrator(db, django_user_model):
    return make_member(django_user_model, "Administrators", "site-admin")


def root_page_actions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        permission.permission.codename.removesuffix("_page")
        for permission in group.page_permissions.filter(page__depth=1).select_related("permission")
    }


def image_in_root_collection(uploaded_by):
    # wagtail-factories would otherwise make a new, separate collection tree for each image.
    return ImageFactory(uploaded_by_user=uploaded_by)


def article_form_data(title: str, **action) -> dict:
    """What the article editor posts, with one of Wagtail's action buttons, e.g. {"action-submit": "1"}."""
    return nested_form_data(
        {
            "title": title,
            "slug": slugify(title),
            "published_at": "2030-03-02 09:00",
            "summary": "Why household budgets are under strain.",
            "body": streamfield([("paragraph", rich_text("<p>The poorest fifth spend more on energy.</p>"))]),
            "original_outlet": "The Daily Ledger",
            "original_url": "https://ledger.example.com/opinion/budgets",
            "first_published_on": "",
            "rights": "full",
            "canonical_policy": "this_site",
            "seo_title": "",
            "search_description": "",
            "go_live_at": "",
            "expire_at": "",
            "comments_open": "on",
            "comments": inline_formset([]),
            "category_links": inline_formset([]),
            "person_links": inline_formset([]),
            **action,
        }
    )


def edit_data(page: ArticlePage, **action) -> dict:
    return {**article_form_data(page.title, **action), "slug": page.slug}


def test_four_editorial_groups_exist_after_migrations(db):
    names = set(Group.objects.values_list("name", flat=True))

    assert {"Authors", "Press officers", "Moderators", "Administrators"} <= names
    for name in ("Authors", "Press officers", "Moderators", "Administrators"):
        assert Group.objects.get(name=name).permissions.filter(codename="access_admin").exists()


def test_authors_add_and_edit_their_own_pages_but_cannot_publish(newsroom, author, press_officer):
    theirs = ArticleFactory(parent=newsroom, owner=author)
    press_office_release = ArticleFactory(parent=newsroom, owner=press_officer)
    permissions = theirs.permissions_for_user(author)

    assert root_page_actions("Authors") == {"add"}
    assert newsroom.permissions_for_user(author).can_add_subpage()
    assert permissions.can_edit()
    assert not permissions.can_publish()
    assert not permissions.can_unpublish()
    assert not press_office_release.permissions_for_user(author).can_edit()


def test_authors_upload_and_choose_media_but_cannot_change_the_press_offices(author, press_officer):
    press_photo = image_in_root_collection(uploaded_by=press_officer)
    own_photo = image_in_root_collection(uploaded_by=author)

    for policy in (image_permission_policy, document_permission_policy):
        assert policy.user_has_permission(author, "add")
        assert policy.user_has_permission(author, "choose")
    assert not image_permission_policy.user_has_permission_for_instance(author, "change", press_photo)
    assert image_permission_policy.user_has_permission_for_instance(author, "change", own_photo)
    # Granted on the root collection, not globally, so narrowing them to a collection later is possible.
    assert not author.has_perm("wagtailimages.add_image")


def test_authors_view_categories_and_people_but_not_press_contacts(author):
    assert author.has_perms(["newsroom.view_category", "newsroom.view_person"])
    assert not author.has_perm("newsroom.change_category")
    assert not author.has_perm("newsroom.view_presscontact")


def test_authors_see_the_category_list_but_not_press_contacts(client, author):
    client.force_login(author)

    assert client.get(reverse("wagtailsnippets_newsroom_category:list")).status_code == 200
    assert client.get(reverse("wagtailsnippets_newsroom_presscontact:list")).status_code != 200


def test_press_officers_publish_and_manage_snippets_and_press_centre_settings(newsroom, press_officer):
    article = ArticleFactory(parent=newsroom)

    assert root_page_actions("Press officers") == PAGE_ACTIONS
    assert article.permissions_for_user(press_officer).can_publish()
    assert article.permissions_for_user(press_officer).can_delete()
    assert image_permission_policy.user_has_permission_for_instance(
        press_officer, "delete", image_in_root_collection(uploaded_by=None)
    )
    for model in ("category", "person", "presscontact", "boilerplate"):
        assert press_officer.has_perms([f"newsroom.{action}_{model}" for action in ("add", "change", "delete")])
    assert press_officer.has_perm("newsroom.change_presscentresettings")
    assert not press_officer.has_perm("auth.change_user")


def test_press_officers_can_open_the_press_centre_settings(client, newsroom, press_officer):
    client.force_login(press_officer)

    response = client.get(reverse("wagtailsettings:edit", args=("newsroom", "presscentresettings")), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/admin/settings/newsroom/presscentresettings/")


def test_moderators_only_reach_the_admin_until_comments_arrive(client, newsroom, moderator):
    article = ArticleFactory(parent=newsroom)
    client.force_login(moderator)

    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert root_page_actions("Moderators") == set()
    assert not Group.objects.get(name="Moderators").collection_permissions.exists()
    assert not article.permissions_for_user(moderator).can_edit()
    assert not article.permissions_for_user(moderator).can_publish()
    assert not image_permission_policy.user_has_permission(moderator, "add")


def test_administrators_manage_users_sites_workflows_and_redirects(client, administrator):
    client.force_login(administrator)

    assert root_page_actions("Administrators") == PAGE_ACTIONS
    assert administrator.has_perms(
        [
            "auth.add_user",
            "auth.change_user",
            "auth.delete_user",
            "auth.add_group",
            "auth.change_group",
            "wagtailcore.change_site",
            "wagtailcore.add_workflow",
            "wagtailcore.change_task",
            "wagtailredirects.add_redirect",
            "newsroom.change_presscentresettings",
        ]
    )
    assert client.get(reverse("wagtailusers_users:index")).status_code == 200
    assert client.get(reverse("wagtailadmin_workflows:index")).status_code == 200


def test_authors_cannot_manage_users(client, author):
    client.force_login(author)

    assert client.get(reverse("wagtailusers_users:index")).status_code != 200


def test_press_office_approval_workflow_covers_every_page(newsroom):
    article = ArticleFactory(parent=newsroom)
    workflow = article.get_workflow()

    assert workflow.name == "Press office approval"
    assert workflow.active
    assert workflow.workflow_pages.get().page.depth == 1
    task = workflow.tasks.get().specific
    assert isinstance(task, GroupApprovalTask)
    assert task.name == "Press officer review"
    assert task.active
    assert set(task.groups.values_list("name", flat=True)) == {"Press officers", "Administrators"}
    assert not Workflow.objects.get(name="Moderators approval").active


def test_author_submits_an_article_and_a_press_officer_approves_it_live(client, newsroom, author, press_officer):
    client.force_login(author)
    add_url = reverse("wagtailadmin_pages:add", args=("newsroom", "articlepage", newsroom.pk))

    response = client.post(add_url, article_form_data("Budgets under strain", **{"action-submit": "1"}))

    assert response.status_code == 302, response.context["form"].errors
    article = ArticlePage.objects.get(title="Budgets under strain")
    assert not article.live
    assert article.owner == author
    workflow_state = WorkflowState.objects.active().get(object_id=str(article.pk))
    assert workflow_state.workflow.name == "Press office approval"
    assert workflow_state.requested_by == author
    task_state = article.current_workflow_task_state
    assert task_state.task.name == "Press officer review"
    approve_url = reverse("wagtailadmin_pages:workflow_action", args=(article.pk, "approve", task_state.pk))

    # Wagtail turns the refusal into a redirect to the dashboard with an error message.
    assert client.post(approve_url, {"comment": ""}).url == reverse("wagtailadmin_home")
    article.refresh_from_db()
    assert not article.live

    client.force_login(press_officer)
    response = client.post(approve_url, {"comment": "Good to go."})

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.live
    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_APPROVED
    publish = PageLogEntry.objects.get(page=article, action="wagtail.publish")
    assert publish.user == press_officer
    assert publish.revision == article.live_revision
    assert article.live_revision.user == author


def test_author_cannot_edit_an_article_while_the_press_office_reviews_it(client, newsroom, author):
    draft = newsroom.add_child(
        instance=ArticlePage(title="Under review", slug="under-review", live=False, owner=author)
    )
    draft.save_revision(user=author)
    client.force_login(author)
    edit_url = reverse("wagtailadmin_pages:edit", args=(draft.pk,))

    submitted = client.post(edit_url, edit_data(draft, **{"action-submit": "1"}))
    refused = client.post(edit_url, {**edit_data(draft), "title": "Changed during review"})

    assert submitted.status_code == 302
    assert refused.status_code == 200
    assert refused.context["page_locked"]
    draft.refresh_from_db()
    assert draft.workflow_in_progress
    assert draft.get_latest_revision().as_object().title == "Under review"


def test_author_pressing_publish_only_saves_a_draft(client, newsroom, author):
    draft = newsroom.add_child(instance=ArticlePage(title="Draft", slug="draft", live=False, owner=author))
    draft.save_revision(user=author)
    client.force_login(author)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(draft.pk,)),
        {**edit_data(draft, **{"action-publish": "1"}), "title": "Draft, revised"},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.live
    assert draft.get_latest_revision().as_object().title == "Draft, revised"
    assert not PageLogEntry.objects.filter(page=draft, action="wagtail.publish").exists()


def test_publishing_records_a_revision_and_an_audit_log_entry(client, newsroom, press_officer):
    article = ArticleFactory(parent=newsroom, title="First headline")
    revisions_before = Revision.page_revisions.filter(object_id=str(article.pk)).count()
    client.force_login(press_officer)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(article.pk,)),
        {**edit_data(article, **{"action-publish": "1"}), "title": "Sharper headline"},
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Sharper headline"
    assert Revision.page_revisions.filter(object_id=str(article.pk)).count() == revisions_before + 1
    entry = PageLogEntry.objects.filter(page=article, action="wagtail.publish").latest("timestamp")
    assert entry.user == press_officer
    assert entry.revision == article.live_revision
    assert entry.revision.user == press_officer


@pytest.fixture(scope="module")
def historical_apps():
    """The models as migration 0002 sees them, without touching the database schema."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader.project_state(("newsroom", "0002_editorial_roles")).apps


LATER_APPS = ["alerts", "comments", "distribution", "experts", "importers", "mediakit"]
# Models added to the newsroom after migration 0002: their permissions did not exist when it first ran.
LATER_NEWSROOM_MODELS = ["newsitemtag", "contentpage", "itemasset"]


def roles_snapshot() -> dict:
    """Everything the migration decides, by name, so runs can be compared."""
    groups = {}
    for group in Group.objects.filter(name__in=["Authors", "Press officers", "Moderators", "Administrators"]):
        groups[group.name] = (
            # Later apps grant these groups permissions of their own, outside this migration's say.
            sorted(
                group.permissions.exclude(content_type__app_label__in=LATER_APPS)
                .exclude(content_type__app_label="newsroom", content_type__model__in=LATER_NEWSROOM_MODELS)
                .values_list("content_type__app_label", "codename")
            ),
            sorted(group.page_permissions.values_list("page__depth", "permission__codename")),
            sorted(group.collection_permissions.values_list("collection__depth", "permission__codename")),
        )
    workflows = {
        workflow.name: (
            workflow.active,
            sorted(workflow.tasks.values_list("name", flat=True)),
            sorted(workflow.workflow_pages.values_list("page__depth", flat=True)),
        )
        for workflow in Workflow.objects.all()
    }
    tasks = sorted(
        (task.name, task.active, sorted(task.specific.groups.values_list("name", flat=True)))
        for task in Task.objects.all()
    )
    return {"groups": groups, "workflows": workflows, "tasks": tasks}


def test_migration_reverses_to_wagtails_defaults(db, historical_apps):
    schema_editor = SimpleNamespace(connection=connection)

    roles.remove_editorial_roles(historical_apps, schema_editor)

    assert not Group.objects.filter(name__in=["Authors", "Press officers", "Administrators"]).exists()
    assert not Workflow.objects.filter(name="Press office approval").exists()
    assert not Task.objects.filter(name="Press officer review").exists()
    assert not GroupApprovalTask.objects.filter(name="Press officer review").exists()
    assert Page.get_first_root_node().workflowpage.workflow.name == "Moderators approval"
    assert Workflow.objects.get(name="Moderators approval").active
    assert root_page_actions("Moderators") == {"add", "change", "lock", "publish", "unlock"}
    # Wagtail gives its stock "Editors" group, which this migration leaves alone, the same media rights.
    moderators, editors = Group.objects.get(name="Moderators"), Group.objects.get(name="Editors")
    assert set(moderators.permissions.all()) == set(editors.permissions.all())
    assert set(moderators.collection_permissions.values_list("collection", "permission")) == set(
        editors.collection_permissions.values_list("collection", "permission")
    )


def test_migration_reapplies_after_reversing_and_is_idempotent(db, historical_apps):
    schema_editor = SimpleNamespace(connection=connection)
    migrated = roles_snapshot()

    roles.remove_editorial_roles(historical_apps, schema_editor)
    roles.create_editorial_roles(historical_apps, schema_editor)
    assert roles_snapshot() == migrated

    roles.create_editorial_roles(historical_apps, schema_editor)
    assert roles_snapshot() == migrated
    assert Task.objects.filter(name="Press officer review").count() == 1
    assert GroupApprovalTask.objects.get(name="Press officer review").content_type.model == "groupapprovaltask"
