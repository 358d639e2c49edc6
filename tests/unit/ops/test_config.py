"""Settings: the documented defaults, one clear line for a bad value, secrets from the environment."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, Settings, check_ready_for_matrix, load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[3]
READY = """
[matrix]
homeserver = "https://matrix.district.nl"
user_id = "@kring:district.nl"
password = "from-the-file"
rooms = ["#apothekers:district.nl"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_documented_ones() -> None:
    settings = parse_settings({})
    assert settings.bot.command_prefix == "!" and settings.bot.language == "en"
    assert settings.storage.database == "kring.db"
    assert settings.matrix.device_name == "kring"
    reputation = settings.reputation
    assert reputation.up == ("👍", "➕", "❤️", "🎉", "👏", "💯") and reputation.down == ("👎", "➖")
    assert (reputation.daily_cap, reputation.ideas_days) == (20, 30)
    proposals = settings.proposals
    assert (proposals.timezone, proposals.currency) == ("Europe/Amsterdam", "EUR")
    assert (proposals.default_deadline_days, proposals.max_deadline_days, proposals.default_min_backers) == (14, 365, 1)
    assert (proposals.reminder_hours, proposals.withdraw_lock_hours, proposals.min_reputation_to_propose) == (24, 24, 0)
    assert (proposals.go_reward_proposer, proposals.go_reward_backer, proposals.moderator_power_level) == (5, 1, 50)


def test_the_example_config_documents_the_community_settings_with_their_defaults() -> None:
    with (ROOT / "config.example.toml").open("rb") as handle:
        example = tomllib.load(handle)
    defaults = Settings().model_dump(mode="json")
    # [matrix] holds placeholders instead
    for section in ("bot", "storage", "reputation", "proposals", "talents", "privacy", "metrics"):
        assert example[section] == defaults[section], section


BAD = [
    ("[reputation]\ndaily_cap = -1", "reputation.daily_cap"),
    ("[reputation]\nideas_days = 0", "reputation.ideas_days"),
    ('[reputation]\nup = ["👍"]\ndown = ["👍"]', "reputation"),
    ('[proposals]\ntimezone = "Mars/Base"', "proposals.timezone"),
    ('[proposals]\nreminder_hours = "soon"', "proposals.reminder_hours"),
    ('[proposals]\ncurrency = "USD"', "proposals.currency"),
    ("[proposals]\ndefault_deadline_days = 400", "proposals"),
    ('[bot]\nlanguage = "fr"', "bot.language"),
    ('[bot]\ncommand_prefix = ""', "bot.command_prefix"),
    ("[bot]\nfrobnicate = 1", "bot.frobnicate"),
    ("[frobnicate]\nx = 1", "frobnicate"),
    ('[matrix]\nrooms = [""]', "matrix.rooms"),
]


@pytest.mark.parametrize(("text", "key"), BAD)
def test_a_bad_value_is_one_line_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    message = str(caught.value)
    assert message.startswith(f"config error at {key}:")
    assert "\n" not in message


def test_unknown_keys_and_zones_are_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(write(tmp_path, "[bot]\nfrobnicate = 1"), environ={})
    with pytest.raises(ConfigError, match="Mars/Base"):
        load_settings(write(tmp_path, '[proposals]\ntimezone = "Mars/Base"'), environ={})


@pytest.mark.parametrize(("text", "key"), BAD[:4])
def test_the_cli_stops_with_that_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str
) -> None:
    assert main(["export", "-c", str(write(tmp_path, text)), "--db", str(tmp_path / "none.db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kring: config error at {key}:") and err.count("\n") == 1


def test_a_file_that_is_not_toml_or_not_there(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[bot\nlanguage = "), environ={})
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "missing.toml", environ={})


def test_environment_secrets_override_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, READY)
    assert load_settings(path, environ={}).matrix.password == "from-the-file"
    settings = load_settings(path, environ={"KRING_PASSWORD": "from-env", "KRING_ACCESS_TOKEN": "syt_token"})
    assert settings.matrix.password == "from-env"
    assert settings.matrix.access_token == "syt_token"
    assert load_settings(path, environ={"KRING_PASSWORD": ""}).matrix.password == "from-the-file"
    recovery = "EsTE s92N EtaX s2h6 VQYF 9Kao tHYL mkyL GKMh isZb KJ4E tvoC"
    assert load_settings(path, environ={"KRING_RECOVERY_KEY": recovery}).matrix.recovery_key == recovery


def test_a_copied_example_config_reports_every_placeholder_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, (ROOT / "config.example.toml").read_text(encoding="utf-8"))
    assert main(["run", "-c", str(config)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "kring: config error at matrix.homeserver: still the example placeholder 'https://matrix.example.org'; edit it",
        "kring: config error at matrix.user_id: still the example placeholder '@kring:example.org'; edit it",
        "kring: config error at matrix.password: still the example placeholder (hidden); edit it",
        "kring: config error at matrix.pickle_key: still the example placeholder (hidden); edit it",
        "kring: config error at matrix.rooms[0]: still the example placeholder '#district:example.org'; edit it",
    ]


def test_missing_settings_are_all_named_in_one_go() -> None:
    settings = parse_settings({"matrix": {"encryption": True}})
    with pytest.raises(ConfigError) as caught:
        check_ready_for_matrix(settings)
    keys = [line.split(":")[0] for line in str(caught.value).splitlines()]
    assert keys == [
        "config error at matrix.homeserver",
        "config error at matrix.user_id",
        "config error at matrix.password",
        "config error at matrix.pickle_key",
        "config error at matrix.rooms",
    ]


def test_every_bad_value_is_named_at_once(tmp_path: Path) -> None:
    text = '[reputation]\ndaily_cap = -1\n\n[proposals]\ntimezone = "Mars/Base"\n\n[bot]\nfrobnicate = 1'
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    keys = sorted(line.split(":")[0] for line in str(caught.value).splitlines())
    assert keys == [
        "config error at bot.frobnicate",
        "config error at proposals.timezone",
        "config error at reputation.daily_cap",
    ]
