"""JSON and JSON Lines files as structure-keeping sections (pipeline spec §4.1)."""

import json

import pytest

from citeflow.ingest.parsers.structured import JsonError, json_sections, split_json
from tests.conftest import SHARED

CORPUS_JSON = SHARED / "corpus" / "json"


def leaves(value, path=()):
    """(path, leaf) pairs of a JSON value, lists keyed by index."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, (*path, str(i)))
    else:
        yield path, value


def merged_leaves(parts):
    return sorted((p, json.dumps(v)) for part in parts for p, v in leaves(part))


def test_a_small_document_is_one_section():
    assert json_sections(b'{"a": 1, "b": [1, 2]}') == ['{"a": 1, "b": {"0": 1, "1": 2}}']


def test_a_large_document_is_split_keeping_every_leaf_once_with_its_path():
    document = {"section": {f"key{i}": {"text": f"value number {i} " * 5, "n": i} for i in range(40)}}
    parts = split_json(document, limit=300)
    assert len(parts) > 5
    assert merged_leaves(parts) == sorted((p, json.dumps(v)) for p, v in leaves(document))
    assert all(len(json.dumps(part)) <= 300 + 120 for part in parts)
    assert all(next(iter(part)) == "section" for part in parts)


def test_json_lines_are_split_line_by_line_and_text_stays_readable():
    data = '{"q": "什么是RAG?"}\n\n{"q": "second"}\n'.encode()
    assert json_sections(data) == ['{"q": "什么是RAG?"}', '{"q": "second"}']


def test_a_file_that_is_not_json_is_a_clear_error():
    with pytest.raises(JsonError, match="neither JSON nor JSON Lines"):
        json_sections(b"{not json")


@pytest.mark.skipif(not CORPUS_JSON.is_dir(), reason="the shared corpus is not here")
def test_corpus_json_files_keep_all_their_leaves():
    for path in sorted(CORPUS_JSON.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        sections = json_sections(path.read_bytes(), chunk_token_num=128)
        assert len(sections) > 1, path.name
        parts = [json.loads(s) for s in sections]
        assert merged_leaves(parts) == sorted((p, json.dumps(v)) for p, v in leaves(document)), path.name
