"""The editor's form for every newsroom item: a new item needs only its headline to save."""

from django import forms
from django.utils.text import slugify
from wagtail.admin.forms.pages import WagtailAdminPageForm

# Slugs the archives, feeds, search and journalist links own beneath the index; items may not take them.
RESERVED_SLUGS = frozenset(
    {"category", "author", "feed", "search", "page", "embargoed", "comments", "api", "admin", "press-contacts", "share"}
)


class NewsItemForm(WagtailAdminPageForm):
    """Wagtail's page form, with the slug taken from the headline when the editor leaves it empty.

    The title field fills the slug as it is typed (TitleFieldPanel); this covers what the browser cannot: an
    autosave before the slug field was drawn, a form posted without it, a headline pasted by a script. The slug
    is unique among the item's siblings and never one the press centre's own pages use.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._slug_generated = False
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Filled in from the headline. Change it only before the first publish."
        if "embargo_time_zone" in self.fields:
            self._offer_site_zone_first()

    def _offer_site_zone_first(self) -> None:
        """The embargo's zone picker opens on the site's zone, listed first, then every zone by region."""
        from presscentre.newsroom.models import PressCentreSettings
        from presscentre.newsroom.models.items import time_zone_choices_with_first

        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        site = parent.get_site() if parent is not None else None
        site_zone = PressCentreSettings.for_site(site).time_zone if site is not None else ""
        field = self.fields["embargo_time_zone"]
        first = site_zone or self.instance.embargo_time_zone
        field.choices = time_zone_choices_with_first(first)
        if self.instance.pk is None and not self.is_bound and site_zone:
            self.initial["embargo_time_zone"] = site_zone
        saved = self.instance.embargo_time_zone
        if saved and saved != first and saved not in dict(_flat(field.choices)):
            # A zone saved before the list was narrowed (an old alias) stays selectable until changed.
            field.choices = [*field.choices, ("Saved earlier", [(saved, saved)])]

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        title = self.cleaned_data.get("title") or ""
        from_title = slugify(title, allow_unicode=True)
        # A slug the editor left empty, or the one the headline filled in on a page never published, is the
        # form's to choose: when a sibling has it already, take the next free one rather than refuse the save.
        if not slug or (slug == from_title and not self.instance.first_published_at):
            chosen = self._slug_from_title(title)
            if not chosen:
                raise forms.ValidationError("Type a headline with letters or digits, or choose a slug.")
            self._slug_generated = chosen != slug
            return chosen
        return slug

    def _slug_from_title(self, title: str) -> str:
        base = slugify(title, allow_unicode=True)[:240].strip("-")
        if not base:
            return ""
        parent = self.parent_page if self.instance.pk is None else self.instance.get_parent()
        candidate, suffix = base, 1
        while candidate in RESERVED_SLUGS or not self.instance._slug_is_available(candidate, parent, self.instance):
            suffix += 1
            candidate = f"{base}-{suffix}"
        return candidate

    def get_field_updates_for_resave(self):
        """After an autosave, show the editor the slug the form chose."""
        updates = list(super().get_field_updates_for_resave())
        if self._slug_generated:
            updates.append(("slug", self.cleaned_data["slug"]))
        return updates


def _flat(choices) -> list[tuple[str, str]]:
    flat = []
    for value, label in choices:
        flat.extend(label if isinstance(label, list | tuple) else [(value, label)])
    return flat
