"""The client address behind proxies: X-Forwarded-For is believed only as far as PRESSCENTRE_TRUSTED_PROXIES
reach, and login throttling and the journalist access log count the reader, not the proxy."""

import pytest
from django.test import Client

from presscentre.core.client_address import address_from, checked_networks
from presscentre.core.tests.test_deploy import manage, production_env

NGINX_AND_VARNISH = ["127.0.0.1", "::1"]


def address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return address_from(meta)


@pytest.fixture
def behind_proxies(settings):
    settings.PRESSCENTRE_TRUSTED_PROXIES = NGINX_AND_VARNISH
    return settings


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.PRESSCENTRE_TRUSTED_PROXIES = []

    assert address("198.51.100.7", "203.0.113.99") == "198.51.100.7"
    assert address("127.0.0.1", "203.0.113.99") == "127.0.0.1"


def test_a_header_from_a_client_that_is_not_a_trusted_proxy_is_ignored(behind_proxies):
    # A reader reaching the app directly cannot name another address for itself.
    assert address("198.51.100.7", "203.0.113.99") == "198.51.100.7"


def test_nginx_and_varnish_on_the_same_machine_give_the_reader(behind_proxies):
    # nginx appends the reader, Varnish appends nginx (127.0.0.1), gunicorn sees Varnish (127.0.0.1).
    assert address("127.0.0.1", "198.51.100.7, 127.0.0.1") == "198.51.100.7"


def test_what_the_reader_wrote_left_of_the_proxies_is_never_believed(behind_proxies):
    assert address("127.0.0.1", "203.0.113.99, 10.0.0.1, 198.51.100.7, 127.0.0.1") == "198.51.100.7"


def test_networks_are_trusted_by_cidr(settings):
    settings.PRESSCENTRE_TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]

    # A load balancer at 10.1.2.3 and a Varnish tier at 10.9.9.9 in front of an app server.
    assert address("10.9.9.9", "198.51.100.7, 192.0.2.10, 10.1.2.3") == "198.51.100.7"
    assert address("10.9.9.9", "198.51.100.7, 192.0.2.11, 10.1.2.3") == "192.0.2.11"


def test_ipv6_readers_and_proxies(settings):
    settings.PRESSCENTRE_TRUSTED_PROXIES = ["::1", "2001:db8:1::/48"]

    assert address("::1", "2001:db8:ffff::42, 2001:db8:1::5") == "2001:db8:ffff::42"
    assert address("2001:db8:1::9", " 2001:DB8:FFFF:0:0:0:0:42 ") == "2001:db8:ffff::42"
    # IPv4 networks never match IPv6 addresses and the other way round.
    settings.PRESSCENTRE_TRUSTED_PROXIES = ["0.0.0.0/0"]
    assert address("2001:db8:1::9", "198.51.100.7") == "2001:db8:1::9"


def test_ipv4_mapped_addresses_count_as_ipv4(behind_proxies):
    # A server listening on [::] reports IPv4 peers as ::ffff:a.b.c.d.
    assert address("::ffff:127.0.0.1", "::ffff:198.51.100.7") == "198.51.100.7"


@pytest.mark.parametrize(
    "garbage",
    [
        "not-an-address",
        "198.51.100.7:4431",
        "unknown, 127.0.0.1",
        "999.1.1.1",
        "<script>",
        "\x00",
        "198.51.100.7;",
        "[2001:db8::1]",
    ],
)
def test_a_malformed_header_leaves_remote_addr(behind_proxies, garbage):
    assert address("127.0.0.1", garbage) == "127.0.0.1"


def test_empty_entries_and_an_empty_header_are_skipped(behind_proxies):
    assert address("127.0.0.1", "") == "127.0.0.1"
    assert address("127.0.0.1", " , 198.51.100.7,, 127.0.0.1") == "198.51.100.7"


def test_a_request_from_inside_the_trusted_networks_is_its_own_furthest_hop(behind_proxies):
    assert address("127.0.0.1", "::1, 127.0.0.1") == "::1"


def test_an_unreadable_remote_addr_gives_no_address(behind_proxies):
    assert address("", "198.51.100.7") == ""
    assert address("unix:/run/presscentre.sock") == ""


def test_the_setting_refuses_anything_but_addresses_and_networks():
    assert checked_networks(["127.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32"], name="X") == [
        "127.0.0.1",
        "10.0.0.0/8",
        "::1",
        "2001:db8::/32",
    ]
    with pytest.raises(Exception, match="X must list IP addresses or networks"):
        checked_networks(["varnish.internal"], name="X")


def test_a_malformed_trusted_proxies_variable_stops_the_site_with_one_clear_message():
    result = manage("check", env=production_env(PRESSCENTRE_TRUSTED_PROXIES="127.0.0.1,10.0.0.0/33"))

    assert result.returncode != 0
    assert "PRESSCENTRE_TRUSTED_PROXIES must list IP addresses or networks" in result.stderr


def test_a_garbage_header_through_the_whole_stack_is_not_an_error(behind_proxies, client, db):
    response = client.get("/admin/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="\u00e9\u00e9, , ::zz")

    assert response.status_code == 200


# Login throttling (django-axes)


@pytest.fixture
def strict_limit(settings, behind_proxies):
    settings.AXES_FAILURE_LIMIT = 2
    return settings


def sign_in(client, password, **headers):
    return client.post("/admin/login/", {"username": "editor", "password": password}, **headers)


def via_proxies(reader: str) -> dict:
    return {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": f"{reader}, 127.0.0.1"}


def test_axes_locks_out_the_reader_behind_the_proxies_not_the_proxy(strict_limit, editor):
    attacker, colleague = Client(**via_proxies("203.0.113.5")), Client(**via_proxies("198.51.100.7"))
    for _ in range(2):
        sign_in(attacker, "wrong")

    assert sign_in(attacker, "editor-password").status_code == 429
    # The same username through the same proxies from another reader still signs in.
    assert sign_in(colleague, "editor-password").status_code == 302


def test_axes_records_the_reader_address(strict_limit, editor):
    from axes.models import AccessAttempt

    sign_in(Client(), "wrong", **via_proxies("2001:db8::77"))

    assert AccessAttempt.objects.get().ip_address == "2001:db8::77"


def test_a_spoofed_header_does_not_escape_a_lockout_without_trusted_proxies(settings, editor):
    settings.AXES_FAILURE_LIMIT = 2
    settings.PRESSCENTRE_TRUSTED_PROXIES = []
    for number in range(2):
        sign_in(Client(), "wrong", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    # A new made-up address in the header changes nothing: the lockout is by the real peer.
    refused = sign_in(Client(), "editor-password", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert refused.status_code == 429


# The journalist access log


def test_the_access_log_keeps_the_readers_network_behind_the_proxies(behind_proxies, rf, editor, newsroom):
    from datetime import timedelta

    from django.utils import timezone

    from presscentre.embargo.services import create_access_link, record_access
    from presscentre.newsroom.tests.factories import PressReleaseFactory

    release = PressReleaseFactory(parent=newsroom, embargo_until=timezone.now() + timedelta(days=1))
    link = create_access_link(
        release, name="Ann", email="ann@example.org", outlet="Ledger", by=editor, at=timezone.now()
    )
    request = rf.get("/", **via_proxies("203.0.113.77"))

    entry = record_access(link, kind="view", at=timezone.now(), request=request)

    assert entry.ip_network == "203.0.113.0/24"
