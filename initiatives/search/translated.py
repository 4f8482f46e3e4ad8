"""Search in the staff translations that are reviewed, in the language of the page.

A French page's query is also looked for in the reviewed French translations, stemmed by
PostgreSQL's French configuration, both sides folded as ``text.fold_scripts`` folds (accents,
Russian and Arabic letter variants). Chinese has no word boundaries for PostgreSQL to find, so a
Chinese query's runs of characters are looked for as they are.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import F, Q, QuerySet

from .document import folded_scripts
from .text import HAN, fold_scripts

SEARCH_CONFIGS = {"fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}
HAN_RUN = re.compile(HAN.pattern + "+")


def matching(translations: QuerySet, text: str, language: str) -> QuerySet | None:
    """The ids of the initiatives whose reviewed translation into ``language`` matches
    ``text`` (a ``values("master_id")`` QuerySet), or None when there is nothing to look for."""
    reviewed = translations.filter(language_code=language, reviewed=True)
    if language == "zh-hans":
        runs = HAN_RUN.findall(text)
        if not runs:
            return None
        condition = Q()
        for run in runs:
            condition &= Q(translated_title__contains=run) | Q(translated_description__contains=run)
        return reviewed.filter(condition).values("master_id")
    config = SEARCH_CONFIGS.get(language)
    if config is None or not text.strip():
        return None
    document = SearchVector(
        folded_scripts(F("translated_title")), weight="A", config=config
    ) + SearchVector(folded_scripts(F("translated_description")), weight="C", config=config)
    query = SearchQuery(fold_scripts(text), search_type="websearch", config=config)
    return reviewed.annotate(document=document).filter(document=query).values("master_id")
