"""Retrieval for callers: which datasets and documents they may search, the query-side options
(LLM keywords, translation, metadata filters, reranking), then hybrid search (pipeline spec §6)."""

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from citeflow.core.errors import CiteflowError, DataError
from citeflow.db import Database
from citeflow.db.accounts import TenantRepo
from citeflow.db.cache import VersionedCache
from citeflow.db.datasets import DatasetRepo
from citeflow.db.documents import DocumentRepo
from citeflow.db.models import Dataset
from citeflow.llm import GenConf, Message, split_model_id
from citeflow.search import Ranking, RetrievalRequest, RetrievalResult, Retriever
from citeflow.services.access import owned_datasets
from citeflow.services.caller import Caller
from citeflow.services.datasets import DatasetService
from citeflow.services.embedding import Embedder
from citeflow.services.metadata_filter import matching_documents
from citeflow.services.models import ModelService

log = logging.getLogger(__name__)

DIFFERENT_MODELS = 'Datasets use different embedding models."'
#: Most characters of a question that are searched; longer questions are cut.
MAX_QUESTION_CHARS = 4096
#: Most candidates one request may ask the vector index for.
MAX_TOP_K = 4096
MAX_PAGE_SIZE = 1024

KEYWORD_PROMPT = """## Role
You are a text analyzer.
## Task
Extract the most important keywords/phrases of a given piece of text content.
## Requirements
- Summarize the text content, and give the top {topn} important keywords/phrases.
- The keywords MUST be in the same language as the given piece of text content.
- The keywords are delimited by ENGLISH COMMA.
- Output keywords ONLY.
---
## Text Content
{content}
"""

TRANSLATE_PROMPT = """Translate the user's text into each of these languages: {languages}.
Output one translation per language, in that order, separated by a line holding only ###.
Output the translations only, nothing else."""


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """What a caller asks of a search, already parsed into numbers."""

    question: str
    ranking: Ranking = field(default_factory=Ranking)
    rerank_id: str | None = None
    keyword: bool = False
    cross_languages: Sequence[str] = ()
    document_ids: Sequence[str] = ()
    #: RAGFlow-style filters `{"key", "op", "value"}`; applied when `document_ids` is empty.
    metadata_filters: Sequence[dict[str, Any]] = field(default_factory=list)
    #: Count the whole window in `doc_aggs` (the web app's retrieval test).
    aggregate_window: bool = False


