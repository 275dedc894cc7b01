"""Editorial roles for the people who run a press centre, and the press office's approval workflow.

Authors write and submit, press officers approve and publish, moderators will clear the comment queue
(their permissions arrive with the comments app), administrators run the site and its users.

Each role ends up with exactly the permissions listed here on the tree root and the root collection, so
running the migration again changes nothing. Wagtail's own first migration already created a "Moderators"
group that may edit and publish every page and manage images and documents; this project uses that name
for comment moderators, so those page and media rights are taken away here, and Wagtail's default
"Moderators approval" workflow is replaced on the root page by the press office's workflow.

Reversing removes the groups and the workflow created here and gives "Moderators" and the default
workflow back what Wagtail's migrations gave them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHORS = "Authors"
PRESS_OFFICERS = "Press officers"
MODERATORS = "Moderators"
ADMINISTRATORS = "Administrators"
CREATED_GROUPS = (AUTHORS, PRESS_OFFICERS, ADMINISTRATORS)

WORKFLOW_NAME = "Press office approval"
TASK_NAME = "Press officer review"
REVIEWER_GROUPS = (PRESS_OFFICERS, ADMINISTRATORS)

# Created by wagtailcore's 0002_initial_data and 0048_add_default_workflows.
WAGTAIL_DEFAULT_WORKFLOW = "Moderators approval"

# The apps whose permissions the roles refer to. Inside `migrate` Django creates permissions only after
# the last migration, so on a fresh database they have to be created here first.
PERMISSION_APPS = (
    "auth",
    "newsroom",
    "wagtailadmin",
    "wagtailcore",
    "wagtaildocs",
    "wagtailimages",
    "wagtailredirects",
)

ALL_PAGE_ACTIONS = ("add", "bulk_delete", "change", "lock", "publish", "unlock")

IMAGES_AND_DOCUMENTS = (
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.delete_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.delete_document",
    "wagtaildocs.choose_document",
)


def model_permissions(label, actions=("add", "change", "delete", "view")):
    app_label, model_name = label.split(".")
    return tuple(f"{app_label}.{action}_{model_name}" for action in actions)


NEWSROOM_SNIPPETS = (
    *model_permissions("newsroom.category"),
    *model_permissions("newsroom.person"),
    *model_permissions("newsroom.presscontact"),
    *model_permissions("newsroom.boilerplate"),
)

# "permissions" are ordinary Django permissions; "pages" are page actions on the tree root, so they cover
# every press centre on every site; "collection" permissions apply to the root collection and all below it.
ROLES = {
    AUTHORS: {
        "permissions": ("wagtailadmin.access_admin", "newsroom.view_category", "newsroom.view_person"),
        # "add" alone lets authors edit their own pages and uploads but not the press office's.
        "pages": ("add",),
        "collection": (
            "wagtailimages.add_image",
            "wagtailimages.choose_image",
            "wagtaildocs.add_document",
            "wagtaildocs.choose_document",
        ),
    },
    PRESS_OFFICERS: {
        "permissions": (
            "wagtailadmin.access_admin",
            *NEWSROOM_SNIPPETS,
            *model_permissions("newsroom.presscentresettings", ("change", "view")),
        ),
        "pages": ALL_PAGE_ACTIONS,
        "collection": IMAGES_AND_DOCUMENTS,
    },
    MODERATORS: {
        "permissions": ("wagtailadmin.access_admin",),
        "pages": (),
        "collection": (),
    },
    ADMINISTRATORS: {
        "permissions": (
            "wagtailadmin.access_admin",
            "newsroom.*",
            *model_permissions("auth.user"),
            *model_permissions("auth.group"),
            *model_permissions("wagtailcore.site"),
            *model_permissions("wagtailcore.workflow"),
            *model_permissions("wagtailcore.task"),
            *model_permissions("wagtailredirects.redirect"),
        ),
        "pages": ALL_PAGE_ACTIONS,
        "collection": (
            *IMAGES_AND_DOCUMENTS,
            "wagtailcore.add_collection",
            "wagtailcore.change_collection",
            "wagtailcore.delete_collection",
        ),
    },
}

# What wagtailcore, wagtailadmin, wagtailimages and wagtaildocs migrations give "Moderators" on a new site.
WAGTAIL_MODERATORS = {
    "permissions": ("wagtailadmin.access_admin", *IMAGES_AND_DOCUMENTS),
    "pages": ("add", "change", "lock", "publish", "unlock"),
    "collection": (
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ),
}


def ensure_permissions_exist(apps, using):
    """Create the content types and permissions of PERMISSION_APPS that `migrate` has not made yet."""
    for label in PERMISSION_APPS:
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        # Historical app configs have no models module, and create_permissions skips apps without one.
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, using=using, verbosity=0)
        finally:
            app_config.models_module = models_module


def find_permissions(apps, names):
    """Permission rows for "app_label.codename" names; "app_label.*" means every permission of that app."""
    Permission = apps.get_model("auth", "Permission")
    found = []
    for name in names:
        app_label, codename = name.split(".")
        permissions = Permission.objects.filter(content_type__app_label=app_label)
        if codename == "*":
            found.extend(permissions)
        else:
            found.append(permissions.get(codename=codename))
    return found


def page_permissions(apps, actions):
    Page = apps.get_model("wagtailcore", "Page")
    return find_permissions(apps, [f"wagtailcore.{action}_{Page._meta.model_name}" for action in actions])


def tree_roots(apps):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    return Page.objects.get(depth=1), Collection.objects.get(depth=1)


def set_role(apps, group, role):
    """Give `group` exactly `role`'s permissions, on the root page and root collection."""
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page, root_collection = tree_roots(apps)

    group.permissions.set(find_permissions(apps, role["permissions"]))

    wanted = page_permissions(apps, role["pages"])
    GroupPagePermission.objects.filter(group=group, page=root_page).exclude(permission__in=wanted).delete()
    for permission in wanted:
        GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=permission)

    wanted = find_permissions(apps, role["collection"])
    GroupCollectionPermission.objects.filter(group=group, collection=root_collection).exclude(
        permission__in=wanted
    ).delete()
    for permission in wanted:
        GroupCollectionPermission.objects.get_or_create(group=group, collection=root_collection, permission=permission)


