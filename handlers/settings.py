"""The settings the community rules read: the command prefix and language, reputation, proposals.

They are validated with the rest of the config file (bot.config composes them with the Matrix and storage
settings), but live here so that handlers need nothing from bot.
"""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from handlers.parsing import DayParts
from handlers.wording.catalog import languages

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
HoursOfADay = Annotated[float, Field(gt=0, le=24)]


class Section(BaseModel):
    """A table of the config file: unknown keys are refused, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BotSettings(Section):
    command_prefix: str = Field(default="!", min_length=1, max_length=3)
    language: str = "en"  # a room's language until a moderator chooses another (`!language`)
    commands_per_minute: NonNegativeInt = 6  # per member and room; 0: no limit; moderators are exempt

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in languages():
            raise ValueError(f"no catalog for language {value!r} (choose from {', '.join(languages())})")
        return value


class ReputationSettings(Section):
    up: tuple[str, ...] = ("👍", "➕", "❤️", "🎉", "👏", "💯")
    down: tuple[str, ...] = ("👎", "➖")
    daily_cap: NonNegativeInt = 20
    ideas_days: PositiveInt = 30
    min_days_in_room: NonNegativeInt = 0  # a member's reactions count only this many days after they joined
    servers: tuple[str, ...] = ()  # only members on these homeservers give and receive credits and pledge; (): all
    show_negative: bool = True  # False: !top leaves out negative totals (a member still sees their own with !rep)

    @field_validator("servers")
    @classmethod
    def _server_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        names = tuple(name.strip().removeprefix(":").lower() for name in value)
        wrong = [name for name in names if not name or any(c.isspace() or c in "@/" for c in name)]
        if wrong:
            raise ValueError(f"not a server name: {', '.join(map(repr, wrong))} (write them like 'example.org')")
        return names

    @model_validator(mode="after")
    def _up_and_down_disjoint(self) -> ReputationSettings:
        both = set(self.up) & set(self.down)
        if both:
            raise ValueError(f"an emoji cannot be both up and down: {' '.join(sorted(both))}")
        return self


class ProposalSettings(Section):
    timezone: str = "Europe/Amsterdam"
    currency: Literal["EUR"] = "EUR"
    default_deadline_days: PositiveInt = 14
    max_deadline_days: PositiveInt = 365
    default_min_backers: PositiveInt = 1
    reminder_hours: NonNegativeInt = 24
    withdraw_lock_hours: NonNegativeInt = 24
    min_reputation_to_propose: int = 0
    max_open_per_member: NonNegativeInt = 3  # open proposals a member may have at once; 0: no limit
    go_reward_proposer: NonNegativeInt = 5
    go_reward_backer: NonNegativeInt = 1
    moderator_power_level: int = 50
    # after GO
    credits_per_delivered_hour: NonNegativeInt = 1
    delivery_reward: NonNegativeInt = 1
    max_credits_per_backer: NonNegativeInt = 20  # effort credits one backer earns from one proposal's deliveries
    update_every_days: PositiveInt = 14
    delivery_reminder_days: PositiveInt = 7
    confirm_reminder_days: PositiveInt = 3
    mention_backers_on_update: bool = True
    # The hours of work a member pledges with `een dagdeel` / `a morning`, `een halve dag` / `half a day` and
    # `een hele dag` / `a full day`.
    day_part_hours: HoursOfADay = 4
    half_day_hours: HoursOfADay = 4
    whole_day_hours: HoursOfADay = 8

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

    @property
    def day_parts(self) -> DayParts:
        """The minutes of work in a part of a day, half a day and a whole day, as the parsers read them."""
        return DayParts(
            *(round(hours * 60) for hours in (self.day_part_hours, self.half_day_hours, self.whole_day_hours))
        )


class TalentSettings(Section):
    needs_days: PositiveInt = 30
    help_reward: NonNegativeInt = 1


class PrivacySettings(Section):
    keep_message_text_days: PositiveInt = 30  # ordinary messages' text is erased after this many days


class BoardSettings(Section):
    """The room's board in the browser (`!board`, and the Element widget); off unless `listen` is set."""

    listen: str = ""  # host:port of Kring's own web server, e.g. "127.0.0.1:8090"
    public_url: str = ""  # what links and the widget use (behind a proxy with TLS); default http:// + listen
    link_minutes: PositiveInt = 10  # a sign-in link works once, within this many minutes
    session_hours: PositiveInt = 12  # a browser stays signed in this long
    widget_origins: tuple[str, ...] = ("https://app.element.io", "vector://vector")  # who may frame the board
    widget: bool = True  # add the board to each served room as an Element widget where the bot may
    # server name -> federation base URL, for OpenID checks where discovery would not find the homeserver (also
    # the only way to have a server on a loopback or private address checked)
    openid_servers: dict[str, str] = Field(default_factory=dict)
    openid_per_minute: PositiveInt = 60  # widget sign-ins per room key, and per client address, in any minute
    header_timeout_s: PositiveInt = 10  # a connection that sends no whole request within this is closed
    request_timeout_s: PositiveInt = 30  # the longest one request may take, its body read and answered
    max_connections: PositiveInt = 64  # open connections at once; more are refused (and kept below the file limit)

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        if value:
            host, sep, port = value.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"expected host:port like 127.0.0.1:8090, not {value!r}")
        return value

    @field_validator("public_url")
    @classmethod
    def _a_web_address(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an address like https://kring.example.org, not {value!r}")
        return value.rstrip("/")

    @property
    def enabled(self) -> bool:
        return bool(self.listen)

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.listen}"


