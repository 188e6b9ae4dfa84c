"""A dataset's full-text index: tantivy over RAGFlow's pre-tokenized chunk fields.

Text arrives already tokenized (`search.tokenizer`), so every field splits on whitespace only and
the index never re-analyses anything. Documents carry the chunk's 64-bit key, its document id
and an "off" flag for chunks switched off; their content lives in the database.
"""

import math
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

#: Fields searched for candidates and RAGFlow's boosts for them (pipeline spec §6.2): each word
#: scores its best field, as RAGFlow's `best_fields` query does.
FIELD_BOOSTS: Mapping[str, float] = {
    "title_tks": 10.0,
    "title_sm_tks": 5.0,
    "important_kwd": 30.0,
    "important_tks": 20.0,
    "question_tks": 20.0,
    "content_ltks": 2.0,
    "content_sm_ltks": 1.0,
}
#: Fields whose BM25 ranks candidates (`term_similarity`), with equal weights: RAGFlow's boosts
#: help to find candidates but drown the content when ranking them.
SCORING_FIELDS: Mapping[str, float] = {
    "title_tks": 1.0,
    "content_ltks": 1.0,
    "important_tks": 1.0,
    "question_tks": 1.0,
}
#: Words in more than this share of a dataset's chunks are left out of its queries (unless no
#: other word is left): they barely move a score, and walking their postings is what makes a
#: query slow on a large dataset.
COMMON_WORD_SHARE = 0.5
#: Keyword fields: each value is one term, matched whole.
KEYWORD_FIELDS = frozenset({"important_kwd"})
WRITER_HEAP_BYTES = 32_000_000
#: What restricting a scoring query to some chunks adds to each of their scores (the scale of
#: `term_similarity` was chosen with it).
KEY_MATCH_SCORE = 1.0
RELOAD_ATTEMPTS = 5
#: Up to this many keys, a restriction to them is a query per key (see `TextIndex._keys_query`).
KEY_TERM_QUERIES = 512


@dataclass(frozen=True, slots=True)
class TextDocument:
    key: int
    document_id: str
    available: bool
    fields: Mapping[str, str | Sequence[str]]


@dataclass(frozen=True, slots=True)
class WeightedTerm:
    token: str
    weight: float


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("key", stored=False, indexed=True, fast=True)
    builder.add_unsigned_field("off", stored=False, indexed=True, fast=False)
    builder.add_text_field("doc", stored=False, tokenizer_name="raw", index_option="basic")
    for name in FIELD_BOOSTS:
        if name in KEYWORD_FIELDS:
            builder.add_text_field(name, stored=False, tokenizer_name="raw", index_option="freq")
        else:
            builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


