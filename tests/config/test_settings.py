"""Settings from environment variables and the TOML file; wrong values name the setting."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from config import Settings, SettingsError, load_settings
from config.calendar_defaults import KNOWN_DAYS_OFF, KNOWN_MAKEUP_DAYS

TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No DONDOC_* variables and no ./dondoc.toml unless a test sets them."""
    for name in list(os.environ):
        if name.startswith("DONDOC_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_serve() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./dondoc.db"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.language == "vi"
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.zalo_api_url == "https://bot-api.zaloplatforms.com"
    assert settings.reminders.before_days == [7, 3, 1]
    assert settings.reminders.send_time == dt.time(8, 0)
    assert settings.digests.daily_time == dt.time(7, 30)
    assert settings.extra_days_off == [] and settings.makeup_working_days == []
    assert set(KNOWN_DAYS_OFF) <= settings.days_off
    assert set(KNOWN_MAKEUP_DAYS) <= settings.working_weekend_days


def test_configured_day_swaps_add_to_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DONDOC_EXTRA_DAYS_OFF", '["2027-02-05"]')
    monkeypatch.setenv("DONDOC_MAKEUP_WORKING_DAYS", '["2027-02-20"]')
    settings = load_settings()
    assert settings.days_off == frozenset(KNOWN_DAYS_OFF) | {dt.date(2027, 2, 5)}
    assert settings.working_weekend_days == frozenset(KNOWN_MAKEUP_DAYS) | {dt.date(2027, 2, 20)}


def test_environment_variables_with_nested_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DONDOC_DATABASE_URL", "postgresql+asyncpg://dondoc:pw@db:5432/dondoc")
    monkeypatch.setenv("DONDOC_LANGUAGE", "en")
    monkeypatch.setenv("DONDOC_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("DONDOC_REMINDERS__BEFORE_DAYS", "[1, 5, 10]")
    monkeypatch.setenv("DONDOC_DIGESTS__DAILY_TIME", "07:00")
    monkeypatch.setenv("DONDOC_EXTRA_DAYS_OFF", '["2027-02-05"]')
    settings = load_settings()
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.language == "en"
    assert settings.telegram_token == TOKEN
    assert settings.reminders.before_days == [10, 5, 1]
    assert settings.digests.daily_time == dt.time(7, 0)
    assert settings.extra_days_off == [dt.date(2027, 2, 5)]


def test_toml_file_with_tables_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "custom.toml"
    config.write_text(
        """
timezone = "Asia/Bangkok"
telegram_bot_username = "dondoc_hp_bot"
makeup_working_days = [2027-01-09]

[reminders]
before_days = [5, 2]
send_time = "08:30:00"

[rate_limits]
zalo_global_per_second = 2.5
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("DONDOC_CONFIG", str(config))
    monkeypatch.setenv("DONDOC_TIMEZONE", "Asia/Ho_Chi_Minh")
    settings = load_settings()
    assert settings.timezone == "Asia/Ho_Chi_Minh"  # environment beats the file
    assert settings.telegram_bot_username == "dondoc_hp_bot"
    assert settings.makeup_working_days == [dt.date(2027, 1, 9)]
    assert settings.reminders.before_days == [5, 2]
    assert settings.reminders.send_time == dt.time(8, 30)
    assert settings.rate_limits.zalo_global_per_second == 2.5


def test_dondoc_toml_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "dondoc.toml").write_text('language = "en"\n', encoding="utf-8")
    assert load_settings().language == "en"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DONDOC_DATABASE_URL", "mysql://x/y", "DONDOC_DATABASE_URL: must start with"),
        ("DONDOC_TIMEZONE", "Asia/Haiphong", "DONDOC_TIMEZONE: unknown timezone 'Asia/Haiphong'"),
        ("DONDOC_TELEGRAM_API_URL", "api.telegram.org", "DONDOC_TELEGRAM_API_URL: not an http"),
        ("DONDOC_LANGUAGE", "fr", "DONDOC_LANGUAGE:"),
        ("DONDOC_WEB_PORT", "99999", "DONDOC_WEB_PORT:"),
        ("DONDOC_REMINDERS__BEFORE_DAYS", "[3, 0]", "DONDOC_REMINDERS__BEFORE_DAYS:"),
    ],
)
def test_a_wrong_value_names_the_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_malformed_toml_is_reported_with_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("language = 'vi\n", encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG", str(config))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"DONDOC_CONFIG: {config} is not valid TOML")


def test_missing_config_file_named_explicitly_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DONDOC_CONFIG", "/nonexistent/dondoc.toml")
    with pytest.raises(SettingsError, match=r"DONDOC_CONFIG: file /nonexistent/dondoc\.toml"):
        load_settings()


def test_unknown_setting_in_toml_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "dondoc.toml").write_text('telegram_tokn = "x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="DONDOC_TELEGRAM_TOKN"):
        load_settings()


def test_masked_settings_hide_secrets_and_database_password() -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://dondoc:s3cret@db/dondoc",
        telegram_token=TOKEN,
        zalo_token="zzz",
        zalo_webhook_secret="webhook-secret",
    )
    masked = settings.masked()
    assert masked["telegram_token"] == "***"
    assert masked["zalo_token"] == "***"
    assert masked["zalo_webhook_secret"] == "***"
    assert masked["database_url"] == "postgresql+asyncpg://dondoc:***@db/dondoc"
    assert "s3cret" not in str(masked) and TOKEN not in str(masked)


def test_a_password_in_the_query_string_is_masked_too() -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://dondoc@db/dondoc?password=s3cret&ssl=require"
    )
    assert settings.masked()["database_url"] == (
        "postgresql+asyncpg://dondoc@db/dondoc?password=***&ssl=require"
    )


def test_list_settings_take_the_comma_separated_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DONDOC_REMINDERS__BEFORE_DAYS", "7,3")
    monkeypatch.setenv("DONDOC_REMINDERS__COORDINATING_BEFORE_DAYS", " 2 ")
    monkeypatch.setenv("DONDOC_EXTRA_DAYS_OFF", "2027-02-05, 2027-02-08")
    settings = load_settings()
    assert settings.reminders.before_days == [7, 3]
    assert settings.reminders.coordinating_before_days == [2]
    assert settings.extra_days_off == [dt.date(2027, 2, 5), dt.date(2027, 2, 8)]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DONDOC_REMINDERS__BEFORE_DAYS", "7,x", "DONDOC_REMINDERS__BEFORE_DAYS: Input should be"),
        ("DONDOC_REMINDERS__BEFORE_DAYS", "[7,", "DONDOC_REMINDERS__BEFORE_DAYS: not a list"),
        ("DONDOC_EXTRA_DAYS_OFF", "5/2/2027", "DONDOC_EXTRA_DAYS_OFF: Input should be"),
        ("DONDOC_REMINDERS", "{7,3}", "DONDOC_REMINDERS: not valid JSON"),
        ("DONDOC_DATABASE_URL", "postgresql+asyncpg://u@db:port/x", "DONDOC_DATABASE_URL:"),
        ("DONDOC_DATABASE_URL", "postgresql+asyncpg:///dondoc", "DONDOC_DATABASE_URL:"),
    ],
)
def test_a_malformed_value_is_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "token",
    ["123:abc", "bot110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "AAHdqTcvCH1vGWJxfSeofSAs0K5P"],
)
def test_a_value_that_cannot_be_a_telegram_token_is_refused(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("DONDOC_TELEGRAM_TOKEN", token)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("DONDOC_TELEGRAM_TOKEN: not a Telegram bot token")
    assert token not in str(caught.value)


def test_evaluation_formula_and_bands_come_from_the_toml_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "evaluation.toml"
    config.write_text(
        """
[evaluation]
deduction_per_overdue = 1
deduction_per_late_report = 0.5
bands = [
  { min_score = 0, rating = "not_completed" },
  { min_score = 95, rating = "excellent" },
]

[report]
issuing_body = "ỦY BAN NHÂN DÂN XÃ VĨNH BẢO"
place = "Vĩnh Bảo"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("DONDOC_CONFIG", str(config))
    monkeypatch.setenv("DONDOC_EVALUATION__NO_REPORT_DAYS", "14")
    settings = load_settings()
    assert settings.evaluation.deduction_per_overdue == 1
    assert settings.evaluation.no_report_days == 14
    assert [band.min_score for band in settings.evaluation.bands] == [95, 0]  # highest first
    assert settings.report.place == "Vĩnh Bảo"


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ('[{ min_score = 50, rating = "good" }]', "the lowest band must start at 0"),
        (
            '[{ min_score = 0, rating = "good" }, { min_score = 0, rating = "completed" }]',
            "two bands start at the same score",
        ),
        ('[{ min_score = 0, rating = "superb" }]', "DONDOC_EVALUATION__BANDS"),
    ],
)
def test_bad_rating_bands_are_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bands: str, message: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(f"[evaluation]\nbands = {bands}\n", encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG", str(config))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert message in str(caught.value)
    assert str(caught.value).startswith("DONDOC_EVALUATION__BANDS")
