"""The working groups', sub-working groups' and organizations' names in the other UN languages.

They are the forms the UN and the organizations use themselves (ONUDD, УНП ООН, OMS, JIFE, ...),
kept in ``seeds/translated_names.toml`` beside the seed data, keyed as the seed data keys them
(working group number, sub-working group code, organization acronym). Where a name is not
there, the English one is shown.
"""

import tomllib
from functools import cache

from django.conf import settings
from django.utils.translation import get_language

NAMES_FILE = settings.BASE_DIR / "seeds" / "translated_names.toml"
# The site's language codes and the file's.
FILE_LANGUAGE = {"fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh-hans": "zh"}


@cache
def table() -> dict:
    return tomllib.loads(NAMES_FILE.read_text(encoding="utf-8"))


def translated(kind: str, key, field: str | None = None) -> str | None:
    """The name of ``kind`` ("working_groups", "sub_working_groups", "organizations") ``key``
    in the active language, or None (English, or not translated)."""
    language = FILE_LANGUAGE.get(get_language() or "")
    if language is None:
        return None
    entry = table().get(kind, {}).get(str(key), {}).get(language)
    if isinstance(entry, dict):
        entry = entry.get(field or "name")
    return entry or None