class MoneySettings(Section):
    """Money that arrives: the association's account that GO's payment requests name and statements are read for."""

    iban: str
    account_name: str = Field(min_length=1, max_length=70)  # what an EPC QR code holds for the beneficiary
    treasurers: tuple[str, ...] = ()  # Matrix ids that may hand Kring a statement; (): the room's moderators
    request_reminder_days: PositiveInt = 7

    @field_validator("iban")
    @classmethod
    def _valid_iban(cls, value: str) -> str:
        return valid_iban(value)

    @field_validator("account_name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is blank: the EPC QR code of every payment request names the account")
        return value.strip()

    @field_validator("treasurers")
    @classmethod
    def _user_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        wrong = [user for user in value if not user.startswith("@") or ":" not in user]
        if wrong:
            raise ValueError(f"not a Matrix id: {', '.join(map(repr, wrong))} (write them like '@ann:example.org')")
        return value


def valid_iban(value: str) -> str:
    """The IBAN in its compact form; ValueError saying what is wrong with it (a check digit, its length)."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as error:
        raise ValueError(f"not a valid IBAN {value!r}: {error}") from None


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestSettings(Section):
    """The weekly digest: on which day and at what time (in the room's time zone) it goes out, if at all."""

    enabled: bool = True  # a room can still switch it off or on for itself (`!digest off`)
    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    time: str = Field(default="08:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")  # HH:MM

    @property
    def day_number(self) -> int:
        """Monday 0 … Sunday 6, as `datetime.weekday()` counts."""
        return WEEKDAYS.index(self.weekday)

    @property
    def hour_minute(self) -> tuple[int, int]:
        hour, minute = self.time.split(":")
        return int(hour), int(minute)


class CommunitySettings(Section):
    """Everything the rules of one community read."""

    bot: BotSettings = BotSettings()
    reputation: ReputationSettings = ReputationSettings()
    proposals: ProposalSettings = ProposalSettings()
    talents: TalentSettings = TalentSettings()
    privacy: PrivacySettings = PrivacySettings()
    board: BoardSettings = BoardSettings()
    money: MoneySettings | None = None  # without [money], pledged money is only counted, never asked for
    digest: DigestSettings = DigestSettings()

    @model_validator(mode="after")
    def _ideas_keep_their_text(self) -> CommunitySettings:
        if self.privacy.keep_message_text_days < self.reputation.ideas_days:
            raise ValueError(
                f"privacy.keep_message_text_days ({self.privacy.keep_message_text_days}) must be at least "
                f"reputation.ideas_days ({self.reputation.ideas_days}): !ideas shows the text of ideas that old"
            )
        return self
