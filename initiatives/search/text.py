"""Text normalisation shared by the index, queries, spelling and highlighting.

``fold`` and the database's ``document.folded`` apply the same table, so a word is stored and
asked for in the same form ("Łódź", "Lodz" and "lodz" are one word). The embedded PostgreSQL
has no ``unaccent`` extension, hence ``translate()`` with a table of one letter for one letter.
"""

import re

# Latin letters with diacritics and their plain forms, one for one (after lower-casing).
FOLD_FROM = "àáâãäåāăąçćčďđèéêëēĕėęěğģìíîïĩīĭįıķľĺłļñńňņòóôõöøōŏőŕřŗśšşșťţțùúûüũūŭůűųýÿźżž"
FOLD_TO = "aaaaaaaaacccddeeeeeeeeeggiiiiiiiiikllllnnnnooooooooorrrsssstttuuuuuuuuuuyyzzz"
FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)

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
    """Lower-case and strip diacritics, exactly as the index does (same length as ``text``
    unless lower-casing itself changes it, as for "İ")."""
    return text.lower().translate(FOLD_TABLE)


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS


# Letter variants of Russian and Arabic that people type interchangeably (ё/е; the hamza forms of
# alif, tā' marbūṭa and alif maqṣūra), one for one, and Arabic's optional vowel marks and
# elongation, dropped: a query and the thesaurus are compared in this form.
SCRIPT_FOLD_FROM = "ёأإآٱةى"
SCRIPT_FOLD_TO = "еااااهي"
SCRIPT_FOLD_TABLE = str.maketrans(SCRIPT_FOLD_FROM, SCRIPT_FOLD_TO)
ARABIC_MARKS_CLASS = "[\u0610-\u061a\u064b-\u065f\u0670\u0640]"
ARABIC_MARKS = re.compile(ARABIC_MARKS_CLASS)
ANY_WORD = re.compile(r"[^\W_]+")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def fold_scripts(text: str) -> str:
    """``fold`` for every script: also Russian and Arabic letter variants and Arabic marks."""
    return ARABIC_MARKS.sub("", fold(text).translate(SCRIPT_FOLD_TABLE))