def create_editorial_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")

    ensure_permissions_exist(apps, schema_editor.connection.alias)

    for name, role in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        set_role(apps, group, role)

    # Historical models have no `specific` machinery, so the task's content type is set by hand;
    # creating the child model writes both the wagtailcore_task and wagtailcore_groupapprovaltask rows.
    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task, _ = GroupApprovalTask.objects.get_or_create(
        name=TASK_NAME, content_type=task_type, defaults={"active": True}
    )
    task.groups.set(Group.objects.filter(name__in=REVIEWER_GROUPS))

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})

    # A page has at most one workflow: on the root it applies to every page without a workflow of its own.
    root_page, _ = tree_roots(apps)
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})

    # Wagtail's default workflow asks "Moderators" to approve pages; here they moderate comments, so it is
    # switched off unless someone still relies on it.
    in_use = WorkflowPage.objects.filter(workflow__name=WAGTAIL_DEFAULT_WORKFLOW).exists() or (
        WorkflowState.objects.filter(
            workflow__name=WAGTAIL_DEFAULT_WORKFLOW, status__in=["in_progress", "needs_changes"]
        ).exists()
    )
    if not in_use:
        for default in Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW):
            default.active = False
            default.save(update_fields=["active"])
            GroupApprovalTask.objects.filter(workflow_tasks__workflow=default, groups__name=MODERATORS).update(
                active=False
            )


def remove_editorial_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Task = apps.get_model("wagtailcore", "Task")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    task_ids = list(GroupApprovalTask.objects.filter(name=TASK_NAME).values_list("pk", flat=True))
    Task.objects.filter(pk__in=task_ids).delete()
    Group.objects.filter(name__in=CREATED_GROUPS).delete()

    moderators = Group.objects.filter(name=MODERATORS).first()
    if moderators is not None:
        set_role(apps, moderators, WAGTAIL_MODERATORS)

    default = Workflow.objects.filter(name=WAGTAIL_DEFAULT_WORKFLOW).first()
    if default is not None:
        default.active = True
        default.save(update_fields=["active"])
        GroupApprovalTask.objects.filter(workflow_tasks__workflow=default).update(active=True)
        root_page, _ = tree_roots(apps)
        WorkflowPage.objects.get_or_create(page=root_page, defaults={"workflow": default})


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_editorial_roles, remove_editorial_roles)]
