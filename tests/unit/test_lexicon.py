"""Lexicon entities: normalized values, abbreviations, case rules and overlaps."""

import shutil

import pytest

from bot.core import lexicon


@pytest.fixture(scope="module")
def nlp():
    return lexicon.build_pipeline()


def found(nlp, text):
    return {(m.entity, m.value) for m in lexicon.extract(nlp, text)}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my rheumatologist said it's DM", "dermatomyositis"),
        ("they think it's IBM", "inclusion_body_myositis"),
        ("I have sIBM", "inclusion_body_myositis"),
        ("diagnosed with IMNM last year", "necrotizing_myopathy"),
        ("my son has JDM", "juvenile_myositis"),
        ("no, it was polymyositis", "polymyositis"),
        ("Dermatomyositis", "dermatomyositis"),
        ("dermatomyocitis", "dermatomyositis"),
        ("antisynthetase syndrome", "overlap_myositis"),
    ],
)
def test_myositis_types_are_normalized(nlp, text, value):
    assert ("myositis_type", value) in found(nlp, text)


def test_abbreviations_match_only_in_capitals(nlp):
    assert found(nlp, "call me at 3 pm") == set()
    assert found(nlp, "i'll dm you") == set()


def test_state_names_and_codes_are_normalized(nlp):
    assert ("us_state", "TX") in found(nlp, "I meant Texas")
    assert ("us_state", "CA") in found(nlp, "CA")
    assert ("us_state", "NY") in found(nlp, "i live in new york")


def test_state_codes_that_are_words_are_not_read_in_lowercase(nlp):
    assert found(nlp, "i live in a small town or a village") == set()


def test_an_ambiguous_abbreviation_keeps_every_reading(nlp):
    assert {("us_state", "NM"), ("myositis_type", "necrotizing_myopathy")} <= found(nlp, "NM")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("prednisone didn't work", "corticosteroid"),
        ("methotrexate gave me side effects", "methotrexate"),
        ("I was on CellCept", "mycophenolate"),
        ("they gave me Privigen", "ivig"),
        ("I take Lipitor", "statin"),
    ],
)
def test_medicines_and_brands_are_normalized(nlp, text, value):
    assert ("medicine", value) in found(nlp, text)


def test_insurance_kinds_are_recognized(nlp):
    assert ("insurance", "commercial") in found(nlp, "Blue Cross through work")
    assert ("insurance", "medicare") in found(nlp, "I have Medicare")
    assert ("insurance", "none") in found(nlp, "no insurance, I'd self pay")


def test_symptoms_keep_the_longest_phrase(nlp):
    matches = [m for m in lexicon.extract(nlp, "I have muscle weakness") if m.entity == "symptom"]
    assert [(m.value, m.text) for m in matches] == [("muscle_weakness", "muscle weakness")]


def test_match_offsets_point_into_the_text(nlp):
    text = "my doctor thinks it's DM"
    (match,) = lexicon.extract(nlp, text)
    assert text[match.start : match.end] == "DM"


def test_fingerprint_changes_when_a_lexicon_changes(tmp_path):
    directory = tmp_path / "lexicons"
    shutil.copytree(lexicon.LEXICON_DIR, directory)
    before = lexicon.fingerprint(directory)
    assert lexicon.fingerprint(directory) == before
    path = directory / "symptoms.yml"
    path.write_text(path.read_text() + "  cramps:\n    phrases: [cramps]\n")
    assert lexicon.fingerprint(directory) != before


def test_a_pipeline_saved_to_disk_loads_without_the_lexicon_files(tmp_path, nlp):
    import spacy

    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert found(loaded, "they think it's IBM") == {("myositis_type", "inclusion_body_myositis")}
