"""The translation catalogues are complete: every string the interface marks is in every
language's catalogue, translated, not fuzzy, with the same placeholders and markup.

``makemessages`` is run on a copy of the sources (the committed catalogues stay untouched), with
the options the catalogues are made with (``make messages-update``).
"""

import re
import shutil
import subprocess
from contextlib import chdir
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.translation import to_locale

ROOT = Path(settings.BASE_DIR)
LOCALES = [to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# What makemessages leaves out (the same list as the Makefile's messages-update).
IGNORED = [".venv/*", ".data/*", "node_modules/*", "benchmarks/*", "tests/*", "staticfiles/*"]
NOT_COPIED = {".git", ".venv", ".data", "node_modules", "benchmarks", "tests", "staticfiles"}
NOT_COPIED |= {"locale", ".ruff_cache", "__pycache__"}

PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


def catalogue_path(locale: str, root: Path = ROOT) -> Path:
    return root / "locale" / locale / "LC_MESSAGES" / "django.po"


def catalogue(locale: str) -> polib.POFile:
    return polib.pofile(str(catalogue_path(locale)))


def entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def keys(po: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in entries(po)}


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def problems_of(po: polib.POFile) -> list[str]:
    """Untranslated, fuzzy, or with other placeholders or markup than the English."""
    problems = []
    for entry in entries(po):
        name = repr(entry.msgid[:60])
        texts = translations(entry)
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {name}")
        if not all(text.strip() for text in texts):
            problems.append(f"untranslated: {name}")
            continue
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        expected = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        for text in texts:
            found = set(PLACEHOLDER.findall(text))
            # A plural form may leave out the number ("this initiative"); nothing else may go.
            if found - expected or (not entry.msgid_plural and found != expected):
                problems.append(f"placeholders {sorted(found)} not {sorted(expected)}: {name}")
            if sorted(TAG.findall(text)) != sorted(TAG.findall(entry.msgid)):
                problems.append(f"markup differs: {name}")
    return problems


def extract(copy: Path) -> polib.POFile:
    """The catalogue makemessages makes from a copy of the sources (for one language: every
    language gets the same strings)."""
    for item in ROOT.iterdir():
        if item.name in NOT_COPIED:
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, copy / item.name)
    with override_settings(LOCALE_PATHS=[copy / "locale"]), chdir(copy):
        call_command(
            "makemessages",
            locale=["fr"],
            ignore_patterns=IGNORED,
            add_location="file",
            no_obsolete=True,
            verbosity=0,
        )
    return polib.pofile(str(catalogue_path("fr", copy)))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[tuple[str, str]]:
    return keys(extract(tmp_path_factory.mktemp("sources")))


def test_every_language_has_a_catalogue():
    assert LOCALES == ["fr", "es", "ru", "ar", "zh_Hans"]
    for locale in LOCALES:
        assert catalogue_path(locale).is_file(), locale


@pytest.mark.parametrize("locale", LOCALES)
def test_makemessages_would_add_no_string(extracted, locale):
    missing = extracted - keys(catalogue(locale))
    assert not missing, (
        f"{len(missing)} marked string(s) missing from locale/{locale}: run makemessages "
        f"(make messages-update) and translate them: {sorted(missing)[:10]}"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated_and_none_is_fuzzy(locale):
    po = catalogue(locale)
    assert po.metadata.get("Language") == locale
    assert not po.metadata_is_fuzzy, f"locale/{locale}: the header is marked fuzzy"
    problems = problems_of(po)
    assert not problems, f"locale/{locale}: {len(problems)} problem(s): {problems[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_each_catalogue_compiles(locale, tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: `make messages` installs Debian's gettext"
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(catalogue_path(locale))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_check_finds_what_it_looks_for():
    """Each kind of problem is named (the checks above pass only on complete catalogues)."""
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Search", msgstr=""))
    po.append(polib.POEntry(msgid="Filters", msgstr="Filtres", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Page %(number)s", msgstr="Page"))
    po.append(polib.POEntry(msgid='<a href="%(url)s">x</a>', msgstr="%(url)s y"))
    po.append(
        polib.POEntry(
            msgid="%(counter)s initiative",
            msgid_plural="%(counter)s initiatives",
            msgstr_plural={0: "%(counter)s initiative", 1: ""},
        )
    )
    problems = problems_of(po)
    assert [problem.split(":")[0] for problem in problems] == [
        "untranslated",
        "fuzzy",
        "placeholders [] not ['%(number)s']",
        "markup differs",
        "untranslated",
    ]
