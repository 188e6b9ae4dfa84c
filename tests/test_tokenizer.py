"""Tokenization as RAGFlow's `rag_tokenizer` produces it (pipeline spec §6.1), run for real."""

import pytest

from citeflow.search.tokenizer import fine_grained_tokenize, half_width, identifiers, tokenize


def full(text: str) -> str:
    """`text` in full-width characters (U+FF01 to U+FF5E, and the ideographic space)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("The chunks were RUNNING fast!", "the chunk were run fast"),
        ("Studies, studied; studying...", "studi studi studi"),
        ("e-mail:someone@example.com", "e mail someon exampl com"),
        ("snake_case stays whole", "snake_cas stay whole"),
        (full("ABC123 ") + "full-width", "abc123 full width"),
        ("", ""),
        ("   \t\n ", ""),
        ("!!!", ""),
    ],
)
def test_latin_text_is_lowered_split_on_non_word_characters_and_porter_stemmed(text, tokens):
    assert tokenize(text) == tokens


def test_chinese_runs_are_segmented_by_the_dictionary():
    assert tokenize("我们在北京大学学习自然语言处理") == "我们 在 北京大学 学习 自然语言 处理"


def test_traditional_chinese_is_simplified_before_segmentation():
    assert tokenize("國際機場的資料庫") == tokenize("国际机场的资料库")
    assert tokenize("語言處理").replace(" ", "") == "语言处理"


def test_mixed_text_keeps_the_order_of_its_runs():
    assert tokenize("mixed 中文 and English words") == "mix 中文 and english word"
    assert tokenize("GPT模型很强").split()[0] == "gpt"


def test_fine_grained_tokens_split_long_chinese_words():
    assert (
        fine_grained_tokenize("我们 在 北京大学 学习 自然语言 处理")
        == "我们 在 北京 大学 学习 自然 语言 处理"
    )


def test_fine_grained_tokens_of_mostly_latin_text_only_split_slashes():
    assert fine_grained_tokenize("tcp/ip over 北京大学 and more words here") == (
        "tcp ip over 北京大学 and more words here"
    )
    assert fine_grained_tokenize("") == ""


def test_identifiers_are_split_like_ragflow_and_kept_whole_alongside():
    text = "Ticket PPR-9087 affects v2.1.0 on node_3, not the well-known e-mail flow."
    assert tokenize(text).split()[1:3] == ["ppr", "9087"]
    assert identifiers(text) == ["ppr-9087", "v2.1.0", "node_3"]
    assert identifiers(full("PPR-9087")) == ["ppr-9087"]
    assert identifiers("no identifiers here") == []


def test_half_width_maps_full_width_ascii_and_the_ideographic_space():
    assert half_width(full("Hello, world!")) == "Hello, world!"
    assert half_width("中文。") == "中文。"


def test_long_texts_tokenize_quickly_enough_to_index():
    text = "The council reviewed the library budget and approved the bridge survey. " * 2000
    assert len(tokenize(text).split()) == 22000
