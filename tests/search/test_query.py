"""Parsing what people type: web-search syntax, prefixes, synonyms, spelling, safety."""

import pytest

from initiatives.search.query import parse_query, parse_synonyms
from initiatives.search.spelling import Vocabulary

SYNONYMS = parse_synonyms(
    """
    nps | new psychoactive substances
    ews | early warning system
    overdose => naloxone
    """
)


def parse(text, **kwargs):
    return parse_query(text, synonyms=kwargs.pop("synonyms", SYNONYMS), **kwargs)


def test_words_match_as_prefixes_and_all_must_match():
    parsed = parse("precurs disposal")
    assert parsed.all_tsquery == "'precurs':* & 'disposal':*"
    assert parsed.any_tsquery == "('precurs':* | 'disposal':*)"


def test_quoted_phrases_or_and_exclusions():
    parsed = parse('"early warning" -americas captagon or fenethylline')
    assert parsed.all_tsquery == (
        "('early' <-> 'warning') & ('captagon':* | 'fenethylline':*) & !'americas'"
    )


def test_an_acronym_and_its_expansion_find_each_other():
    assert parse("NPS").all_tsquery == "('nps':* | ('new' <-> 'psychoactive' <-> 'substances'))"
    parsed = parse("new psychoactive substances training")
    assert len(parsed.clauses) == 2
    assert "'nps'" in parsed.clauses[0].tsquery()


def test_one_way_synonyms_do_not_go_back():
    assert "naloxone" in parse("overdose").all_tsquery
    assert "overdose" not in parse("naloxone").all_tsquery


def test_stop_words_and_question_fillers_are_dropped():
    parsed = parse("how can we find programmes on the early warning system")
    assert [clause.typed_text for clause in parsed.clauses] == ["early warning system"]
    # A filler typed alone is still searched for.
    assert parse("programmes").all_tsquery == "'programmes':*"


def test_who_in_capitals_is_the_organization():
    synonyms = SYNONYMS.merged({("who",): {("world", "health", "organization")}})
    assert (
        parse("WHO", synonyms=synonyms).all_tsquery == "('world' <-> 'health' <-> 'organization')"
    )
    assert not parse("who", synonyms=synonyms)


def test_misspelled_words_are_searched_as_their_closest_known_spelling():
    vocabulary = Vocabulary.from_counts({"fentanyl": 12, "precursor": 40, "precursors": 30})
    parsed = parse("fentanil precurser", speller=vocabulary.suggest)
    assert parsed.corrections == {"fentanil": "fentanyl", "precurser": "precursor"}
    assert parsed.corrected_text == "fentanyl precursor"
    assert "'fentanyl':*" in parsed.all_tsquery and "'fentanil':*" in parsed.all_tsquery


def test_known_words_and_prefixes_are_not_corrected():
    vocabulary = Vocabulary.from_counts({"naloxone": 1, "does": 5, "dose": 3})
    assert vocabulary.suggest("naloxon") is None  # a prefix of a known word
    assert vocabulary.suggest("naloxone") is None
    assert vocabulary.suggest("dogs") is None  # "does" is a stop word; "dose" is 2 edits
    assert vocabulary.suggest("nalxone") == "naloxone"


@pytest.mark.parametrize(
    "hostile",
    [
        "'); DROP TABLE initiatives_initiative; --",
        "a & b | !c <-> d:* (e",
        "\x00\r\nSubject: x",
        "<script>alert(1)</script>",
        '"unterminated phrase',
        "-",
        "or or or",
        "x" * 5000,
    ],
)
def test_no_input_can_break_the_tsquery_syntax(hostile):
    parsed = parse(hostile)
    for text in (parsed.all_tsquery, parsed.any_tsquery):
        # Only quoted [a-z0-9] lexemes and operators reach PostgreSQL.
        stripped = text
        for token in ("<->", ":*", "&", "|", "!", "(", ")", " "):
            stripped = stripped.replace(token, "")
        assert all(part.isalnum() for part in stripped.split("'") if part), text


def test_the_curated_synonym_file_parses_and_rejects_bad_lines():
    from initiatives.search.query import curated_synonyms

    table = curated_synonyms()
    assert ("ews",) in table.expansions
    assert ("early", "warning", "system") in table.expansions[("ews",)]
    with pytest.raises(ValueError, match="line 1"):
        parse_synonyms("nps | | new psychoactive substances")


def test_a_known_phrase_falls_back_to_its_words_one_clause_each():
    synonyms = parse_synonyms("money laundering | illicit finance\n")
    parsed = parse("money laundering", synonyms=synonyms)
    assert parsed.all_tsquery == "(('money' <-> 'laundering') | ('illicit' <-> 'finance'))"
    assert parsed.falls_back_to_words
    assert [clause.tsquery() for clause in parsed.word_clauses] == ["'money':*", "'laundering':*"]
    assert not parse("naloxone training").falls_back_to_words


def test_accented_letters_are_folded_as_the_index_folds_them():
    from initiatives.search.text import fold, words

    assert words("Søren in Łódź, Kraków and Ştefan's São Tomé") == [
        "soren",
        "in",
        "lodz",
        "krakow",
        "and",
        "stefan",
        "s",
        "sao",
        "tome",
    ]
    # One letter for one letter, so highlights can be carried back onto the original text.
    assert len(fold("Łódź Ærø")) == len("Łódź Ærø")
    assert parse("Łódź").all_tsquery == "'lodz':*"
