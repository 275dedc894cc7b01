"""The comment moderation screens in the Wagtail admin: the queue, edit, reply as staff, bulk actions and the
personal-data tools. The views read the request and call one function in `moderation` or `privacy`."""

import json

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_list_or_404, get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import Truncator
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button, HeaderButton
from wagtail.log_actions import log

from presscentre.comments.models import Comment
from presscentre.comments.moderation import (
    can_reply_to,
    delete_comments,
    reply_as_staff,
    save_edited_comment,
    set_comments_status,
)
from presscentre.comments.privacy import comment_log_title, erase_personal_data, export_personal_data, log_export
from presscentre.newsroom.models import NewsItemPage

MODERATE = "comments.change_comment"
DELETE = "comments.delete_comment"

# WordPress's "All" tab: everything still in play, so not spam and not trash.
ALL = "all"
STATUS_TABS = [
    (Comment.Status.PENDING, "Pending"),
    (Comment.Status.APPROVED, "Approved"),
    (Comment.Status.SPAM, "Spam"),
    (Comment.Status.TRASH, "Trash"),
    (ALL, "All"),
]
DEFAULT_TAB = Comment.Status.PENDING


def filter_by_tab(queryset, tab: str):
    if tab == ALL:
        return queryset.filter(status__in=[Comment.Status.PENDING, Comment.Status.APPROVED])
    return queryset.filter(status=tab)


def status_counts() -> dict[str, int]:
    """How many comments each tab holds, in one query."""
    counts = {status: 0 for status, _ in STATUS_TABS}
    for row in Comment.objects.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts[ALL] = counts[Comment.Status.PENDING] + counts[Comment.Status.APPROVED]
    return counts


def pending_count() -> int:
    return Comment.objects.pending().count()


def items_with_comments(request):
    return NewsItemPage.objects.filter(Q(comments__isnull=False)).distinct().order_by("title")


class CommentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_TABS, empty_label=None, method="filter_status_later"
    )
    item = django_filters.ModelChoiceFilter(label="Item", queryset=items_with_comments, empty_label="All items")
    created_at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)

    class Meta:
        model = Comment
        fields = ["status", "item", "created_at"]

    def filter_status_later(self, queryset, name, value):
        return queryset  # applied in filter_queryset, so that an empty status means the default tab

    @property
    def tab(self) -> str:
        value = self.form.cleaned_data.get("status") if self.form.is_valid() else None
        return value or DEFAULT_TAB

    def filter_queryset(self, queryset):
        return filter_by_tab(super().filter_queryset(queryset), self.tab)


SEARCH_FIELDS = ["author_name", "author_email", "body"]


def search_comments(queryset, query: str):
    if not query:
        return queryset
    match = Q()
    for field in SEARCH_FIELDS:
        match |= Q(**{f"{field}__icontains": query})
    return queryset.filter(match)


def queue_queryset(request):
    """The comments the queue shows for this request's tab, filters and search (used by "select all")."""
    filterset = CommentFilterSet(data=request.GET, request=request, queryset=Comment.objects.all())
    queryset = filterset.qs if filterset.is_valid() else filter_by_tab(Comment.objects.all(), DEFAULT_TAB)
    return search_comments(queryset, request.GET.get("q", "").strip())


def bulk_action_url(action: str, comment: Comment | None = None) -> str:
    url = reverse("wagtail_bulk_action", args=["comments", "comment", action])
    return f"{url}?{urlencode({'id': comment.pk})}" if comment else url


def _post_button(label: str, url: str, icon_name: str, priority: int) -> Button:
    """A menu entry that POSTs (through Wagtail's action controller); without JavaScript, the link opens the
    confirmation page of the same action."""
    attrs = {"data-controller": "w-action", "data-action": "w-action#post", "data-w-action-url-value": url}
    return Button(label, url, icon_name=icon_name, attrs=attrs, priority=priority)


ROW_ACTIONS = [
    (Comment.Status.APPROVED, "approve", "Approve", "success"),
    (Comment.Status.PENDING, "unapprove", "Unapprove", "clock"),
    (Comment.Status.SPAM, "spam", "Spam", "warning"),
    (Comment.Status.TRASH, "trash", "Trash", "bin"),
]


