import pytest
from django.core.exceptions import ImproperlyConfigured

from presscentre.core.env import env_flag, env_int, env_list, env_time_zone


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("FALSE", False), ("off", False), ("", True)]
)
def test_flags_accept_only_true_or_false_words(monkeypatch, raw, expected):
    monkeypatch.setenv("PC_FLAG", raw)

    assert env_flag("PC_FLAG", default=True) is expected


def test_a_malformed_flag_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv("PC_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="PC_FLAG must be true or false"):
        env_flag("PC_FLAG", default=False)


def test_numbers_are_checked(monkeypatch):
    monkeypatch.setenv("PC_NUMBER", "twenty")
    with pytest.raises(ImproperlyConfigured, match="PC_NUMBER must be a whole number"):
        env_int("PC_NUMBER", default=1)

    monkeypatch.setenv("PC_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("PC_NUMBER", default=1, minimum=1)

    monkeypatch.setenv("PC_NUMBER", " 25 ")
    assert env_int("PC_NUMBER", default=1) == 25


def test_lists_split_on_commas(monkeypatch):
    monkeypatch.setenv("PC_LIST", "a.example, b.example,,")

    assert env_list("PC_LIST", default=[]) == ["a.example", "b.example"]


def test_unknown_time_zones_are_refused(monkeypatch):
    monkeypatch.setenv("PC_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="IANA time zone"):
        env_time_zone("PC_ZONE", default="UTC")

    monkeypatch.setenv("PC_ZONE", "../../etc/passwd")
    with pytest.raises(ImproperlyConfigured):
        env_time_zone("PC_ZONE", default="UTC")


def test_production_settings_refuse_to_start_without_a_secret_key():
    import subprocess
    import sys

    result = subprocess.run(  # noqa: S603 - our own interpreter and settings module
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "presscentre.settings", "DEBUG": "false", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "Set SECRET_KEY when DEBUG is off." in result.stderr
