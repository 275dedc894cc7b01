"""The distribution screens in the Wagtail admin: contacts and lists (model viewsets, with CSV import and
export), and distributions (create, preview, test send, a confirmation step before sending now or later,
cancel, report). Views read the request and call one function in `services`, `sending` or `contacts_csv`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import HeaderButton

from presscentre.core.urls_public import public_base_url
from presscentre.distribution import services
from presscentre.distribution.contacts_csv import (
    MalformedFile,
    decode_upload,
    export_csv_lines,
    import_contacts,
    read_contacts_csv,
)
from presscentre.distribution.demo import SAMPLE_CSV
from presscentre.distribution.forms import ContactsConfirmForm, ContactsUploadForm, DistributionForm, SendForm
from presscentre.distribution.models import Delivery, Distribution, MediaContact, MediaList

ADD_CONTACTS = "distribution.add_mediacontact"
VIEW_CONTACTS = "distribution.view_mediacontact"
VIEW_DISTRIBUTIONS = "distribution.view_distribution"
SEND = "distribution.change_distribution"


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


# Contacts


class ContactIndexView(generic.IndexView):
    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm(ADD_CONTACTS):
            buttons.append(HeaderButton("Import CSV", reverse("media_contacts:import"), icon_name="upload"))
        buttons.append(HeaderButton("Export CSV", self._export_url(), icon_name="download"))
        return buttons

    def _export_url(self) -> str:
        query = self.request.GET.urlencode()
        return reverse("media_contacts:export") + (f"?{query}" if query else "")


class YesNoColumn(Column):
    """A true/false field as the words 'Yes' and 'No' (Wagtail would print Python's True and False)."""

    def get_value(self, instance):
        return "Yes" if super().get_value(instance) else "No"


class MediaContactViewSet(ModelViewSet):
    model = MediaContact
    name = "media_contacts"
    url_prefix = "distribution/contacts"
    icon = "user"
    menu_label = "Media contacts"
    index_view_class = ContactIndexView
    copy_view_enabled = False
    list_display = [
        "name",
        "email",
        "outlet",
        "role",
        YesNoColumn("opted_out", label="Opted out", sort_key="opted_out"),
        "bounce_count",
    ]
    list_filter = ["lists", "topics", "opted_out"]
    search_fields = ["name", "email", "outlet", "role"]
    search_backend_name = None
    list_per_page = 50
    panels = [
        FieldPanel("name"),
        FieldPanel("email"),
        FieldPanel("outlet"),
        FieldPanel("role"),
        FieldPanel("phone"),
        FieldPanel("lists", widget=forms.CheckboxSelectMultiple),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("notes"),
        MultiFieldPanel(
            [
                FieldPanel("consent_basis"),
                FieldPanel("consent_date"),
                FieldPanel("opted_out"),
                FieldPanel("bounce_count"),
            ],
            heading="Consent and delivery",
        ),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", import_contacts_view, name="import"),
            path("export/", export_contacts_view, name="export"),
            path("sample.csv", sample_csv_view, name="sample"),
        ]


def import_contacts_view(request):
    """Upload, then a preview of every row, then import of the good rows on confirmation."""
    _require(request.user, ADD_CONTACTS)
    context = {"page_title": "Import media contacts", "header_title": "Import media contacts", "header_icon": "upload"}
    if request.method == "POST" and "csv_text" in request.POST:
        confirm = ContactsConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                summary = import_contacts(confirm.cleaned_data["csv_text"], add_to=confirm.cleaned_data["add_to"])
            except MalformedFile as error:
                messages.error(request, str(error))
                return redirect("media_contacts:import")
            messages.success(
                request,
                f"Imported {summary.created} new contacts and updated {summary.updated}; "
                f"{summary.not_imported} rows were not imported.",
            )
            return redirect("media_contacts:index")
    form = ContactsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = decode_upload(form.cleaned_data["file"].read())
            preview = read_contacts_csv(text)
        except MalformedFile as error:
            form.add_error("file", str(error))
        else:
            confirm = ContactsConfirmForm(initial={"csv_text": text, "add_to": form.cleaned_data["add_to"]})
            counts = {action: preview.count(action) for action in ("new", "update", "duplicate", "error")}
            counts["importable"] = counts["new"] + counts["update"]
            context.update(
                {
                    "preview": preview,
                    "preview_counts": counts,
                    "confirm": confirm,
                    "add_to": form.cleaned_data["add_to"],
                }
            )
            return TemplateResponse(request, "distribution/admin/import_preview.html", context)
    context["form"] = form
    return TemplateResponse(request, "distribution/admin/import.html", context)


def export_contacts_view(request):
    """All contacts (or one list's, with ?lists=<id>) as CSV in the import's columns."""
    _require(request.user, VIEW_CONTACTS)
    contacts = MediaContact.objects.order_by("name", "pk")
    list_id = request.GET.get("lists", "")
    if list_id.isdigit():
        contacts = contacts.filter(lists__pk=int(list_id))
    response = StreamingHttpResponse(export_csv_lines(contacts), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "media-contacts.csv")
    response["Cache-Control"] = "private, no-store"
    return response


def sample_csv_view(request):
    return FileResponse(SAMPLE_CSV.open("rb"), as_attachment=True, filename="media-contacts-sample.csv")


class MediaListIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(contact_count=Count("contacts"))


class MediaListViewSet(ModelViewSet):
    model = MediaList
    name = "media_lists"
    url_prefix = "distribution/lists"
    icon = "group"
    menu_label = "Media lists"
    copy_view_enabled = False
    index_view_class = MediaListIndexView
    form_fields = ["name", "description"]
    list_display = ["name", "description", Column("contact_count", label="Contacts", sort_key="contact_count")]
    search_fields = ["name"]
    search_backend_name = None


# Distributions


class DistributionIndexView(generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        # Alerts and digests to subscribers have their own screens (the alerts app's).
        return super().get_base_queryset().filter(kind=Distribution.Kind.RELEASE).select_related("release")

    def get_edit_url(self, instance):
        return reverse("distributions:detail", args=[instance.pk])


class DistributionCreateView(generic.CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.created_by = self.request.user
        instance.save()
        self.form.save_m2m()
        return instance

    def get_success_url(self):
        return reverse("distributions:detail", args=[self.object.pk])


class DistributionEditView(generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        distribution = get_object_or_404(Distribution, pk=kwargs.get("pk"))
        if not distribution.is_editable:
            messages.warning(request, "Only a draft can be changed.")
            return redirect("distributions:detail", distribution.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("distributions:detail", args=[self.object.pk])


class DistributionViewSet(ModelViewSet):
    model = Distribution
    name = "distributions"
    url_prefix = "distribution/sends"
    icon = "mail"
    menu_label = "Distributions"
    copy_view_enabled = False
    index_view_class = DistributionIndexView
    add_view_class = DistributionCreateView
    edit_view_class = DistributionEditView
    list_display = [
        "release",
        "status",
        DateColumn("send_at", label="Send at"),
        DateColumn("created_at", label="Created"),
    ]
    list_filter = ["status"]
    panels = [
        FieldPanel("release"),
        FieldPanel("lists", widget=forms.CheckboxSelectMultiple),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
    ]

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        return type("DistributionAdminForm", (DistributionForm, form_class), {})

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/", distribution_detail, name="detail"),
            path("<int:pk>/email.html", email_preview, name="preview_html"),
            path("<int:pk>/test/", send_test, name="test"),
            path("<int:pk>/send/", send, name="send"),
            path("<int:pk>/cancel/", cancel, name="cancel"),
            path("<int:pk>/resume/", resume, name="resume"),
        ]


def _distribution(request, pk: int, permission: str = VIEW_DISTRIBUTIONS) -> Distribution:
    _require(request.user, permission)
    return get_object_or_404(Distribution.objects.select_related("release", "created_by"), pk=pk)


def distribution_detail(request, pk: int):
    """Preview, test send and send for a draft; progress and the report once sending has started."""
    distribution = _distribution(request, pk)
    now = timezone.now()
    deliveries = distribution.deliveries.select_related("access_link").order_by("pk")
    status_filter = request.GET.get("status", "")
    if status_filter in Delivery.Status.values:
        deliveries = deliveries.filter(status=status_filter)
    page = Paginator(deliveries, 100).get_page(request.GET.get("p"))
    context = {
        "distribution": distribution,
        "release": distribution.release,
        "counts": services.delivery_counts(distribution),
        "statuses": Delivery.Status.choices,
        "status_filter": status_filter,
        "deliveries": page,
        "activity": services.journalist_activity(distribution),
        "failures": services.failures(distribution),
        "refusal": services.sending_refusal(distribution, at=now) if distribution.is_editable else "",
        "preview": services.preview(distribution, at=distribution.send_at or now),
        "send_form": SendForm(initial={"send_at": request.GET.get("send_at", "")}),
        "can_send": request.user.has_perm(SEND),
        "page_title": "Distribution",
        "header_title": f"Distribution: {distribution.release.title}",
        "header_icon": "mail",
    }
    return TemplateResponse(request, "distribution/admin/detail.html", context)


@xframe_options_sameorigin
def email_preview(request, pk: int):
    """The HTML part alone, for the preview frame; sandboxed by the frame and never cached."""
    distribution = _distribution(request, pk)
    response = HttpResponse(services.preview(distribution, at=timezone.now())["html"])
    response["Cache-Control"] = "private, no-store"
    # Images in the body come from the site's own public address (plain http in development).
    response["Content-Security-Policy"] = (
        f"sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: {public_base_url()}"
    )
    return response


@require_POST
def send_test(request, pk: int):
    distribution = _distribution(request, pk, SEND)
    if not request.user.email:
        messages.error(request, "Your account has no email address; add one in your account settings.")
    else:
        services.send_test_email(distribution, to=request.user.email, at=timezone.now())
        messages.success(request, f"Test email sent to {request.user.email}.")
    return redirect("distributions:detail", distribution.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def send(request, pk: int):
    """The confirmation step. GET (the detail page's send button) shows what would go out and to how many, and
    changes nothing; only a POST from that screen, carrying its signed summary, queues the send."""
    distribution = _distribution(request, pk, SEND)
    data = request.POST if request.method == "POST" else request.GET
    typed = data.get("send_at", "")
    form = SendForm(data)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("send_at", ["Check the time."])))
        return redirect(_detail_url(distribution, send_at=typed))
    send_at = form.cleaned_data["send_at"]
    now = timezone.now()
    if request.method == "POST":
        try:
            services.send_confirmed(
                distribution, token=data.get("confirmation", ""), by=request.user, at=now, send_at=send_at
            )
        except ValueError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "Scheduled." if send_at else "Sending has started.")
            return redirect("distributions:detail", distribution.pk)
    summary = services.summarise_sending(distribution, at=now, send_at=send_at)
    context = {
        "distribution": distribution,
        "summary": summary,
        "confirmation": "" if summary.refusal else summary.token(),
        "send_at_value": typed,
        "back_url": _detail_url(distribution, send_at=typed),
        "page_title": "Confirm send",
        "header_title": f"Send: {distribution.release.title}",
        "header_icon": "mail",
    }
    return TemplateResponse(request, "distribution/admin/confirm.html", context)


def _detail_url(distribution: Distribution, *, send_at: str = "") -> str:
    url = reverse("distributions:detail", args=[distribution.pk])
    return f"{url}?{urlencode({'send_at': send_at})}" if send_at else url


@require_POST
def resume(request, pk: int):
    distribution = _distribution(request, pk, SEND)
    if services.resume_distribution(distribution, at=timezone.now()):
        messages.success(request, "Sending resumes on the background queue.")
    else:
        messages.error(request, "Only a distribution that is sending can be resumed.")
    return redirect("distributions:detail", distribution.pk)


@require_POST
def cancel(request, pk: int):
    distribution = _distribution(request, pk, SEND)
    cancelled = services.cancel_distribution(distribution, by=request.user, at=timezone.now())
    messages.success(request, f"Cancelled; {cancelled} queued messages will not be sent.")
    return redirect("distributions:detail", distribution.pk)


class DistributionViewSetGroup(ModelViewSetGroup):
    menu_label = "Distribution"
    menu_icon = "mail"
    menu_order = 260
    items = (DistributionViewSet, MediaContactViewSet, MediaListViewSet)
