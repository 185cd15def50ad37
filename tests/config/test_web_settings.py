"""The web security settings: environment names, defaults and refused values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No DONDOC_* variables and no ./dondoc.toml unless a test sets them."""
    for name in list(os.environ):
        if name.startswith("DONDOC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.web_access_log is True
    assert settings.retention_days == 90
    assert (
        settings.web_chat.unlinked_per_browser_per_minute,
        settings.web_chat.unlinked_per_address_per_minute,
        settings.web_chat.unlinked_max_chars,
    ) == (10, 30, 200)


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DONDOC_WEB_ACCESS_LOG", "false")
    monkeypatch.setenv("DONDOC_RETENTION_DAYS", "30")
    monkeypatch.setenv("DONDOC_WEB_CHAT__UNLINKED_PER_BROWSER_PER_MINUTE", "5")
    monkeypatch.setenv("DONDOC_WEB_CHAT__UNLINKED_MAX_CHARS", "100")
    settings = load_settings()
    assert settings.web_access_log is False and settings.retention_days == 30
    assert settings.web_chat.unlinked_per_browser_per_minute == 5
    assert settings.web_chat.unlinked_max_chars == 100


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DONDOC_RETENTION_DAYS", "0"),
        ("DONDOC_WEB_CHAT__UNLINKED_PER_ADDRESS_PER_MINUTE", "0"),
        ("DONDOC_WEB_CHAT__UNLINKED_MAX_CHARS", "3"),
    ],
)
def test_refused_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()
