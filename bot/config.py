"""Kring's settings: typed pydantic models, loaded from TOML and validated once at start-up.

The rules' own sections (bot, reputation, proposals) are declared in handlers.settings; this adds matrix and storage.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from pathlib import Path

from pydantic import PositiveInt, ValidationError, field_validator

from handlers.settings import CommunitySettings, Section

log = logging.getLogger(__name__)

PLACEHOLDER_MARKERS = ("example.org", "CHANGE-ME", "change-me")
SECRET_KEYS = frozenset({"matrix.password", "matrix.access_token", "matrix.pickle_key", "matrix.recovery_key"})
# matrix.<key> that the environment may set instead of the file: KRING_<KEY>
ENVIRONMENT_SECRETS = ("password", "access_token", "pickle_key", "recovery_key")


class ConfigError(Exception):
    """A bad or missing setting; the message names the key and what is expected."""


class MatrixSettings(Section):
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
    recovery_key: str = ""  # the account's secret storage, where its cross-signing keys are kept
    keep_undecrypted_days: PositiveInt = 7  # an encrypted event whose keys never came is dropped after this

    @field_validator("rooms", "allowed_inviters")
    @classmethod
    def _no_blank_entries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not entry.strip() for entry in value):
            raise ValueError("entries must not be empty")
        return value


class StorageSettings(Section):
    database: str = "kring.db"


def parse_listen(listen: str) -> tuple[str, int]:
    """`host:port` (or `[::1]:port`) into its parts; ValueError when it is not that."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port like 127.0.0.1:9464, not {listen!r}")
    return host.strip("[]"), int(port)


class MetricsSettings(Section):
    listen: str = ""  # off unless set
    health_max_sync_age_s: PositiveInt = 90

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        if value:
            parse_listen(value)
        return value


class Settings(CommunitySettings):
    """The whole config file: the community's rules plus how to reach Matrix and where to store."""

    matrix: MatrixSettings = MatrixSettings()
    storage: StorageSettings = StorageSettings()
    metrics: MetricsSettings = MetricsSettings()


def _describe(error: ValidationError) -> str:
    """Every problem pydantic found, one line each, naming its key."""
    lines = []
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = "unknown setting" if problem["type"] == "extra_forbidden" else problem["msg"]
        message = message.removeprefix("Value error, ")  # pydantic's label for what a validator says
        lines.append(f"config error at {key}: {message}")
    return "\n".join(lines)


def parse_settings(data: dict[str, object]) -> Settings:
    """Validate a TOML-shaped mapping; bad values raise ConfigError naming each key, one line each."""
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
    secrets = {key: env[f"KRING_{key.upper()}"] for key in ENVIRONMENT_SECRETS if env.get(f"KRING_{key.upper()}")}
    if secrets:
        settings = settings.model_copy(update={"matrix": settings.matrix.model_copy(update=secrets)})
    return settings


def warn_if_secrets_readable(path: Path) -> bool:
    """One warning line when the config file holds a secret and others may read it; True when it did."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        with path.open("rb") as handle:
            matrix = tomllib.load(handle).get("matrix", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    secrets = [key for key in ENVIRONMENT_SECRETS if isinstance(matrix, dict) and matrix.get(key)]
    if not secrets or mode & 0o077 == 0:
        return False
    log.warning(
        "%s holds matrix.%s and others can read it (mode %o): run chmod 600 %s, or move the secrets to "
        "KRING_PASSWORD / KRING_ACCESS_TOKEN / KRING_PICKLE_KEY / KRING_RECOVERY_KEY",
        path,
        ", matrix.".join(secrets),
        mode,
        path,
    )
    return True


def check_ready_for_matrix(settings: Settings) -> None:
    """Refuse to connect with missing credentials or placeholders left from config.example.toml: every problem
    at once, one line each."""
    matrix = settings.matrix
    problems = []
    for key in ("homeserver", "user_id"):
        if not getattr(matrix, key):
            problems.append(f"config error at matrix.{key}: required to connect to a homeserver")
    if not matrix.password and not matrix.access_token:
        problems.append(
            "config error at matrix.password: set a password or access_token "
            "(or the KRING_PASSWORD / KRING_ACCESS_TOKEN environment variables)"
        )
    if matrix.user_id and (not matrix.user_id.startswith("@") or ":" not in matrix.user_id):
        problems.append("config error at matrix.user_id: expected a full Matrix id like @kring:your.server")
    if matrix.encryption and not matrix.pickle_key:
        problems.append(
            "config error at matrix.pickle_key: set a secret that protects the encryption keys "
            "(or the KRING_PICKLE_KEY environment variable), or set matrix.encryption = false"
        )
    if not matrix.rooms:
        problems.append("config error at matrix.rooms: list at least one room id or alias to serve")
    checked = {
        "matrix.homeserver": matrix.homeserver,
        "matrix.user_id": matrix.user_id,
        "matrix.password": matrix.password,
        "matrix.access_token": matrix.access_token,
        "matrix.pickle_key": matrix.pickle_key,
        "matrix.recovery_key": matrix.recovery_key,
        **{f"matrix.rooms[{i}]": room for i, room in enumerate(matrix.rooms)},
    }
    for key, value in checked.items():
        if any(marker in value for marker in PLACEHOLDER_MARKERS):
            shown = "(hidden)" if key in SECRET_KEYS else repr(value)
            problems.append(f"config error at {key}: still the example placeholder {shown}; edit it")
    if problems:
        raise ConfigError("\n".join(problems))
