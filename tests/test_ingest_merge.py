"""RAGFlow's `naive_merge` (pipeline spec §4.2), with cl100k token counts."""

from citeflow.ingest.chunkers.merge import delimiters, naive_merge
from citeflow.llm import count_tokens

TAG = "@@1\t10.0\t20.0\t30.0\t40.0##"


def words(n: int, word: str = "alpha") -> str:
    return " ".join([word] * n)


def test_short_sections_are_glued_without_a_separator_until_a_chunk_is_full():
    sections = [words(50), words(50, "beta"), words(50, "gamma"), words(50, "delta")]
    chunks = naive_merge(sections, chunk_token_num=120)
    assert chunks == [sections[0] + sections[1] + sections[2], sections[3]]


def test_a_chunk_may_exceed_the_target_by_one_piece():
    chunks = naive_merge([words(100), words(100, "beta")], chunk_token_num=128)
    assert len(chunks) == 1
    assert count_tokens(chunks[0]) > 128


def test_long_sections_are_split_at_delimiters_which_are_dropped():
    long = "First sentence here!" + words(150) + "?" + words(150, "beta")
    chunks = naive_merge([long], chunk_token_num=128)
    assert chunks == ["First sentence here" + words(150), words(150, "beta")]
    assert all("?" not in c and "!" not in c for c in chunks)


def test_position_tags_are_added_once_and_not_for_tiny_pieces():
    chunks = naive_merge([(words(20), TAG), (words(20, "beta"), TAG), ("tiny", "@@2\t1\t2\t3\t4##")], 128)
    assert chunks == [words(20) + TAG + words(20, "beta") + "tiny"]


def test_overlap_starts_a_chunk_with_the_end_of_the_previous_one():
    first, second = words(150), words(150, "beta")
    chunks = naive_merge([first, second], chunk_token_num=100, overlapped_percent=10)
    assert len(chunks) == 2
    assert chunks[1].endswith(second)
    assert chunks[1][: -len(second)] == first[int(len(first) * 0.9) :]


def test_empty_and_blank_chunks_are_left_out():
    assert naive_merge([]) == []
    assert naive_merge(["", "   "]) == []


def test_delimiter_settings_follow_ragflow():
    assert delimiters("\n!?") == ["\n", "!", "?"]
    assert delimiters("`##`;\\n") == ["##", ";", "\n"]
    long = words(200) + "##" + words(200, "beta")
    assert naive_merge([long], chunk_token_num=128, delimiter="`##`") == [words(200), words(200, "beta")]