class CommentIndexView(generic.IndexView):
    any_permission_required = ["change"]
    default_ordering = "-created_at"
    search_fields = SEARCH_FIELDS
    search_backend_name = None
    results_template_name = "comments/admin/index_results.html"
    template_name = "comments/admin/index.html"
    page_title = "Comments"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("item")

    @cached_property
    def columns(self):
        title_column = self._get_title_column_class(TitleColumn)
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="comment"),
            title_column(
                "author_name",
                label="Author",
                get_url=self.get_edit_url,
                get_title_id=lambda comment: f"comment_{comment.pk}_title",
                sort_key="author_name",
            ),
            Column("author_email", label="Email", sort_key="author_email"),
            Column("body", label="Comment", accessor=lambda comment: Truncator(comment.body).chars(160)),
            Column("item", label="In response to", accessor=lambda comment: comment.item.title),
            StatusTagColumn(
                "status",
                label="Status",
                accessor="get_status_display",
                primary=lambda comment: comment.status == Comment.Status.APPROVED,
                sort_key="status",
            ),
            DateColumn("created_at", label="Submitted", sort_key="created_at"),
        ]

    def get_add_url(self):
        return None  # comments come from readers, or as replies from a comment

    def get_list_more_buttons(self, instance):
        buttons = [
            _post_button(label, bulk_action_url(action, instance), icon, priority)
            for priority, (status, action, label, icon) in enumerate(ROW_ACTIONS, start=1)
            if instance.status != status and (action != "unapprove" or instance.status == Comment.Status.APPROVED)
        ]
        buttons.append(Button("Reply", reverse("comments_admin:reply", args=[instance.pk]), icon_name="comment"))
        return buttons + super().get_list_more_buttons(instance)

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm(DELETE):
            buttons.append(HeaderButton("Personal data", reverse("comments_admin:privacy"), icon_name="user"))
        return buttons

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        tab = self.filters.tab if self.filters else DEFAULT_TAB
        counts = status_counts()
        params = self.request.GET.copy()
        params.pop(self.page_kwarg, None)
        params.pop("_w_filter_fragment", None)
        tabs = []
        for status, label in STATUS_TABS:
            params["status"] = status
            tabs.append(
                {"label": label, "count": counts[status], "url": f"?{params.urlencode()}", "current": status == tab}
            )
        context["status_tabs"] = tabs
        return context


class CommentEditView(generic.EditView):
    def get_object(self, queryset=None):
        comment = super().get_object(queryset)
        self.previous_status = comment.status
        return comment

    def save_instance(self):
        comment = self.form.save(commit=False)
        save_edited_comment(comment, previous_status=self.previous_status, at=timezone.now())
        log(
            instance=comment,
            action="wagtail.edit",
            user=self.request.user,
            title=comment_log_title(comment),
            content_changed=self.form.has_changed(),
        )
        return comment


class CommentDeleteView(generic.DeleteView):
    def delete_action(self):
        log(
            instance=self.object,
            action="wagtail.delete",
            user=self.request.user,
            title=comment_log_title(self.object),
            deleted=True,
        )
        delete_comments(Comment.objects.filter(pk=self.object.pk))


class CommentsMenuItem(MenuItem):
    """ "Comments", with the number waiting for moderation, for those who may moderate."""

    def is_shown(self, request):
        return request.user.has_perm(MODERATE)

    def render_component(self, request):
        waiting = pending_count()
        label = f"{self.label} ({waiting})" if waiting else self.label
        return LinkMenuItem(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname, attrs=self.attrs
        )


class CommentViewSet(ModelViewSet):
    model = Comment
    name = "comments_admin"
    url_prefix = "comments"
    icon = "comment"
    menu_label = "Comments"
    menu_order = 250
    add_to_admin_menu = True
    menu_item_class = CommentsMenuItem
    add_to_reference_index = False  # comments reference nothing editors need to see; keeps deletes cheap
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "item",
        "parent",
        "kind",
        "status",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "created_at",
        "approved_at",
        "ip_address",
        "user_agent",
        "anonymised_at",
        "user",
    ]
    index_view_class = CommentIndexView
    edit_view_class = CommentEditView
    delete_view_class = CommentDeleteView
    filterset_class = CommentFilterSet
    form_fields = ["author_name", "author_email", "author_url", "body", "status"]
    list_per_page = 50
    search_fields = SEARCH_FIELDS
    search_backend_name = None

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "author_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, **kwargs)

    def get_urlpatterns(self):
        patterns = [pattern for pattern in super().get_urlpatterns() if pattern.name != "add"]
        return [
            *patterns,
            path("reply/<int:pk>/", reply, name="reply"),
            path("personal-data/", personal_data, name="privacy"),
        ]


comment_viewset = CommentViewSet()


# Bulk actions (also used, with a single id, by the per-row Approve / Spam / Trash entries)


