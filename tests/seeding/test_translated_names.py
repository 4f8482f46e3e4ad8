"""seeds/translated_names.toml names every working group, sub-working group and organization of
the seed file in the five other UN languages."""

import re
import tomllib

import pytest
from django.conf import settings

TRANSLATED_NAMES = settings.SEEDS_DIR / "translated_names.toml"
LANGUAGES = ("fr", "es", "ru", "ar", "zh")
SCRIPTS = {
    "fr": re.compile(r"[A-Za-zÀ-ÿ]"),
    "es": re.compile(r"[A-Za-zÀ-ÿ]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
}


@pytest.fixture(scope="module")
def translated():
    with TRANSLATED_NAMES.open("rb") as handle:
        return tomllib.load(handle)


def keys_of(seed_document):
    return {
        "working_groups": {str(group["number"]) for group in seed_document["working_groups"]},
        "sub_working_groups": {group["code"] for group in seed_document["sub_working_groups"]},
        "organizations": {
            organization["acronym"] for organization in seed_document["organizations"]
        },
    }


def is_text(value) -> bool:
    return isinstance(value, str) and value.strip() == value and bool(value)


def test_every_group_and_organization_of_the_seed_file_is_named_and_nothing_else(
    translated, seed_document
):
    for section, expected in keys_of(seed_document).items():
        named = set(translated.get(section, {}))
        assert named == expected, (
            f"{section}: missing {sorted(expected - named)}, unknown {sorted(named - expected)}"
        )


def test_group_names_are_given_in_the_five_languages_in_their_scripts(translated):
    problems = []
    for section in ("working_groups", "sub_working_groups"):
        for key, names in translated[section].items():
            for language in LANGUAGES:
                name = names.get(language)
                if not is_text(name) or not SCRIPTS[language].search(name):
                    problems.append(f"{section} {key} {language}: {name!r}")
            problems += [
                f"{section} {key}: unknown language {extra}"
                for extra in set(names) - set(LANGUAGES)
            ]
    assert not problems, "\n".join(problems)


def test_organizations_have_a_name_and_an_acronym_in_the_five_languages(translated):
    problems = []
    for acronym, languages in translated["organizations"].items():
        for language in LANGUAGES:
            entry = languages.get(language)
            if not isinstance(entry, dict) or set(entry) != {"name", "acronym"}:
                problems.append(f"{acronym} {language}: {entry!r}")
                continue
            if not is_text(entry["name"]) or not SCRIPTS[language].search(entry["name"]):
                problems.append(f"{acronym} {language} name: {entry['name']!r}")
            if not is_text(entry["acronym"]):
                problems.append(f"{acronym} {language} acronym: {entry['acronym']!r}")
    assert not problems, "\n".join(problems)
