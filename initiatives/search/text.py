"""Text normalisation shared by queries, spelling and highlighting."""

import re
import unicodedata

# PostgreSQL's English stop words (tsearch_data/english.stop): dropped by the 'english' config.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()
)

# Words that carry no topic in a question typed into a catalogue's search box.
QUESTION_FILLERS = frozenset(
    """help helping find finding looking look need needs want wants get getting available offer
    offers offered offering programme programmes program programs initiative initiatives project
    projects country countries please anything something information info""".split()
)

WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case and strip diacritics (the Python twin of the database's translate())."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS
