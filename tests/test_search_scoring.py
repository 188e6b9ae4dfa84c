"""Units of retrieval scoring: question parsing, the re-rank window, highlighting, metadata
filters and tag features (pipeline spec §6.2 to §6.8, §11; SDK spec §6.1)."""

import numpy as np
import pytest

from citeflow.search.highlight import Highlighter
from citeflow.search.query import normalise, parse, without_question_words
from citeflow.search.retrieval import window_size
from citeflow.search.tags import tag_score
from citeflow.search.vector_index import VectorIndex, unit
from citeflow.services.metadata_filter import conditions_of, matching_documents


@pytest.mark.parametrize(
    ("page_size", "window"),
    [(30, 60), (2, 64), (6, 66), (1, 64), (10, 60), (64, 64), (100, 100), (200, 200), (1000, 1000)],
)
def test_the_window_is_64_rounded_half_up_to_a_multiple_of_the_page_size(page_size, window):
    assert window_size(page_size) == window


def test_question_words_go_unless_nothing_would_be_left():
    assert without_question_words("what is the boiling point of water") == "boiling point water"
    assert without_question_words("what is") == "what is"
    assert without_question_words("机器学习是什么") == "机器学习"


def test_normalising_splits_latin_from_chinese_and_drops_punctuation():
    assert normalise("GPU加速\uff1f(fast)") == "gpu 加速 fast"


def test_parsed_questions_weigh_stems_and_keep_identifiers_whole():
    parsed = parse("Which invoices mention PPR-9087?")
    tokens = [t.token for t in parsed.terms]
    assert {"invoic", "mention", "ppr", "9087", "ppr-9087"} <= set(tokens)
    weights = {t.token: t.weight for t in parsed.terms}
    assert abs(sum(weights[t] for t in ("invoic", "mention", "ppr", "9087")) - 1) < 1e-9


def test_an_empty_or_punctuation_question_parses_to_nothing():
    assert parse("").empty
    assert parse("?!,").empty


def test_chinese_questions_are_segmented():
    assert [t.token for t in parse("机器学习").terms][:2] == ["机器", "学习"]


def test_highlights_mark_words_by_their_stem_and_keep_only_marked_sentences():
    mark = Highlighter({"chunk", "ppr-9087", "9087", "机器"})
    text = "We store chunks here. Nothing else! Code PPR-9087 is 机器 学习; end"
    assert mark(text) == "We store <em>chunks</em> here....Code <em>PPR-9087</em> is <em>机器</em> 学习;"
    assert Highlighter({"9087"})("ref PPR-9087.") == "ref PPR-<em>9087</em>."
    assert Highlighter({"absent"})(text) is None


METADATA = {
    "author": {"Ann": ["d1"], "Bob": ["d2", "d3"]},
    "year": {"2021": ["d1", "d2"], "2024": ["d3"]},
    "note": {"": ["d4"]},
}


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([{"name": "author", "comparison_operator": "is", "value": "bob"}], set()),
        ([{"name": "author", "comparison_operator": "is", "value": "Bob"}], {"d2", "d3"}),
        ([{"name": "author", "comparison_operator": "contains", "value": "AN"}], {"d1"}),
        ([{"name": "author", "comparison_operator": "not is", "value": "Ann"}], {"d2", "d3"}),
        ([{"name": "year", "comparison_operator": "≥", "value": "2022"}], {"d3"}),
        ([{"name": "year", "comparison_operator": "<", "value": 2022}], {"d1", "d2"}),
        (
            [
                {"name": "year", "comparison_operator": "=", "value": "2021"},
                {"name": "author", "comparison_operator": "start with", "value": "b"},
            ],
            {"d2"},
        ),
        ([{"name": "note", "comparison_operator": "empty", "value": ""}], {"d4"}),
        ([{"name": "missing", "comparison_operator": "is", "value": "x"}], None),
        ([], None),
    ],
)
def test_metadata_conditions_choose_documents(conditions, expected):
    assert matching_documents(METADATA, conditions_of({"conditions": conditions})) == expected


def test_malformed_metadata_conditions_are_ignored():
    assert conditions_of(None) == []
    assert conditions_of({"conditions": "x"}) == []
    assert conditions_of({"conditions": [1, {"name": "a", "comparison_operator": "is", "value": 1}]}) == [
        {"key": "a", "op": "=", "value": 1}
    ]


def test_tag_scores_are_a_cosine_of_question_and_chunk_tags():
    assert tag_score({"sports": 3.0}, {"sports": 2.0}) == pytest.approx(1.0)
    assert tag_score({"sports": 1.0, "tech": 1.0}, {"sports": 1.0}) == pytest.approx(2**-0.5)
    assert tag_score({"sports": 1.0}, {"food": 1.0}) == 0
    assert tag_score({}, {"food": 1.0}) == 0


def test_stored_vectors_come_back_for_present_keys_only(tmp_path):
    index = VectorIndex(tmp_path / "vectors.usearch")
    vectors = np.eye(3, 8, dtype=np.float32) + 0.1
    index.add([11, 12, 13], vectors)
    for keys in ([11], [12, 13], [11, 99], [99]):
        found = index.vectors(keys)
        assert sorted(found) == [k for k in keys if k != 99]
        for key, vector in found.items():
            assert vector.shape == (8,)
            assert np.allclose(vector, unit(vectors[key - 11]), atol=1e-3)
