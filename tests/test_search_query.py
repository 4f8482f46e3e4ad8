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


def test_prefixes_match_as_the_known_words_they_begin_when_few():
    stems = {
        "precursor": "precursor",
        "precursors": "precursor",
        "disposal": "dispos",
        "disposition": "disposit",
        "present": "present",
        "prevent": "prevent",
    }
    vocabulary = Vocabulary.from_counts(dict.fromkeys(stems, 1), stems)
    parsed = parse("precurs disposal")
    assert parsed.prefix_words == ["precurs", "disposal"]
    # What "precurs:*" and "disposal:*" match: stems beginning with theirs, "precur" and "dispos".
    parsed.completions = {
        "precurs": vocabulary.completions("precur"),
        "disposal": vocabulary.completions("dispos"),
    }
    assert parsed.all_tsquery == "('precurs' | 'precursors') & ('disposal' | 'disposition')"
    assert parsed.any_tsquery == "('precurs':* | 'disposal':*)"  # ranking keeps the prefixes
    assert vocabulary.completions("pre") == ("precursors", "present", "prevent")
    # Beyond the limit, or for a stem too short to look up, the prefix stays a prefix.
    assert vocabulary.completions("pre", most=2) is None
    assert vocabulary.completions("pr") is None
    assert vocabulary.completions("zyx") == ()


@pytest.mark.django_db
def test_the_stems_of_prefixes_are_those_of_the_index():
    from initiatives.search.spelling import stems

    assert stems(["precurs", "training", "the", "h5n1"]) == {
        "precurs": "precur",
        "training": "train",
    }


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


def test_a_phrase_holding_a_word_of_the_same_clause_is_left_out_of_matching_only():
    synonyms = parse_synonyms(
        "precursor | precursors | chemical precursors | precursor chemicals\n"
        "disposal | safe disposal | destruction\n"
    )
    parsed = parse("precursor disposal", synonyms=synonyms)
    # Whatever matches "chemical precursors" matches "precursors": the phrase adds index work,
    # not results. "destruction" stays: it is another word.
    assert parsed.all_tsquery == ("('precursor':* | 'precursors') & ('disposal':* | 'destruction')")
    assert "'chemical' <-> 'precursors'" in parsed.any_tsquery  # ranking keeps every phrase
    assert "'chemical'" not in parsed.any_matching_tsquery
    # A phrase whose words are not alternatives on their own is kept.
    nps = parse("NPS")
    assert "'new' <-> 'psychoactive'" in nps.all_tsquery