class RetrievalService:
    def __init__(
        self,
        db: Database,
        models: ModelService,
        embedder: Embedder,
        retriever: Retriever,
        datasets: DatasetService,
    ) -> None:
        self._db = db
        self._models = models
        self._embedder = embedder
        self._retriever = retriever
        self._datasets = datasets
        self._owned: VersionedCache[list[Dataset]] = VersionedCache(db)

    def team_datasets(self, caller: Caller, dataset_ids: Sequence[object]) -> list[Dataset]:
        """The datasets, each of which the caller's tenants must own (`owned_datasets`); cached
        between commits, as every search asks."""

        def load() -> list[Dataset]:
            with self._db.read() as s:
                return owned_datasets(s, caller, dataset_ids)

        if not all(isinstance(i, str) for i in dataset_ids):
            return load()
        return self._owned.get((caller, tuple(dataset_ids)), load)

    @staticmethod
    def same_embedding(datasets: Sequence[Dataset]) -> None:
        if len({split_model_id(d.embd_id)[0] for d in datasets}) > 1:
            raise DataError(DIFFERENT_MODELS)

    def foreign_document(self, datasets: Sequence[Dataset], document_ids: Sequence[object]) -> object | None:
        """The first id that is not a document of these datasets, if any."""
        if not document_ids:
            return None
        wanted = [d for d in document_ids if isinstance(d, str)]
        with self._db.read() as s:
            owners = {d.id: d.dataset_id for d in DocumentRepo(s).with_ids(wanted)}
        ids = {d.id for d in datasets}
        return next((d for d in document_ids if not isinstance(d, str) or owners.get(d) not in ids), None)

    def document_metadata(self, document_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """`{document id: meta_fields}` of those documents."""
        with self._db.read() as s:
            return {
                d.id: json.loads(d.meta_fields or "{}") for d in DocumentRepo(s).with_ids(set(document_ids))
            }

    def search(self, caller: Caller, datasets: Sequence[Dataset], options: SearchOptions) -> RetrievalResult:
        if not options.question:
            return RetrievalResult(0, [], [])
        ranking = options.ranking
        if ranking.top_k <= 0:
            raise CiteflowError(repr(ValueError(f"[k] must be greater than 0, got top_k={ranking.top_k}")))
        document_ids: list[str] | None = list(options.document_ids) or None
        if document_ids is None and options.metadata_filters:
            chosen = matching_documents(
                self._datasets.document_meta([d.id for d in datasets]), options.metadata_filters
            )
            if chosen is not None:
                if not chosen:
                    return RetrievalResult(0, [], [])
                document_ids = sorted(chosen)
        question = options.question[:MAX_QUESTION_CHARS]
        if options.cross_languages:
            question = self._translate(caller, question, options.cross_languages)
        if options.keyword:
            question += self._keywords(caller, question)
        rerank = None
        if options.rerank_id:
            model = self._rerank_model(caller, options.rerank_id)
            rerank = model.rerank
        first = datasets[0]
        vector = self._embedder.query_vector(first.tenant_id, first.embd_id, question)
        tag_datasets, top_tags = self._tag_datasets(datasets)
        return self._retriever.retrieve(
            RetrievalRequest(
                question=question,
                dataset_ids=[d.id for d in datasets],
                query_vector=vector,
                ranking=replace(
                    ranking,
                    page=max(ranking.page, 1),
                    page_size=min(max(ranking.page_size, 1), MAX_PAGE_SIZE),
                    top_k=min(ranking.top_k, MAX_TOP_K),
                ),
                document_ids=document_ids,
                pagerank={d.id: float(d.pagerank) for d in datasets if d.pagerank},
                rerank=rerank,
                aggregate_window=options.aggregate_window,
                tag_dataset_ids=tag_datasets,
                top_tags=top_tags,
            )
        )

    def _tag_datasets(self, datasets: Sequence[Dataset]) -> tuple[list[str], int]:
        """The tag datasets the searched datasets name (those of the same tenant), and how many
        tags a question keeps (`topn_tags`, 3 by default)."""
        named: dict[str, str] = {}
        top_n = 3
        for d in datasets:
            config = json.loads(d.parser_config or "{}")
            ids = config.get("tag_kb_ids")
            if isinstance(ids, list):
                named.update((i, d.tenant_id) for i in ids if isinstance(i, str))
                top_n = int(config.get("topn_tags") or top_n)
        if not named:
            return [], top_n
        with self._db.read() as s:
            rows = DatasetRepo(s).with_ids(list(named))
        return [r.id for r in rows if r.tenant_id == named[r.id]], top_n

    def _rerank_model(self, caller: Caller, rerank_id: str) -> Any:
        try:
            return self._models.rerank_model(caller.tenant_id, rerank_id)
        except DataError as exc:
            raise CiteflowError(repr(LookupError(f"Model({rerank_id}) not authorized"))) from exc

    def _chat(self, caller: Caller, system: str, user: str) -> str:
        with self._db.read() as s:
            tenant = TenantRepo(s).get(caller.tenant_id)
        llm_id = tenant.llm_id if tenant else None
        if not llm_id:
            raise DataError("No default chat model is set for the tenant.")
        model = self._models.chat_model(caller.tenant_id, llm_id)
        answer = model.complete([Message("system", system), Message("user", user)], GenConf(temperature=0.2))
        self._models.record_usage(caller.tenant_id, model.ref, answer.usage.total_tokens)
        return answer.text

    def _keywords(self, caller: Caller, question: str) -> str:
        """RAGFlow appends the LLM's top-3 keywords to the question text as they come."""
        return " " + self._chat(caller, KEYWORD_PROMPT.format(topn=3, content=question), "Output: ").strip()

    def _translate(self, caller: Caller, question: str, languages: Sequence[str]) -> str:
        answer = self._chat(
            caller, TRANSLATE_PROMPT.format(languages=", ".join(map(str, languages))), question
        )
        translations = [t.strip() for t in answer.split("###") if t.strip()]
        return "\n".join(translations) or question
