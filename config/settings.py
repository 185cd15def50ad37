"""Effective settings for Dondoc.

Precedence (highest first): environment variables ``DONDOC_*``, the TOML file named by
``DONDOC_CONFIG`` (default ``./dondoc.toml``, optional), then the defaults below. Nested
sections use ``__`` in environment variable names, e.g. ``DONDOC_REMINDERS__BEFORE_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic_settings
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from config.calendar_defaults import KNOWN_DAYS_OFF, KNOWN_MAKEUP_DAYS

SECRET_FIELDS = frozenset(
    {"telegram_token", "zalo_token", "telegram_webhook_secret", "zalo_webhook_secret"}
)


TELEGRAM_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
"""The shape of a token from @BotFather: the bot's numeric id, a colon and a secret of (in
practice) 35 letters, digits, ``_`` and ``-``, e.g. ``110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw``
(https://core.telegram.org/bots/api#authorizing-your-bot)."""


class SettingsError(Exception):
    """A setting has a wrong value; the message names the setting in one line."""


def _comma_separated(value: Any) -> Any:
    """A list setting from an environment variable: ``7,3,1`` (what an operator writes) or
    JSON ``[7, 3, 1]``; lists from TOML pass through."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a list: {value!r}") from exc
    return [part.strip() for part in text.split(",") if part.strip()]


DayList = Annotated[list[int], NoDecode]
DateList = Annotated[list[dt.date], NoDecode]


class ReminderPolicy(BaseModel):
    """When reminders go out. Every number is in working days unless named otherwise."""

    before_days: DayList = Field(default=[7, 3, 1], description="Working days before deadline")
    coordinating_before_days: DayList = Field(default=[1])
    remind_on_deadline_day: bool = True
    overdue_every_working_day: bool = True
    overdue_head_after_days: int = Field(default=2, ge=0)
    overdue_escalate_after_days: int = Field(default=5, ge=0)
    extension_leader_reminder_days: int = Field(default=2, ge=0)
    stale_after_days: int = Field(default=7, ge=1, description="Calendar days without a report")
    due_soon_days: int = Field(default=3, ge=0, description="'Due soon' warning horizon")
    send_time: dt.time = dt.time(8, 0)
    send_until: dt.time = Field(
        default=dt.time(18, 0),
        description="A day's reminders not sent by this local time are skipped (never at night)",
    )

    _split_lists = field_validator("before_days", "coordinating_before_days", mode="before")(
        _comma_separated
    )

    @field_validator("before_days", "coordinating_before_days")
    @classmethod
    def _positive_sorted(cls, value: list[int]) -> list[int]:
        if any(d <= 0 for d in value):
            raise ValueError("must be positive numbers of working days")
        return sorted(set(value), reverse=True)


class DigestSchedule(BaseModel):
    """When digests go out (Asia/Ho_Chi_Minh by default)."""

    daily_time: dt.time = dt.time(7, 30)
    weekly_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday")
    no_report_days: int = Field(default=7, ge=1, description="Units silent this long are listed")


class RatingBand(BaseModel):
    """A rating given to scores at or above ``min_score`` (bands are tried highest first)."""

    min_score: float = Field(ge=0, le=100)
    rating: Literal["excellent", "good", "completed", "not_completed"]


class EvaluationPolicy(BaseModel):
    """How scorecards score a unit for a period (see docs/configuration.md, "evaluation").

    score = max(floor, on-time share x 100 - deductions); deductions are per task overdue at
    the end of the period and per task with no report for ``no_report_days``.
    """

    deduction_per_overdue: float = Field(
        default=0.0, ge=0, description="Points off per task overdue at the end of the period"
    )
    deduction_per_late_report: float = Field(
        default=0.0,
        ge=0,
        description="Points off per open task without a report for no_report_days",
    )
    floor: float = Field(default=0.0, ge=0, le=100, description="The lowest possible score")
    no_report_days: int = Field(
        default=30,
        ge=1,
        description="Calendar days without a report after which an open task is reported late; "
        "an open task without a deadline counts in a period only then",
    )
    bands: list[RatingBand] = Field(
        default_factory=lambda: [
            RatingBand(min_score=90, rating="excellent"),
            RatingBand(min_score=70, rating="good"),
            RatingBand(min_score=50, rating="completed"),
            RatingBand(min_score=0, rating="not_completed"),
        ],
        description="Rating bands of NĐ 335/2025/NĐ-CP",
    )
    excellent_cap_percent: float = Field(
        default=20.0, ge=0, le=100, description="Share of those rated allowed 'xuất sắc'"
    )

    @field_validator("bands")
    @classmethod
    def _bands_cover_zero(cls, value: list[RatingBand]) -> list[RatingBand]:
        ordered = sorted(value, key=lambda band: band.min_score, reverse=True)
        if not ordered or ordered[-1].min_score != 0:
            raise ValueError("the lowest band must start at 0 so every score gets a rating")
        if len({band.min_score for band in ordered}) != len(ordered):
            raise ValueError("two bands start at the same score")
        return ordered


class ReportSettings(BaseModel):
    """The heading block of formal reports (NĐ 30/2020/NĐ-CP) and the PDF font."""

    issuing_body: str = Field(
        default="ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG",
        min_length=1,
        description="Cơ quan ban hành, top left of the heading block",
    )
    issuing_body_parent: str = Field(
        default="", description="Cơ quan chủ quản above the issuing body (empty: none)"
    )
    place: str = Field(default="Hải Phòng", min_length=1, description="Địa danh before the date")
    pdf_font_dir: str | None = Field(
        default=None,
        description="A folder with a Times New Roman compatible TrueType family for PDF "
        "(see docs/configuration.md); default: Liberation Serif if installed, else DejaVu Serif",
    )


class RateLimits(BaseModel):
    """Outgoing message limits per channel (messages per second / per minute)."""

    telegram_global_per_second: float = 30.0
    telegram_per_chat_per_second: float = 1.0
    telegram_per_group_per_minute: float = 20.0
    zalo_global_per_second: float = 5.0
    zalo_per_chat_per_second: float = 1.0


class WebChatLimits(BaseModel):
    """What a browser may send before it is linked to an official (``/start <code>`` first)."""

    unlinked_per_browser_per_minute: int = Field(default=10, ge=1)
    unlinked_per_address_per_minute: int = Field(default=30, ge=1)
    unlinked_max_chars: int = Field(default=200, ge=16)


class Settings(BaseSettings):
    """All settings; see docs/configuration.md for each one."""

    model_config = SettingsConfigDict(
        env_prefix="DONDOC_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str = "sqlite+aiosqlite:///./dondoc.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    language: Literal["vi", "en"] = "vi"

    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str | None = None
    telegram_bot_username: str | None = None
    telegram_rate_limiter: bool = True
    telegram_webhook_secret: str | None = None

    zalo_token: str | None = None
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_secret: str | None = None

    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    public_base_url: str | None = None
    demo_mode: bool | None = Field(
        default=None,
        description="Demo pickers on the web chat and dashboard; None = auto (see docs/web.md)",
    )
    web_access_log: bool = Field(
        default=True, description="One log line per HTTP request, secrets in URLs masked"
    )
    web_chat: WebChatLimits = WebChatLimits()
    retention_days: int = Field(
        default=90,
        ge=1,
        description="Days processed-update keys and unlinked web-chat history are kept",
    )

    reminders: ReminderPolicy = ReminderPolicy()
    digests: DigestSchedule = DigestSchedule()
    rate_limits: RateLimits = RateLimits()
    evaluation: EvaluationPolicy = EvaluationPolicy()
    report: ReportSettings = ReportSettings()

    extra_days_off: DateList = Field(
        default_factory=list, description="Days off added to the known swaps"
    )
    makeup_working_days: DateList = Field(
        default_factory=list, description="Make-up working days added to the known swaps"
    )

    import_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, description="Largest .csv/.xlsx file an import accepts"
    )
    import_max_unpacked_bytes: int = Field(
        default=200 * 1024 * 1024,
        ge=1,
        description="Largest total uncompressed size of the parts of an .xlsx (zip bombs)",
    )

    invite_ttl_hours: int = Field(default=72, ge=1)
    phone_registration: bool = Field(
        default=True,
        description="Telegram /start offers to link the account by the person's own phone "
        "number when it matches one active official's imported phone",
    )
    login_link_ttl_minutes: int = Field(default=10, ge=1)
    web_chat_link_days: int = Field(
        default=30, ge=1, description="How long a browser stays linked to an official"
    )
    web_chat_upload_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1,
        description="Largest file a linked official may attach in the web chat",
    )

    _split_lists = field_validator("extra_days_off", "makeup_working_days", mode="before")(
        _comma_separated
    )

    @field_validator("telegram_token")
    @classmethod
    def _telegram_token_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not TELEGRAM_TOKEN_RE.fullmatch(value):
            # Never echo the value: it may be a real secret pasted into the wrong setting.
            raise ValueError(
                "not a Telegram bot token (expected digits, a colon and about 35 letters, "
                "digits, _ or -, as @BotFather gives it)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        scheme = value.split("://", 1)[0]
        if "://" not in value or scheme not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
            raise ValueError("must start with sqlite+aiosqlite:/// or postgresql+asyncpg://")
        try:
            url = make_url(value)
            url.port  # noqa: B018 - a non-numeric port raises here
        except (ArgumentError, ValueError) as exc:
            raise ValueError(f"not a database URL: {mask_url_password(value)}") from exc
        if url.get_backend_name() == "postgresql" and not url.host:
            raise ValueError("a PostgreSQL URL needs a host: postgresql+asyncpg://user@host/db")
        return value

    @field_validator("telegram_api_url", "zalo_api_url", "public_base_url", "telegram_file_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value.rstrip("/") if not value.endswith("/bot") else value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days_off(self) -> frozenset[dt.date]:
        """The shipped known day swaps plus the configured extra days off."""
        return frozenset(KNOWN_DAYS_OFF) | frozenset(self.extra_days_off)

    @property
    def working_weekend_days(self) -> frozenset[dt.date]:
        """The shipped known make-up working days plus the configured ones."""
        return frozenset(KNOWN_MAKEUP_DAYS) | frozenset(self.makeup_working_days)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain data, secrets replaced by ``***``."""
        data = self.model_dump(mode="json")
        for name in SECRET_FIELDS:
            if data.get(name):
                data[name] = "***"
        data["database_url"] = mask_url_password(self.database_url)
        return data


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML file named by DONDOC_CONFIG (default ./dondoc.toml) when it exists."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = Path(os.environ.get("DONDOC_CONFIG", "dondoc.toml"))
        self._data: dict[str, Any] = {}
        if "DONDOC_CONFIG" in os.environ and not path.exists():
            raise SettingsError(f"DONDOC_CONFIG: file {path} does not exist")
        if path.exists():
            try:
                self._data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise SettingsError(f"DONDOC_CONFIG: {path} is not valid TOML: {exc}") from exc

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


PASSWORD_PARAMETERS = frozenset({"password", "passwd", "pass", "pwd"})


def mask_url_password(url: str) -> str:
    """The URL with its password hidden, whether in ``user:password@`` or ``?password=``."""
    parsed = urlparse(url)
    try:
        password = parsed.password
    except ValueError:
        password = None
    if password:
        url = url.replace(f":{password}@", ":***@", 1)
        parsed = urlparse(url)
    if not parsed.query:
        return url
    query = [
        (name, "***" if name.lower() in PASSWORD_PARAMETERS and value else value)
        for name, value in parse_qsl(parsed.query, keep_blank_values=True)
    ]
    return parsed._replace(query=urlencode(query, safe="*/:")).geturl()


def load_settings(**overrides: Any) -> Settings:
    """Build the settings or raise :class:`SettingsError` with one line naming the setting."""
    try:
        return Settings(**overrides)
    except pydantic_settings.SettingsError as exc:
        # The environment source could not decode a value (JSON expected for a section).
        field = re.search(r'field "([^"]+)"', str(exc))
        name = f"DONDOC_{field[1].upper()}" if field else "settings"
        raise SettingsError(f"{name}: not valid JSON (e.g. {name}='{{\"key\": 1}}')") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        # A list item's index is not part of the variable name (…__BEFORE_DAYS, not …__1).
        loc = "__".join(str(part) for part in first["loc"] if not isinstance(part, int))
        name = f"DONDOC_{loc.upper()}" if loc else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from exc