class TextIndex:
    """One dataset's tantivy index in its own directory. Not safe for concurrent writers: the
    caller serialises writes; searches may run alongside them."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._schema = _schema()
        self._index = tantivy.Index(self._schema, path=str(directory), reuse=True)
        self._writer: tantivy.IndexWriter | None = None

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

    def _writing(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self._index.writer(WRITER_HEAP_BYTES, 1)
        return self._writer

    def delete_keys(self, keys: Iterable[int]) -> None:
        writer = self._writing()
        for key in keys:
            writer.delete_documents_by_query(tantivy.Query.term_query(self._schema, "key", key))

    def delete_documents(self, document_ids: Iterable[str]) -> None:
        writer = self._writing()
        for document_id in document_ids:
            writer.delete_documents_by_query(tantivy.Query.term_query(self._schema, "doc", document_id))

    def clear(self) -> None:
        self._writing().delete_all_documents()

    def add(self, documents: Iterable[TextDocument]) -> None:
        writer = self._writing()
        for d in documents:
            doc = tantivy.Document()
            doc.add_unsigned("key", d.key)
            doc.add_unsigned("off", 0 if d.available else 1)
            doc.add_text("doc", d.document_id)
            for name, value in d.fields.items():
                if name in KEYWORD_FIELDS:
                    for keyword in value:
                        doc.add_text(name, keyword.lower())
                elif value:
                    doc.add_text(name, value if isinstance(value, str) else " ".join(value))
            writer.add_document(doc)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._index.reload()

    def reload(self) -> None:
        """See what another process committed. Its writer may delete the files of merged
        segments while they are being opened; then the reload is tried again."""
        for attempt in range(RELOAD_ATTEMPTS):
            try:
                self._index.reload()
                return
            except (OSError, ValueError, RuntimeError):
                if attempt == RELOAD_ATTEMPTS - 1:
                    raise
                time.sleep(0.01)

    def release(self) -> None:
        """Let go of the writer (its thread and memory) once its merges finish; the next write
        opens a new one."""
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    def keys_switched_off(self) -> list[int]:
        searcher = self._index.searcher()
        query = tantivy.Query.term_query(self._schema, "off", 1)
        count = searcher.search(query, 1, count=True).count
        if not count:
            return []
        hits = searcher.search(query, count, count=False).hits
        return [int(k) for k in searcher.fast_field_values("key", [addr for _, addr in hits])]

    def search(
        self,
        terms: Sequence[WeightedTerm],
        limit: int,
        *,
        document_ids: Sequence[str] | None = None,
        include_off: bool = False,
    ) -> list[tuple[int, float]]:
        """(key, score) of the best `limit` chunks matching any term (switched-off ones only when
        asked), by the candidate fields' boosted BM25."""
        searcher = self._index.searcher()
        query = self._query(searcher, terms, FIELD_BOOSTS)
        if query is None or limit <= 0:
            return []
        filters: list[tuple[tantivy.Occur, tantivy.Query]] = [(tantivy.Occur.Must, query)]
        if not include_off:
            filters.append((tantivy.Occur.MustNot, tantivy.Query.term_query(self._schema, "off", 1)))
        if document_ids is not None:
            filters.append(
                (tantivy.Occur.Must, tantivy.Query.term_set_query(self._schema, "doc", list(document_ids)))
            )
        return self._run(searcher, filters, limit)

    def scores(self, terms: Sequence[WeightedTerm], keys: Collection[int]) -> dict[int, float]:
        """The scoring fields' BM25 of those chunks (absent: no term matches)."""
        searcher = self._index.searcher()
        query = self._query(searcher, terms, SCORING_FIELDS)
        if query is None or not keys:
            return {}
        restricted = [
            (tantivy.Occur.Must, query),
            (tantivy.Occur.Must, tantivy.Query.const_score_query(self._keys_query(keys), KEY_MATCH_SCORE)),
        ]
        return dict(self._run(searcher, restricted, len(keys)))

    def _keys_query(self, keys: Collection[int]) -> tantivy.Query:
        """Matches the chunks with those keys. A term-set query over the numeric key field costs
        a millisecond or more whatever the number of keys; one term query per key is three times
        faster for a hundred keys, but building them costs more than that beyond a few hundred."""
        if len(keys) > KEY_TERM_QUERIES:
            return tantivy.Query.term_set_query(self._schema, "key", list(keys))
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "key", key)) for key in keys]
        )

    def _run(
        self, searcher: tantivy.Searcher, clauses: list[tuple[tantivy.Occur, tantivy.Query]], limit: int
    ) -> list[tuple[int, float]]:
        """Hits as (key, BM25 divided by the largest IDF a word can have in this index), so a rare
        word weighs about the same in a dataset of ten chunks as in one of a million (as RAGFlow's
        `*_tks` similarity normalises IDF)."""
        hits = searcher.search(tantivy.Query.boolean_query(clauses), limit, count=False).hits
        keys = searcher.fast_field_values("key", [addr for _, addr in hits])
        largest_idf = math.log(1 + (max(searcher.num_docs, 1) - 0.5) / 1.5)
        return [(int(key), float(score) / largest_idf) for (score, _), key in zip(hits, keys, strict=True)]

    def _query(
        self, searcher: tantivy.Searcher, terms: Sequence[WeightedTerm], fields: Mapping[str, float]
    ) -> tantivy.Query | None:
        """Each term scores its best field, times the term's weight; a chunk's score is the sum
        over terms. Words common to most chunks are left out (`COMMON_WORD_SHARE`)."""
        common = COMMON_WORD_SHARE * searcher.num_docs
        frequency = {t.token: searcher.doc_freq("content_ltks", t.token) for t in terms}
        kept = [t for t in terms if frequency[t.token] <= common] or sorted(
            terms, key=lambda t: frequency[t.token]
        )[:1]
        clauses = [
            tantivy.Query.boost_query(
                tantivy.Query.disjunction_max_query(
                    [
                        tantivy.Query.boost_query(
                            tantivy.Query.term_query(self._schema, name, term.token), weight
                        )
                        for name, weight in fields.items()
                    ]
                ),
                term.weight,
            )
            for term in kept
        ]
        if not clauses:
            return None
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in clauses])
