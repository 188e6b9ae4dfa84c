"""Plain text files (pipeline spec §4.1): decoding whatever the encoding, and the txt step's
sections."""

import os

import pytest

from citeflow.ingest.parsers.text import decode_text, text_sections
from citeflow.llm import count_tokens
from tests.conftest import SHARED

CORPUS_TXT = SHARED / "corpus" / "txt"
JAPANESE = "日本語のテキストです。カタカナとひらがなも含みます。検索のための文書です。" * 3
CHINESE = "这是一个用于测试编码检测的中文文本。我们需要确保它能够被正确解码。" * 3


def test_utf8_with_or_without_a_byte_order_mark():
    assert decode_text("héllo wörld".encode()) == "héllo wörld"
    assert decode_text(b"\xef\xbb\xbfbom first") == "bom first"
    assert decode_text("utf-16 text".encode("utf-16")) == "utf-16 text"


@pytest.mark.parametrize(("text", "encoding"), [(JAPANESE, "cp932"), (CHINESE, "gbk")])
def test_legacy_encodings_are_detected(text, encoding):
    assert decode_text(text.encode(encoding)) == text


def test_latin1_and_garbage_decode_without_an_error():
    assert "Caf" in decode_text("Café crème brûlée, naïve façade".encode("latin-1"))
    for data in (os.urandom(4096), bytes(range(256)) * 8, b"\xff\xfe\x00", b""):
        assert isinstance(decode_text(data), str)


def test_sections_grow_past_the_token_target_and_drop_the_delimiters():
    sentence = "This sentence has about ten tokens in it, more or less"
    text = "\n".join([sentence] * 40) + "!" + "tail"
    sections = text_sections(text, chunk_token_num=50)
    assert "".join(sections) == sentence * 40 + "tail"
    assert all(count_tokens(s) > 50 for s in sections[:-1])
    assert all(count_tokens(s) <= 50 + count_tokens(sentence) for s in sections)


def test_an_escaped_newline_delimiter_splits_on_newlines():
    assert text_sections("a\nb", delimiter="\\n") == ["ab"]
    assert text_sections("") == []


@pytest.mark.skipif(not CORPUS_TXT.is_dir(), reason="the shared corpus is not here")
def test_every_corpus_text_file_decodes_and_keeps_its_text():
    for path in sorted(CORPUS_TXT.glob("*.txt")):
        text = decode_text(path.read_bytes())
        sections = text_sections(text[:200_000], chunk_token_num=512)
        assert sections, path.name
        assert "".join(sections).replace("\n", "")[:1000].strip(), path.name
