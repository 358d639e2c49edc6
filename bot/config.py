"""Kring's settings: typed pydantic models, loaded from TOML and validated once at start-up."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

PLACEHOLDER_MARKERS = ("example.org", "CHANGE-ME", "change-me")

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]


class ConfigError(Exception):
    """A bad or missing setting; the message names the key and what is expected."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatrixSettings(_Section):
    homeserver: str = ""
    user_id: str = ""
    password: str = ""
    access_token: str = ""
    device_name: str = "kring"
    rooms: tuple[str, ...] = ()
    allowed_inviters: tuple[str, ...] = ()
    encryption: bool = True
    store_path: str = ""
    pickle_key: str = ""

    @field_validator("rooms", "allowed_inviters")
    @classmethod
    def _no_blank_entries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not entry.strip() for entry in value):
            raise ValueError("entries must not be empty")
        return value


class BotSettings(_Section):
    command_prefix: str = Field(default="!", min_length=1, max_length=3)
    language: Literal["en", "nl"] = "en"


class StorageSettings(_Section):
    database: str = "kring.db"


class ReputationSettings(_Section):
    up: tuple[str, ...] = ("👍", "➕", "❤️", "🎉", "👏", "💯")
    down: tuple[str, ...] = ("👎", "➖")
    daily_cap: NonNegativeInt = 20
    ideas_days: PositiveInt = 30

    @model_validator(mode="after")
    def _up_and_down_disjoint(self) -> ReputationSettings:
        both = set(self.up) & set(self.down)
        if both:
            raise ValueError(f"an emoji cannot be both up and down: {' '.join(sorted(both))}")
        return self


class ProposalSettings(_Section):
    timezone: str = "Europe/Amsterdam"
    currency: Literal["EUR"] = "EUR"
    default_deadline_days: PositiveInt = 14
    max_deadline_days: PositiveInt = 365
    default_min_backers: PositiveInt = 1
    reminder_hours: NonNegativeInt = 24
    withdraw_lock_hours: NonNegativeInt = 24
    min_reputation_to_propose: int = 0
    go_reward_proposer: NonNegativeInt = 5
    go_reward_backer: NonNegativeInt = 1
    moderator_power_level: int = 50

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use a name like 'Europe/Amsterdam')") from exc
        return value

    @model_validator(mode="after")
    def _default_within_max(self) -> ProposalSettings:
        if self.default_deadline_days > self.max_deadline_days:
            raise ValueError("default_deadline_days must not exceed max_deadline_days")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Settings(_Section):
    matrix: MatrixSettings = MatrixSettings()
    bot: BotSettings = BotSettings()
    storage: StorageSettings = StorageSettings()
    reputation: ReputationSettings = ReputationSettings()
    proposals: ProposalSettings = ProposalSettings()


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    return f"config error at {key}: {message}"


def parse_settings(data: dict[str, object]) -> Settings:
    """Validate a TOML-shaped mapping; a bad value raises ConfigError naming the key."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def load_settings(path: Path | None, *, environ: dict[str, str] | None = None) -> Settings:
    """Read a config file (or use defaults when `path` is None), then apply secrets from the environment."""
    env = os.environ if environ is None else environ
    data: dict[str, object] = {}
    if path is not None:
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    settings = parse_settings(data)
    secrets = {}
    if env.get("KRING_PASSWORD"):
        secrets["password"] = env["KRING_PASSWORD"]
    if env.get("KRING_ACCESS_TOKEN"):
        secrets["access_token"] = env["KRING_ACCESS_TOKEN"]
    if env.get("KRING_PICKLE_KEY"):
        secrets["pickle_key"] = env["KRING_PICKLE_KEY"]
    if secrets:
        settings = settings.model_copy(update={"matrix": settings.matrix.model_copy(update=secrets)})
    return settings


def check_ready_for_matrix(settings: Settings) -> None:
    """Refuse to connect with missing credentials or placeholders left from config.example.toml."""
    matrix = settings.matrix
    for key in ("homeserver", "user_id"):
        value = getattr(matrix, key)
        if not value:
            raise ConfigError(f"config error at matrix.{key}: required to connect to a homeserver")
    if not matrix.password and not matrix.access_token:
        raise ConfigError(
            "config error at matrix.password: set a password or access_token "
            "(or the KRING_PASSWORD / KRING_ACCESS_TOKEN environment variables)"
        )
    if not matrix.user_id.startswith("@") or ":" not in matrix.user_id:
        raise ConfigError("config error at matrix.user_id: expected a full Matrix id like @kring:your.server")
    if matrix.encryption and not matrix.pickle_key:
        raise ConfigError(
            "config error at matrix.pickle_key: set a secret that protects the encryption keys "
            "(or the KRING_PICKLE_KEY environment variable), or set matrix.encryption = false"
        )
    if not matrix.rooms:
        raise ConfigError("config error at matrix.rooms: list at least one room id or alias to serve")
    checked = {
        "matrix.homeserver": matrix.homeserver,
        "matrix.user_id": matrix.user_id,
        "matrix.password": matrix.password,
        "matrix.access_token": matrix.access_token,
        "matrix.pickle_key": matrix.pickle_key,
        **{f"matrix.rooms[{i}]": room for i, room in enumerate(matrix.rooms)},
    }
    for key, value in checked.items():
        if any(marker in value for marker in PLACEHOLDER_MARKERS):
            raise ConfigError(f"config error at {key}: still the example placeholder {value!r}; edit it")
