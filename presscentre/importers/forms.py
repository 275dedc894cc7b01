from django import forms

from presscentre.newsroom.models import ITEM_TYPES, PressCentrePage


class ImportForm(forms.Form):
    """What the admin import screen asks for: the export, whether to write anything, where, and as what."""

    file = forms.FileField(
        label="WordPress export file",
        help_text="The .xml file from Tools → Export in WordPress (WXR 1.0, 1.1 or 1.2).",
    )
    mode = forms.ChoiceField(
        choices=[("dry_run", "Dry run: report what would be imported, write nothing"), ("import", "Import")],
        initial="dry_run",
        widget=forms.RadioSelect,
    )
    parent = forms.ModelChoiceField(
        queryset=PressCentrePage.objects.all(), label="Import into", help_text="The press centre the items go under."
    )
    default_type = forms.ChoiceField(
        choices=[(slug, model._meta.verbose_name.capitalize()) for slug, model in ITEM_TYPES.items()],
        initial="article",
        label="Default item type",
        help_text="For posts whose category does not say (a 'Press releases' category gives press releases).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only press centres where this user may publish: importing publishes items there.
        allowed = [page.pk for page in PressCentrePage.objects.all() if page.permissions_for_user(user).can_publish()]
        self.fields["parent"].queryset = PressCentrePage.objects.filter(pk__in=allowed)
        if len(allowed) == 1:
            self.fields["parent"].initial = allowed[0]