class CommentBulkAction(BulkAction):
    models = [Comment]
    permission = MODERATE
    template_name = "comments/admin/confirm_bulk_action.html"
    verb = done = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def get_queryset(cls, model, object_ids):
        # Only what the confirmation page and the action need: 1,000 rows stay one light query.
        return get_list_or_404(model.objects.only("pk", "item_id", "status", "author_name", "body"), pk__in=object_ids)

    def get_all_objects_in_listing_query(self, parent_id):
        return queue_queryset(self.request).values_list("pk", flat=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"verb": self.verb, "shown_items": context["items"][:50], "header_icon": "comment"})
        return context

    def get_success_message(self, num_parent_objects, num_child_objects):
        noun = "comment" if num_parent_objects == 1 else "comments"
        return f"{num_parent_objects} {noun} {self.done}."


def _selected(objects):
    return Comment.objects.filter(pk__in=[comment.pk for comment in objects])


class _StatusBulkAction(CommentBulkAction):
    status = ""

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return set_comments_status(_selected(objects), cls.status, at=timezone.now()), 0


class ApproveBulkAction(_StatusBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve the selected comments"
    action_priority = 10
    status = Comment.Status.APPROVED
    verb, done = "Approve", "approved"


class UnapproveBulkAction(_StatusBulkAction):
    display_name = "Unapprove"
    action_type = "unapprove"
    aria_label = "Send the selected comments back to pending"
    action_priority = 50
    status = Comment.Status.PENDING
    verb, done = "Unapprove", "moved back to pending"


class SpamBulkAction(_StatusBulkAction):
    display_name = "Spam"
    action_type = "spam"
    aria_label = "Mark the selected comments as spam"
    action_priority = 20
    status = Comment.Status.SPAM
    verb, done = "Mark as spam", "marked as spam"


class TrashBulkAction(_StatusBulkAction):
    display_name = "Trash"
    action_type = "trash"
    aria_label = "Move the selected comments to the trash"
    action_priority = 30
    status = Comment.Status.TRASH
    verb, done = "Move to trash", "moved to the trash"


class DeleteBulkAction(CommentBulkAction):
    display_name = "Delete"
    action_type = "delete"
    aria_label = "Delete the selected comments permanently"
    action_priority = 40
    classes = {"serious"}
    permission = DELETE
    verb, done = "Delete permanently", "deleted"

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return delete_comments(_selected(objects)), 0


BULK_ACTIONS = [ApproveBulkAction, SpamBulkAction, TrashBulkAction, DeleteBulkAction, UnapproveBulkAction]


# Reply as staff


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 8}))


def reply(request, pk: int):
    """Reply to a comment in the staff member's own name; the reply is approved at once."""
    if not request.user.has_perm(MODERATE):
        raise PermissionDenied
    parent = get_object_or_404(Comment.objects.select_related("item"), pk=pk)
    allowed = can_reply_to(parent)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and allowed and form.is_valid():
        reply_as_staff(parent, body=form.cleaned_data["body"], by=request.user, at=timezone.now())
        messages.success(request, f"Reply to {parent.author_name} published.")
        return redirect(f"{reverse('comments_admin:index')}?status={parent.status}")
    context = {
        "parent": parent,
        "form": form,
        "allowed": allowed,
        "page_title": "Reply",
        "header_title": f"Reply to {parent.author_name}",
        "header_icon": "comment",
    }
    return TemplateResponse(request, "comments/admin/reply.html", context)


# Personal data


class PersonalDataForm(forms.Form):
    email = forms.EmailField(label="Email address")
    keep_bodies = forms.TypedChoiceField(
        label="When erasing",
        choices=[("1", "Keep the comment texts (anonymised)"), ("0", "Replace the comment texts with [removed]")],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label="I understand that erasing cannot be undone", required=False, help_text="Needed to erase."
    )


def personal_data(request):
    """Export (JSON) or erase everything kept about one commenter's email address."""
    if not request.user.has_perm(DELETE):
        raise PermissionDenied
    form = PersonalDataForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        now = timezone.now()
        if request.POST.get("action") == "export":
            data = export_personal_data(email)
            log_export(email, by=request.user, at=now)
            response = HttpResponse(
                json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
            )
            response["Content-Disposition"] = content_disposition_header(True, "comments-personal-data.json")
            response["Cache-Control"] = "private, no-store"
            return response
        if request.POST.get("action") == "erase":
            if not form.cleaned_data["confirm"]:
                form.add_error("confirm", "Tick this box to erase.")
            else:
                erased = erase_personal_data(
                    email, keep_bodies=form.cleaned_data["keep_bodies"], by=request.user, at=now
                )
                messages.success(request, f"{erased} comment(s) anonymised.")
                return redirect("comments_admin:privacy")
    context = {
        "form": form,
        "page_title": "Commenters' personal data",
        "header_title": "Commenters' personal data",
        "header_icon": "user",
    }
    return TemplateResponse(request, "comments/admin/personal_data.html", context)
