"""Sharing an item on Mastodon without a third-party widget: the reader names their own server, and is sent to
its share screen with the item's title and address filled in."""

import re
from urllib.parse import urlencode, urlsplit

from django import forms
from django.core.exceptions import ValidationError

# One label of a host name: letters, digits and hyphens, not starting or ending with a hyphen (RFC 1123).
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
INSTANCE_ERROR = "Enter the address of your Mastodon server, for example mastodon.social."
SHARE_LINK_ERROR = "This share link is incomplete: go back to the item and use its Mastodon link again."


def instance_host(value: str) -> str:
    """The host name of the Mastodon server a reader typed, lower-cased and in ASCII (IDNA).

    Readers type the server ("mastodon.social"), paste its address ("https://mastodon.social/") or their handle
    ("@me@mastodon.social"); each gives the server's host. Anything that is not a dotted host name (an IP
    address, a port, a path of its own, a single word) is refused with `INSTANCE_ERROR`.
    """
    text = value.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("/", 1)[0]
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = text.rstrip(".").lower()
    try:
        host = text.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValidationError(INSTANCE_ERROR) from error
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or labels[-1].isdigit() or not all(map(_HOST_LABEL.match, labels)):
        raise ValidationError(INSTANCE_ERROR)
    return host


def mastodon_share_url(host: str, *, text: str, url: str) -> str:
    """The server's own share screen with the post written: the title, then the item's address."""
    post = f"{text} {url}".strip()
    return f"https://{host}/share?{urlencode({'text': post})}"


class MastodonShareForm(forms.Form):
    """What the share page asks: the reader's server. The item's address and title ride along in the query."""

    instance = forms.CharField(
        label="Your Mastodon server",
        max_length=300,
        help_text="For example mastodon.social. You can also paste your handle, like @you@mastodon.social.",
        error_messages={"required": INSTANCE_ERROR, "max_length": INSTANCE_ERROR},
    )
    url = forms.CharField(
        max_length=2000,
        widget=forms.HiddenInput,
        error_messages={"required": SHARE_LINK_ERROR, "max_length": SHARE_LINK_ERROR},
    )
    text = forms.CharField(
        max_length=500, required=False, widget=forms.HiddenInput, error_messages={"max_length": SHARE_LINK_ERROR}
    )

    def clean_instance(self) -> str:
        return instance_host(self.cleaned_data["instance"])

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(SHARE_LINK_ERROR)
        return url
