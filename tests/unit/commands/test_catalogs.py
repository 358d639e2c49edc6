"""The gettext catalogs: the template matches the code, every language is complete, placeholders and plurals agree."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from string import Formatter
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from handlers.wording.catalog import LOCALE_DIR, Texts, catalog_path, languages
from handlers.wording.sentences import MODULES, SENTENCES

KEYWORDS = {"_msg": ((1, "c"), 2), "_plural": ((1, "c"), 2, 3)}  # as README, "Languages", tells pybabel
SOURCE = Path(__file__).resolve().parents[3] / "handlers" / "wording" / "sentences"  # a module per concern
TRANSLATED = [language for language in languages() if language != "en"]
AMS = ZoneInfo("Europe/Amsterdam")


def fields(template: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(template) if field is not None}


def problems(catalog: Catalog) -> list[str]:
    """Every way a translated catalog falls short of the source sentences."""
    found = []
    for key, sentence in SENTENCES.items():
        msgid: str | tuple[str, str] = sentence.text if sentence.plural is None else (sentence.text, sentence.plural)
        message = catalog.get(msgid, context=key)
        if message is None:
            found.append(f"{key}: missing")
            continue
        if message.fuzzy:
            found.append(f"{key}: fuzzy")
        forms = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
        english = [sentence.text] if sentence.plural is None else [sentence.text, sentence.plural]
        for index, form in enumerate(forms):
            if not form:
                found.append(f"{key}: form {index} empty")
                continue
            wanted = fields(english[min(index, len(english) - 1)])
            if fields(form) != wanted:
                found.append(f"{key}: placeholders {sorted(fields(form))} instead of {sorted(wanted)}")
    extra = {message.context for message in catalog if message.id and message.context not in SENTENCES}
    found += [f"{key}: not a sentence of the code (obsolete)" for key in sorted(str(k) for k in extra)]
    return found


def load(language: str) -> Catalog:
    with catalog_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain="kring")


def test_babel_extracts_exactly_the_sentences_of_the_code_and_the_template_is_current() -> None:
    extracted = {
        (context, message if isinstance(message, str) else tuple(message))
        for path in sorted(SOURCE.glob("*.py"))
        for _, message, _, context in extract_from_file("python", str(path), keywords=KEYWORDS)
    }
    declared = {
        (key, sentence.text if sentence.plural is None else (sentence.text, sentence.plural))
        for key, sentence in SENTENCES.items()
    }
    assert extracted == declared  # no sentence is built in a way the extractor cannot see
    with (LOCALE_DIR / "kring.pot").open("rb") as handle:
        template = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in read_po(handle) if m.id}
    assert template == declared, "run the pybabel extract and update commands from the README"


def test_no_two_modules_declare_a_sentence_under_the_same_key() -> None:
    keys = [sentence.key for part in MODULES for sentence in part.SENTENCES]
    assert len(keys) == len(set(keys)) == len(SENTENCES)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_language_translates_every_sentence_with_the_same_placeholders(language: str) -> None:
    assert problems(load(language)) == []


def entry(catalog: Catalog, key: str) -> Message:
    sentence = SENTENCES[key]
    message = catalog.get(sentence.text if sentence.plural is None else (sentence.text, sentence.plural), context=key)
    assert message is not None
    return message


def test_the_check_catches_a_missing_or_extra_placeholder_an_empty_or_fuzzy_entry() -> None:
    broken = load("nl")
    entry(broken, "pledge.placed").string = "Dank je: je steunt #{number}."
    entry(broken, "cancel.reason").string = "Reden: {reason} {title}"
    entry(broken, "top.title").string = ""
    entry(broken, "help.title").flags.add("fuzzy")
    entry(broken, "goal.backers").string = ("{count} steuner", "steuners")
    broken.delete(SENTENCES["usage"].text, context="usage")
    assert sorted(problems(broken)) == [
        "cancel.reason: placeholders ['reason', 'title'] instead of ['reason']",
        "goal.backers: placeholders [] instead of ['count']",
        "help.title: fuzzy",
        "pledge.placed: placeholders ['number'] instead of ['number', 'pledge', 'title', 'user']",
        "top.title: form 0 empty",
        "usage: missing",
    ]


@pytest.mark.parametrize("language", languages())
def test_a_decision_begins_with_go_or_no_go_and_its_number_in_every_language(language: str) -> None:
    texts = Texts(language, AMS)
    go = texts.t("decision.go", number=3, title="Koerier").plain
    no_go = texts.t("decision.no_go", number=3, title="Koerier").plain
    assert re.match(r"^(?:[^\w\s#]+ )?GO #3 Koerier", go), go
    assert re.match(r"^(?:[^\w\s#]+ )?NO-GO #3 Koerier", no_go), no_go


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["0 backers", "1 backer", "2 backers"]),
        ("nl", ["0 steuners", "1 steuner", "2 steuners"]),
    ],
)
def test_counted_words_follow_each_languages_plural_rules(language: str, expected: list[str]) -> None:
    texts = Texts(language, AMS)
    assert [texts.tn("goal.backers", n).plain for n in (0, 1, 2)] == expected


@pytest.mark.parametrize(
    ("language", "credits", "left", "gap"),
    [
        (
            "en",
            ["Bob has 0 credits in this room (rank 1).", "Bob has 1 credit in this room (rank 1).",
             "Bob has 2 credits in this room (rank 1)."],
            ["closing now", "1 day left", "2 days left"],
            ["0 more backers", "1 more backer", "2 more backers"],
        ),
        (
            "nl",
            ["Bob heeft 0 punten in deze kamer (plaats 1).", "Bob heeft 1 punt in deze kamer (plaats 1).",
             "Bob heeft 2 punten in deze kamer (plaats 1)."],
            ["sluit nu", "nog 1 dag", "nog 2 dagen"],
            ["nog 0 steuners", "nog 1 steuner", "nog 2 steuners"],
        ),
    ],
)  # fmt: skip
def test_credits_days_and_backers_for_0_1_and_2(
    language: str, credits: list[str], left: list[str], gap: list[str]
) -> None:
    texts = Texts(language, AMS)
    assert [texts.tn("rep.line", n, user="Bob", credits=n, rank=1).plain for n in (0, 1, 2)] == credits
    assert [texts.time_left(timedelta(days=n)).plain for n in (0, 1, 2)] == left
    assert [texts.tn("gap.backers", n).plain for n in (0, 1, 2)] == gap
