"""Term weights by RAGFlow's formula (pipeline spec §6.1), over jieba's dictionary."""

import math

import pytest

from citeflow.search.weights import idf, term_weights


def raw(freq: float, df: float, ner: float = 1, pos: float = 1) -> float:
    return (0.3 * idf(freq, 10_000_000) + 0.7 * idf(df, 1_000_000_000)) * ner * pos


def test_idf_is_ragflows_smoothed_log():
    assert idf(0, 10) == pytest.approx(math.log10(10 + 10.5 / 0.5))


def test_weights_sum_to_one():
    weights = term_weights(["retrieval", "augmented", "generation", "2024"])
    assert sum(w for _, w in weights) == pytest.approx(1.0)
    assert [t for t, _ in weights] == ["retrieval", "augmented", "generation", "2024"]


def test_an_identifier_weighs_its_number_more_than_its_letters():
    (letters, lw), (number, nw) = term_weights(["ppr", "9087"])
    expected_letters, expected_number = raw(300, 300), raw(3, 5, ner=2)
    assert (letters, number) == ("ppr", "9087")
    assert lw == pytest.approx(expected_letters / (expected_letters + expected_number))
    assert nw == pytest.approx(expected_number / (expected_letters + expected_number))
    assert nw == pytest.approx(0.7227, abs=1e-3)


def test_english_words_outside_the_dictionary_weigh_alike():
    assert term_weights(["chunk", "test"]) == [("chunk", 0.5), ("test", 0.5)]


def test_one_or_two_letter_tokens_barely_count():
    (_, a), (_, chunk) = term_weights(["a", "chunk"])
    assert a == pytest.approx(0.01 / 1.01)
    assert chunk == pytest.approx(1 / 1.01)


def test_chinese_words_use_dictionary_frequency_and_part_of_speech():
    weights = dict(term_weights(["北京", "大学", "的"]))
    assert weights["北京"] > weights["大学"] > weights["的"], "place noun > noun > particle"


def test_no_tokens_no_weights():
    assert term_weights([]) == []
