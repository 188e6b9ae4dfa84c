"""Retrieval over real HTTP: `POST /api/v1/retrieval`, `POST /api/v1/dify/retrieval` and
`POST /v1/chunk/retrieval_test`, against a small corpus written through the add-chunk API.

The contract is RAGFlow v0.20.5's: SDK spec §6-R (checks in their order, defaults, result shape),
§6.1 (`metadata_condition`), §3.3c (the retrieval chunk's keys), §18 (Dify: its own authentication,
the 101 missing-arguments envelope, the raw `{"records": [...]}` body), web spec §7
`/chunk/retrieval_test` (its own defaults, 102/103 refusals, `labels`, `kb_id` as a string or a
list, `doc_ids`, `highlight`), and pipeline spec §6 (scoring, thresholds, paging, `doc_aggs`,
highlighting, keyword and cross-language rewriting, rerank).

citeflow's decisions pinned here (from the spec's Recommendations):
* Dify retrieval needs team access to `knowledge_id` (else HTTP 404 `Knowledgebase not found!`);
  an absent, `{}` or `null` `metadata_condition` searches everything, conditions that match no
  document give `{"records": []}`.
* `/api/v1/retrieval`'s `metadata_condition` really filters (conditions matching no document → no
  chunks); a condition on a key no document has is ignored.
* `highlight` is on unless it is the string `"False"`/`"false"`; then every chunk has `highlight`.
* similarity = vw·vector + (1 - vw)·term (no pagerank here): vw 0 and 1 are identities; with a
  rerank model `vector_similarity` is the rerank score.
* bad numbers are code 100 naming the value (`top_k` ≤ 0: `must be greater than 0`), huge `top_k`
  and `page_size` work, an empty question gives `{"chunks": [], "doc_aggs": {}, "total": 0}`,
  datasets with different embedding models are 102 `Datasets use different embedding models."`.
* identifiers are found whole and by parts (`PPR-9087`, `9087`); Chinese by a Chinese question.

The corpus (module-scoped, one tenant with the fake provider's models, another for isolation):
`science` holds biology.txt and space.txt, `history` holds history.txt, `elsewhere` uses the fake
provider's embedding model, `scratch` is for the availability switch; Bob has his own dataset.
"""

import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from citeflow.search.tokenizer import tokenize
from tests.chunks import add_chunk, chunks_path, new_dataset, new_document
from tests.conftest import RunningServer, Tenant, as_other_tenant
from tests.envelopes import BAD_KEY, EMPTY_AUTH, NOT_OWNER, UNAUTHORIZED, envelope, missing, ok, sdk_ok
from tests.fake_providers import GOOD_KEY, FakeProvider, fake_score
from tests.tenants import open_tenant

RETRIEVAL = "/api/v1/retrieval"
DIFY = "/api/v1/dify/retrieval"
RETRIEVAL_TEST = "/v1/chunk/retrieval_test"

CHAT_MODEL = "gpt-4o@OpenAI"
OTHER_EMBEDDING = "text-embedding-3-small@OpenAI"
RERANK_MODEL = "jina-reranker-v2-base-multilingual@Jina"

#: §3.3c: a retrieval chunk's keys (plus `highlight` when highlighting is on).
CHUNK_KEYS = {
    "id",
    "content",
    "content_ltks",
    "document_id",
    "document_keyword",
    "dataset_id",
    "important_keywords",
    "image_id",
    "similarity",
    "vector_similarity",
    "term_similarity",
    "positions",
    "doc_type_kwd",
}
#: The `/retrieval_test` names (web spec §7) of the retrieval chunk's fields (§3.3c) that differ.
WEB_NAMES = {
    "id": "chunk_id",
    "content": "content_with_weight",
    "document_id": "doc_id",
    "document_keyword": "docnm_kwd",
    "dataset_id": "kb_id",
    "important_keywords": "important_kwd",
}
#: Web spec §7: a `/chunk/retrieval_test` chunk's keys (plus `highlight` when requested).
WEB_CHUNK_KEYS = {WEB_NAMES.get(key, key) for key in CHUNK_KEYS}
DIFFERENT_MODELS = {"code": 102, "message": 'Datasets use different embedding models."'}
EMPTY_RESULT = {"chunks": [], "doc_aggs": {}, "total": 0}

#: Where each document lives and the `meta_fields` it gets (SDK document update, §5-U).
DOCUMENTS = {
    "biology.txt": ("science", {"topic": "biology", "year": 2021}),
    "space.txt": ("science", {"topic": "astronomy", "year": 2023}),
    "history.txt": ("history", {"topic": "history", "year": 2019}),
    "notes.txt": ("elsewhere", {}),
    "scratch.txt": ("scratch", {}),
}
PHOTOSYNTHESIS = (
    "Photosynthesis: green leaves capture sunlight and turn water and carbon dioxide into sugar and oxygen."
)
MITOCHONDRIA = "Mitochondria break down glucose to release energy for the cell through respiration."
AQUEDUCT = "Roman engineers built aqueducts that carried fresh water across valleys into the cities."
ZORBLAX = "The harbour museum keeps a zorblax, a rare brass instrument once used by lighthouse keepers."
TICKET = "Ticket PPR-9087 tracks the broken pressure valve on the old steam pump."
ERUPTION = "The island's peak erupted twice last century and covered the farms in grey ash."
JUPITER = "Jupiter is the largest planet of the solar system, a gas giant with a great red storm."
EVEREST = "It rises 8849 metres above sea level on the border of Nepal and China."
GREAT_WALL = "长城是中国古代修建的军事防御工程，全长两万多公里。"  # noqa: RUF001
QUOKKA = "Quokkas are small marsupials that live on Rottnest Island."
GLIMMERWICK = "A glimmerwick is the wick of a lantern that glows without a flame."
PLAIN = "Nothing to see in this line about ordinary paper clips."

#: (label, document, content, important_keywords, questions), added in this order.
CHUNKS = [
    ("photosynthesis", "biology.txt", PHOTOSYNTHESIS, [], []),
    ("mitochondria", "biology.txt", MITOCHONDRIA, ["cell"], []),
    ("aqueduct", "history.txt", AQUEDUCT, [], []),
    ("zorblax", "history.txt", ZORBLAX, [], []),
    ("ticket", "history.txt", TICKET, [], []),
    ("eruption", "history.txt", ERUPTION, ["volcano"], []),
    ("jupiter", "space.txt", JUPITER, [], []),
    ("everest", "space.txt", EVEREST, [], ["What is the tallest mountain on Earth?"]),
    ("great_wall", "space.txt", GREAT_WALL, [], []),
    ("quokka", "notes.txt", QUOKKA, [], []),
    ("glimmerwick", "scratch.txt", GLIMMERWICK, [], []),
    ("plain", "scratch.txt", PLAIN, [], []),
]
PLANTS = "how do plants make energy from sunlight"
#: Words of biology.txt, history.txt and space.txt: every document has a chunk that matches.
BROAD = "sunlight water zorblax jupiter energy metres"


@dataclass
class Corpus:
    url: str
    alice: Tenant
    bob: Tenant
    datasets: dict[str, str] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    chunks: dict[str, str] = field(default_factory=dict)
    #: Bob's own dataset, document and chunk (it mentions a zorblax too).
    bobs_dataset: str = ""
    bobs_document: str = ""
    bobs_chunk: str = ""

    def doc(self, name: str) -> str:
        return self.documents[name]

    def ds(self, name: str) -> str:
        return self.datasets[name]


# helpers -----------------------------------------------------------------------------------------
def set_available(corpus: Corpus, label: str, document: str, available: bool) -> None:
    dataset = corpus.ds(DOCUMENTS[document][0])
    path = f"{chunks_path(dataset, corpus.doc(document))}/{corpus.chunks[label]}"
    assert sdk_ok(corpus.alice.sdk.put(path, json={"available": available})) is None


def web_post(tenant: Tenant, path: str, body: Any) -> dict[str, Any]:
    reply = tenant.web.post(path, json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def retrieve(tenant: Tenant, body: Any) -> dict[str, Any]:
    """The SDK retrieval answer, whatever it is (HTTP 200 always)."""
    reply = tenant.sdk.post(RETRIEVAL, json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def search(tenant: Tenant, datasets: list[str], question: str, **options: Any) -> dict[str, Any]:
    """A successful SDK retrieval's `data`, checked against the invariants of §6-R and §3.3c."""
    data = sdk_ok(tenant.sdk.post(RETRIEVAL, json={"dataset_ids": datasets, "question": question, **options}))
    if question:
        check_ranked(data, float(options.get("similarity_threshold", 0.2)))
    return data


def check_ranked(data: dict[str, Any], threshold: float) -> None:
    assert set(data) == {"chunks", "doc_aggs", "total"}, data
    chunks = data["chunks"]
    sims = [c["similarity"] for c in chunks]
    assert sims == sorted(sims, reverse=True), sims
    assert all(s >= threshold - 1e-9 for s in sims), (threshold, sims)
    assert isinstance(data["total"], int)
    assert data["total"] >= len(chunks)
    assert isinstance(data["doc_aggs"], list), data["doc_aggs"]
    counts = [agg["count"] for agg in data["doc_aggs"]]
    assert counts == sorted(counts, reverse=True), data["doc_aggs"]
    for agg in data["doc_aggs"]:
        assert set(agg) == {"doc_name", "doc_id", "count"}, agg
    for chunk in chunks:
        assert set(chunk) - {"highlight"} == CHUNK_KEYS, chunk
        for key in ("similarity", "vector_similarity", "term_similarity"):
            assert isinstance(chunk[key], float | int), chunk
            assert math.isfinite(chunk[key]), chunk


def ids(data: dict[str, Any]) -> list[str]:
    return [c["id"] for c in data["chunks"]]


def documents_of(data: dict[str, Any]) -> set[str]:
    return {c["document_id"] for c in data["chunks"]}


def web_search(tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    data = ok(tenant.web.post(RETRIEVAL_TEST, json=body))
    assert set(data) == {"total", "chunks", "doc_aggs", "labels"}, data
    sims = [c["similarity"] for c in data["chunks"]]
    assert sims == sorted(sims, reverse=True), sims
    for chunk in data["chunks"]:
        assert set(chunk) - {"highlight"} == WEB_CHUNK_KEYS, chunk
    return data


def check_zorblax(top: dict[str, Any], corpus: Corpus, keys: set[str], names: dict[str, str]) -> None:
    """`top` is history.txt's zorblax chunk with exactly `keys`, its fields named as `names` renames them."""
    assert set(top) == keys
    expected = {
        "id": corpus.chunks["zorblax"],
        "content": ZORBLAX,
        "document_id": corpus.doc("history.txt"),
        "document_keyword": "history.txt",
        "dataset_id": corpus.ds("history"),
        "important_keywords": [],
        "image_id": "",
        "positions": [],
        "doc_type_kwd": "",
    }
    for field_name, value in expected.items():
        assert top[names.get(field_name, field_name)] == value, (field_name, top)
    assert set(tokenize(ZORBLAX).split()) <= set(top["content_ltks"].split())


def highlighted_zorblax(corpus: Corpus, data: dict[str, Any], on: bool, id_key: str) -> dict[str, Any] | None:
    """The zorblax chunk with its word marked if highlighting is `on`, else None once no chunk has one."""
    assert data["chunks"]
    if not on:
        assert all("highlight" not in c for c in data["chunks"])
        return None
    assert all(isinstance(c.get("highlight"), str) for c in data["chunks"]), data["chunks"]
    (top,) = [c for c in data["chunks"] if c[id_key] == corpus.chunks["zorblax"]]
    assert re.search(r"<em>zorblax</em>", top["highlight"], re.IGNORECASE), top["highlight"]
    return top


def route_id(value: Any) -> str | None:
    """Short test ids for the two search routes; other parameters keep pytest's own ids."""
    return {RETRIEVAL: "sdk", RETRIEVAL_TEST: "retrieval_test"}.get(value)


def ask(corpus: Corpus, route: str, **fields: Any) -> dict[str, Any]:
    """`route`'s raw answer (SDK retrieval or `/retrieval_test`) to "zorblax" over both datasets."""
    if route == RETRIEVAL:
        return retrieve(corpus.alice, {"dataset_ids": both(corpus), "question": "zorblax", **fields})
    return web_post(corpus.alice, RETRIEVAL_TEST, {"kb_id": both(corpus), "question": "zorblax", **fields})


def check_refused_naming(answer: dict[str, Any], text: str) -> None:
    """An exception envelope whose message names `text`, so the caller learns what was wrong."""
    assert answer["code"] == 100, answer
    assert text in answer["message"], answer


def dify(corpus: Corpus, tenant: Tenant | None, body: Any, authorization: str = "") -> httpx.Response:
    """A Dify retrieval with `tenant`'s key, or with the `authorization` header given."""
    headers = (
        {"Authorization": authorization or f"Bearer {tenant.api_key}"} if tenant or authorization else {}
    )
    return httpx.post(f"{corpus.url}{DIFY}", json=body, headers=headers, timeout=30)


def records(corpus: Corpus, body: dict[str, Any], tenant: Tenant | None = None) -> list[dict[str, Any]]:
    reply = dify(corpus, tenant or corpus.alice, body)
    assert reply.status_code == 200, reply.text
    answer = reply.json()
    assert set(answer) == {"records"}, answer
    scores = [r["score"] for r in answer["records"]]
    assert scores == sorted(scores, reverse=True), scores
    for record in answer["records"]:
        assert set(record) == {"content", "score", "title", "metadata"}, record
    return answer["records"]


def resolve(value: Any, corpus: Corpus) -> Any:
    """Replace `<name>` placeholders of a parametrized body by the corpus's ids."""
    if isinstance(value, dict):
        return {k: resolve(v, corpus) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, corpus) for v in value]
    if isinstance(value, str):
        return re.sub(r"<([a-z_.]+)>", lambda m: placeholder(m.group(1), corpus), value)
    return value


UNKNOWN_ID = uuid.uuid1().hex


def placeholder(name: str, corpus: Corpus) -> str:
    if name == "unknown":
        return UNKNOWN_ID
    if name == "bobs":
        return corpus.bobs_dataset
    if name == "bobs_doc":
        return corpus.bobs_document
    if name in corpus.documents:
        return corpus.documents[name]
    return corpus.datasets[name]


# the corpus --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus(server: RunningServer, fake_provider: FakeProvider) -> Iterator[Corpus]:
    with open_tenant(server, "rt-alice") as alice, open_tenant(server, "rt-bob") as bob:
        # The fake provider's OpenAI models (chat and embedding) and Jina's reranker, for Alice.
        for factory in ("OpenAI", "Jina"):
            key = {"llm_factory": factory, "api_key": GOOD_KEY, "base_url": fake_provider.openai_url}
            assert web_post(alice, "/v1/llm/set_api_key", key)["code"] == 0
        info = ok(alice.web.get("/v1/user/tenant_info"))
        settings = {k: info[k] for k in ("tenant_id", "asr_id", "embd_id", "img2txt_id")}
        assert ok(alice.web.post("/v1/user/set_tenant_info", json={**settings, "llm_id": CHAT_MODEL}))

        found = Corpus(server.url, alice, bob)
        for name in ("science", "history", "scratch"):
            found.datasets[name] = new_dataset(alice, "retrieval")
        found.datasets["elsewhere"] = new_dataset(alice, "retrieval", embedding_model=OTHER_EMBEDDING)
        for document, (dataset, meta) in DOCUMENTS.items():
            doc_id = new_document(alice, found.ds(dataset), document, f"text of {document}\n".encode())
            found.documents[document] = doc_id
            if meta:
                path = f"/api/v1/datasets/{found.ds(dataset)}/documents/{doc_id}"
                assert sdk_ok(alice.sdk.put(path, json={"meta_fields": meta}))["meta_fields"] == meta
        for label, document, content, keywords, questions in CHUNKS:
            dataset = found.ds(DOCUMENTS[document][0])
            chunk = add_chunk(
                alice, dataset, found.doc(document), content, important_keywords=keywords, questions=questions
            )
            found.chunks[label] = chunk["id"]

        found.bobs_dataset = new_dataset(bob, "retrieval")
        found.bobs_document = new_document(bob, found.bobs_dataset, "bob.txt", b"text of bob.txt\n")
        found.bobs_chunk = add_chunk(
            bob, found.bobs_dataset, found.bobs_document, "Bob keeps his own zorblax in a drawer."
        )["id"]
        yield found


@pytest.fixture
def fake(fake_provider: FakeProvider) -> FakeProvider:
    fake_provider.reset()
    return fake_provider


def both(corpus: Corpus) -> list[str]:
    return [corpus.ds("science"), corpus.ds("history")]


# /api/v1/retrieval: authentication and the checks, in their order --------------------------------
def test_retrieval_needs_an_api_key(server, corpus):
    body = {"dataset_ids": [corpus.ds("science")], "question": "zorblax"}
    with server.client() as anonymous:
        assert anonymous.post(RETRIEVAL, json=body).json() == EMPTY_AUTH
    with server.client(Authorization="Bearer") as malformed:
        assert malformed.post(RETRIEVAL, json=body).json() == {
            "code": 0,
            "data": False,
            "message": "Please check your authorization format.",
        }
    with server.client(Authorization="Bearer ragflow-nope") as stranger:
        assert stranger.post(RETRIEVAL, json=body).json() == BAD_KEY


def refusal(message: str) -> dict[str, Any]:
    return {"code": 102, "message": message}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({}, refusal("`dataset_ids` is required."), id="nothing"),
        pytest.param({"question": "x"}, refusal("`dataset_ids` is required."), id="no-datasets"),
        pytest.param(
            {"dataset_ids": [], "question": "x"}, refusal("`dataset_ids` is required."), id="empty-list"
        ),
        pytest.param(
            {"dataset_ids": None, "question": "x"}, refusal("`dataset_ids` is required."), id="null"
        ),
        pytest.param(
            {"dataset_ids": "", "question": "x"}, refusal("`dataset_ids` is required."), id="empty-string"
        ),
        pytest.param(
            {"dataset_ids": "<science>", "question": "x"},
            refusal("`dataset_ids` should be a list"),
            id="a-string",
        ),
        pytest.param(
            {"dataset_ids": {"id": "<science>"}}, refusal("`dataset_ids` should be a list"), id="an-object"
        ),
        pytest.param(
            {"dataset_ids": ["<unknown>"]},
            refusal("You don't own the dataset <unknown>."),
            id="unknown-before-question",
        ),
        pytest.param(
            {"dataset_ids": ["<science>", "<bobs>"], "question": "x"},
            refusal("You don't own the dataset <bobs>."),
            id="another-tenants",
        ),
        pytest.param(
            {"dataset_ids": ["<science>", "<unknown>", "<elsewhere>"]},
            refusal("You don't own the dataset <unknown>."),
            id="access-before-models",
        ),
        pytest.param(
            {"dataset_ids": ["<science>", "<elsewhere>"]}, DIFFERENT_MODELS, id="models-before-question"
        ),
        pytest.param(
            {"dataset_ids": ["<elsewhere>", "<history>"], "question": "x"}, DIFFERENT_MODELS, id="models"
        ),
        pytest.param(
            {"dataset_ids": ["<science>"], "document_ids": "x"},
            refusal("`question` is required."),
            id="question-before-documents",
        ),
        pytest.param(
            {"dataset_ids": ["<science>"], "question": "x", "document_ids": "<biology.txt>"},
            refusal("`documents` should be a list"),
            id="documents-a-string",
        ),
        pytest.param(
            {"dataset_ids": ["<science>"], "question": "x", "document_ids": ["<history.txt>"]},
            refusal("The datasets don't own the document <history.txt>"),
            id="own-document-of-another-dataset",
        ),
        pytest.param(
            {"dataset_ids": ["<science>"], "question": "x", "document_ids": ["<biology.txt>", "<unknown>"]},
            refusal("The datasets don't own the document <unknown>"),
            id="unknown-document",
        ),
        pytest.param(
            {"dataset_ids": ["<science>"], "question": "x", "document_ids": ["<bobs_doc>"]},
            refusal("The datasets don't own the document <bobs_doc>"),
            id="another-tenants-document",
        ),
    ],
)
def test_retrieval_checks_in_ragflows_order(corpus, body, expected):
    assert retrieve(corpus.alice, resolve(body, corpus)) == resolve(expected, corpus)


@pytest.mark.parametrize(
    ("content", "pytype"),
    [
        pytest.param(b"null", "NoneType", id="null"),
        pytest.param(b"", "NoneType", id="empty"),
        pytest.param(b"{nope", "NoneType", id="invalid-json"),
        pytest.param(b"[]", "list", id="a-list"),
        pytest.param(b'"dataset_ids"', "str", id="a-string"),
    ],
)
def test_a_body_that_is_not_an_object_is_an_exception_envelope(corpus, content, pytype):
    """Lenient JSON (§1.2): the handler's first `req.get` fails on what it got."""
    reply = corpus.alice.sdk.post(RETRIEVAL, content=content, headers={"Content-Type": "application/json"})
    assert reply.status_code == 200
    assert reply.json() == {
        "code": 100,
        "data": None,
        "message": f"AttributeError(\"'{pytype}' object has no attribute 'get'\")",
    }


def test_another_tenants_datasets_and_documents_are_refused_and_never_leak(corpus):
    alice, bob = corpus.alice, corpus.bob
    request = alice.sdk.build_request(
        "POST", RETRIEVAL, json={"dataset_ids": both(corpus), "question": "zorblax"}
    )
    replayed = as_other_tenant(request, bob)
    assert replayed.json() == refusal(f"You don't own the dataset {corpus.ds('science')}.")
    mixed = {"dataset_ids": [corpus.bobs_dataset, corpus.ds("history")], "question": "zorblax"}
    assert retrieve(bob, mixed) == refusal(f"You don't own the dataset {corpus.ds('history')}.")
    borrowed = {
        "dataset_ids": [corpus.bobs_dataset],
        "question": "zorblax",
        "document_ids": [corpus.doc("history.txt")],
    }
    assert retrieve(bob, borrowed) == refusal(
        f"The datasets don't own the document {corpus.doc('history.txt')}"
    )
    # Each tenant finds only its own zorblax.
    mine = search(bob, [corpus.bobs_dataset], "zorblax", similarity_threshold=0)
    assert ids(mine) == [corpus.bobs_chunk]
    assert {c["dataset_id"] for c in mine["chunks"]} == {corpus.bobs_dataset}
    theirs = search(alice, both(corpus), "zorblax", similarity_threshold=0)
    assert corpus.bobs_chunk not in ids(theirs)
    assert {c["dataset_id"] for c in theirs["chunks"]} <= set(both(corpus))
    assert ids(theirs)[0] == corpus.chunks["zorblax"]


# /api/v1/retrieval: what comes back ---------------------------------------------------------------
def test_a_retrieval_chunk_has_exactly_the_documented_keys(corpus):
    data = search(corpus.alice, both(corpus), "zorblax", highlight="false")
    top = data["chunks"][0]
    check_zorblax(top, corpus, CHUNK_KEYS, {})
    assert top["content_ltks"] == top["content_ltks"].lower()
    assert data["doc_aggs"][0] == {"doc_name": "history.txt", "doc_id": corpus.doc("history.txt"), "count": 1}


def test_the_vector_side_finds_a_paraphrase(corpus):
    """The photosynthesis chunk shares one word with the question; meaning puts it first."""
    for weight in (1, 0.3):
        data = search(
            corpus.alice, both(corpus), PLANTS, vector_similarity_weight=weight, similarity_threshold=0
        )
        assert ids(data)[0] == corpus.chunks["photosynthesis"], (weight, data["chunks"][:2])
    vectors = search(corpus.alice, both(corpus), PLANTS, vector_similarity_weight=1, similarity_threshold=0)
    by_id = {c["id"]: c["vector_similarity"] for c in vectors["chunks"]}
    assert by_id[corpus.chunks["photosynthesis"]] > by_id[corpus.chunks["mitochondria"]]


@pytest.mark.parametrize(
    ("question", "label"),
    [
        pytest.param("zorblax", "zorblax", id="rare-word"),
        pytest.param("ZORBLAX", "zorblax", id="rare-word-upper-case"),
        pytest.param("PPR-9087", "ticket", id="identifier-whole"),
        pytest.param("ppr-9087", "ticket", id="identifier-lower-case"),
        pytest.param("9087", "ticket", id="identifier-number"),
        pytest.param("volcano", "eruption", id="important-keyword"),
        pytest.param("tallest mountain on Earth", "everest", id="question-of-the-chunk"),
        pytest.param("中国的长城", "great_wall", id="chinese"),
        pytest.param("长城有多长", "great_wall", id="chinese-question"),
        pytest.param("ancient Roman aqueducts", "aqueduct", id="plural-and-stem"),
    ],
)
def test_the_term_side_finds_words_identifiers_keywords_questions_and_chinese(corpus, question, label):
    data = search(corpus.alice, both(corpus), question)
    assert ids(data)[:1] == [corpus.chunks[label]], data["chunks"][:2]


def test_the_empty_question_gives_an_empty_result(corpus):
    assert search(corpus.alice, both(corpus), "") == EMPTY_RESULT


def test_a_request_shaped_like_the_official_sdks_works(corpus):
    body = {
        "page": 1,
        "page_size": 30,
        "similarity_threshold": 0.2,
        "vector_similarity_weight": 0.3,
        "top_k": 1024,
        "rerank_id": None,
        "keyword": False,
        "question": "zorblax",
        "dataset_ids": both(corpus),
        "document_ids": [],
        "cross_languages": None,
        "metadata_condition": None,
    }
    data = sdk_ok(corpus.alice.sdk.post(RETRIEVAL, json=body))
    assert ids(data)[0] == corpus.chunks["zorblax"]


def test_document_ids_restrict_the_search(corpus):
    history = corpus.doc("history.txt")
    data = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0, document_ids=[history])
    assert data["chunks"]
    assert documents_of(data) == {history}
    assert [a["doc_id"] for a in data["doc_aggs"]] == [history]
    two = [history, corpus.doc("biology.txt")]
    data = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0, document_ids=two)
    assert documents_of(data) == set(two)
    # Chunks of a document only, even for words found elsewhere.
    data = search(corpus.alice, both(corpus), "jupiter", similarity_threshold=0, document_ids=[history])
    assert corpus.chunks["jupiter"] not in ids(data)


def test_pages_are_windows_of_one_ranking(corpus):
    everything = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0)
    ranking = ids(everything)
    assert len(ranking) >= 5
    assert everything["total"] == len(ranking)
    pages = []
    for page in range(1, len(ranking) // 2 + 2):
        data = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0, page=page, page_size=2)
        assert data["total"] == everything["total"]
        assert len(data["chunks"]) <= 2
        pages.extend(ids(data))
    assert pages == ranking
    beyond = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0, page=50, page_size=2)
    assert beyond["chunks"] == []


def test_the_similarity_threshold_drops_weaker_chunks_and_the_total_counts_the_rest(corpus):
    everything = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0)
    sims = sorted({c["similarity"] for c in everything["chunks"]}, reverse=True)
    assert len(sims) >= 3
    threshold = (sims[1] + sims[2]) / 2
    expected = [c["id"] for c in everything["chunks"] if c["similarity"] >= threshold]
    data = search(corpus.alice, both(corpus), BROAD, similarity_threshold=threshold)
    assert ids(data) == expected
    assert data["total"] == len(expected)
    assert search(corpus.alice, both(corpus), BROAD, similarity_threshold=sims[0] + 0.01)["chunks"] == []


def test_the_default_threshold_is_0_2(corpus):
    everything = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0)
    default = search(corpus.alice, both(corpus), BROAD)
    assert ids(default) == [c["id"] for c in everything["chunks"] if c["similarity"] >= 0.2]


@pytest.mark.parametrize("weight", [0, 1, 0.3, 0.7])
def test_similarity_mixes_vector_and_term_by_the_weight(corpus, weight):
    data = search(corpus.alice, both(corpus), PLANTS, similarity_threshold=0, vector_similarity_weight=weight)
    assert data["chunks"]
    for chunk in data["chunks"]:
        mixed = weight * chunk["vector_similarity"] + (1 - weight) * chunk["term_similarity"]
        assert chunk["similarity"] == pytest.approx(mixed, abs=1e-6), chunk
        if weight == 0:
            assert chunk["similarity"] == pytest.approx(chunk["term_similarity"], abs=1e-6)
        if weight == 1:
            assert chunk["similarity"] == pytest.approx(chunk["vector_similarity"], abs=1e-6)


def test_the_default_weight_is_0_3(corpus):
    default = search(corpus.alice, both(corpus), PLANTS, similarity_threshold=0)
    explicit = search(
        corpus.alice, both(corpus), PLANTS, similarity_threshold=0, vector_similarity_weight=0.3
    )
    assert [(c["id"], c["similarity"]) for c in default["chunks"]] == [
        (c["id"], c["similarity"]) for c in explicit["chunks"]
    ]


def test_doc_aggs_count_chunks_per_document_most_first(corpus):
    data = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0)
    per_document = Counter((c["document_keyword"], c["document_id"]) for c in data["chunks"])
    assert len(per_document) == 3
    assert {(a["doc_name"], a["doc_id"]): a["count"] for a in data["doc_aggs"]} == dict(per_document)
    # A page of two: every document on the page is counted, most chunks first.
    page = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0, page_size=2)
    counted = {a["doc_id"]: a["count"] for a in page["doc_aggs"]}
    for document, count in Counter(c["document_id"] for c in page["chunks"]).items():
        assert counted[document] >= count


@pytest.mark.parametrize(
    ("highlight", "on"),
    [
        pytest.param(None, True, id="absent"),
        pytest.param(True, True, id="true"),
        pytest.param(False, True, id="json-false-keeps-it-on"),
        pytest.param("True", True, id="string-True"),
        pytest.param("False", False, id="string-False"),
        pytest.param("false", False, id="string-false"),
    ],
)
def test_highlight_is_on_unless_the_string_false(corpus, highlight, on):
    options: dict[str, Any] = {"similarity_threshold": 0}
    if highlight is not None:
        options["highlight"] = highlight
    data = search(corpus.alice, both(corpus), "zorblax lighthouse", **options)
    top = highlighted_zorblax(corpus, data, on, "id")
    if top is not None:
        assert re.search(r"<em>lighthouse</em>", top["highlight"], re.IGNORECASE), top["highlight"]
        assert "<em>" not in top["content"]


def test_use_kg_without_a_graph_adds_nothing(corpus):
    plain = search(corpus.alice, both(corpus), "zorblax")
    with_kg = search(corpus.alice, both(corpus), "zorblax", use_kg=True)
    assert ids(with_kg) == ids(plain)


# metadata_condition (§6.1) ------------------------------------------------------------------------
def condition(name: str, operator: str, value: Any) -> dict[str, Any]:
    return {"name": name, "comparison_operator": operator, "value": value}


ALL_THREE = {"biology.txt", "space.txt", "history.txt"}


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        pytest.param([condition("topic", "is", "biology")], {"biology.txt"}, id="is"),
        pytest.param([condition("topic", "=", "Biology")], set(), id="equals-is-case-sensitive"),
        pytest.param([condition("topic", "contains", "BIO")], {"biology.txt"}, id="contains"),
        pytest.param([condition("topic", "not contains", "o")], set(), id="not-contains-none"),
        pytest.param([condition("topic", "start with", "HIS")], {"history.txt"}, id="start-with"),
        pytest.param([condition("topic", "end with", "omy")], {"space.txt"}, id="end-with"),
        pytest.param([condition("topic", "not is", "history")], {"biology.txt", "space.txt"}, id="not-is"),
        pytest.param([condition("topic", "≠", "history")], {"biology.txt", "space.txt"}, id="not-equal"),
        pytest.param([condition("year", ">", 2020)], {"biology.txt", "space.txt"}, id="greater"),
        pytest.param([condition("year", "<", "2021")], {"history.txt"}, id="less-numeric-string"),
        pytest.param([condition("year", "≥", 2021)], {"biology.txt", "space.txt"}, id="at-least"),
        pytest.param([condition("year", "≤", 2021)], {"biology.txt", "history.txt"}, id="at-most"),
        pytest.param([condition("year", "=", "2023")], {"space.txt"}, id="numbers-compare-as-numbers"),
        pytest.param(
            [condition("year", ">", 2020), condition("topic", "end with", "omy")],
            {"space.txt"},
            id="conditions-are-and-ed",
        ),
        pytest.param([condition("topic", "is", "geology")], set(), id="nothing-matches"),
        pytest.param([condition("colour", "is", "red")], ALL_THREE, id="unknown-key-ignored"),
        pytest.param(
            [condition("colour", "is", "red"), condition("topic", "is", "biology")],
            {"biology.txt"},
            id="unknown-key-ignored-beside-a-real-one",
        ),
        pytest.param([], ALL_THREE, id="no-conditions"),
    ],
)
def test_metadata_condition_filters_documents(corpus, conditions, expected):
    data = search(
        corpus.alice,
        both(corpus),
        BROAD,
        similarity_threshold=0,
        metadata_condition={"logic": "and", "conditions": conditions},
    )
    assert documents_of(data) == {corpus.doc(name) for name in expected}
    if not expected:
        assert data["chunks"] == []
        assert data["total"] == 0


@pytest.mark.parametrize("value", [None, {}, {"conditions": []}], ids=["null", "empty", "no-conditions"])
def test_an_empty_metadata_condition_searches_everything(corpus, value):
    data = search(corpus.alice, both(corpus), BROAD, similarity_threshold=0, metadata_condition=value)
    assert documents_of(data) == {corpus.doc(name) for name in ALL_THREE}


def test_metadata_condition_is_ignored_when_documents_are_named(corpus):
    history = corpus.doc("history.txt")
    data = search(
        corpus.alice,
        both(corpus),
        BROAD,
        similarity_threshold=0,
        document_ids=[history],
        metadata_condition={"conditions": [condition("topic", "is", "biology")]},
    )
    assert data["chunks"]
    assert documents_of(data) == {history}


# availability, embedding models, rerank, LLM rewriting ------------------------------------------
def test_unavailable_chunks_are_never_retrieved(corpus):
    alice, scratch = corpus.alice, corpus.ds("scratch")
    wick = corpus.chunks["glimmerwick"]
    assert ids(search(alice, [scratch], "glimmerwick"))[:1] == [wick]
    set_available(corpus, "glimmerwick", "scratch.txt", False)
    try:
        assert wick not in ids(search(alice, [scratch], "glimmerwick", similarity_threshold=0))
        web = web_search(alice, {"kb_id": scratch, "question": "glimmerwick"})
        assert wick not in [c["chunk_id"] for c in web["chunks"]]
        found = records(corpus, {"knowledge_id": scratch, "query": "glimmerwick"})
        assert GLIMMERWICK not in [r["content"] for r in found]
    finally:
        set_available(corpus, "glimmerwick", "scratch.txt", True)
    assert ids(search(alice, [scratch], "glimmerwick"))[:1] == [wick]


def test_a_dataset_with_another_embedding_model_is_searched_alone_not_with_others(corpus, fake):
    elsewhere = corpus.ds("elsewhere")
    data = search(corpus.alice, [elsewhere], "quokkas on Rottnest Island", similarity_threshold=0)
    assert ids(data)[0] == corpus.chunks["quokka"]
    assert fake.sent("/embeddings"), "the question is embedded by the dataset's own model"
    for datasets in ([elsewhere, corpus.ds("science")], [corpus.ds("history"), elsewhere]):
        assert retrieve(corpus.alice, {"dataset_ids": datasets, "question": "quokka"}) == DIFFERENT_MODELS


def test_a_rerank_model_scores_the_chunks(corpus, fake):
    weight = 0.3
    data = search(
        corpus.alice,
        both(corpus),
        PLANTS,
        similarity_threshold=0,
        vector_similarity_weight=weight,
        rerank_id=RERANK_MODEL,
    )
    assert data["chunks"]
    sent = fake.sent("/rerank")
    assert sent, "the rerank model was not asked"
    scores = set()
    for request in sent:
        assert PLANTS in request.json["query"]
        texts = [d.get("text", "") if isinstance(d, dict) else str(d) for d in request.json["documents"]]
        scores |= {fake_score(request.json["query"], t) for t in texts}
    for chunk in data["chunks"]:
        assert any(chunk["vector_similarity"] == pytest.approx(s, abs=1e-6) for s in scores), chunk
        mixed = (1 - weight) * chunk["term_similarity"] + weight * chunk["vector_similarity"]
        assert chunk["similarity"] == pytest.approx(mixed, abs=1e-6), chunk


def test_an_unknown_rerank_model_is_an_exception_envelope(corpus):
    body = {"dataset_ids": both(corpus), "question": "zorblax", "rerank_id": "no-such-reranker@Jina"}
    answer = retrieve(corpus.alice, body)
    assert answer["code"] == 100, answer
    assert "chunks" not in json.dumps(answer)


def chat_requests(fake: FakeProvider) -> list[str]:
    """Everything the chat model was sent, one JSON text per request."""
    sent = fake.sent("/chat/completions")
    assert all(r.json["model"] == "gpt-4o" for r in sent), [r.json["model"] for r in sent]
    return [json.dumps(r.json["messages"], ensure_ascii=False) for r in sent]


def test_keyword_asks_the_tenants_chat_model_and_still_answers(corpus, fake):
    data = search(corpus.alice, both(corpus), PLANTS, similarity_threshold=0, keyword=True)
    prompts = chat_requests(fake)
    assert any(PLANTS in p for p in prompts), prompts
    assert ids(data)[0] == corpus.chunks["photosynthesis"]


def test_without_keyword_the_chat_model_is_not_asked(corpus, fake):
    search(corpus.alice, both(corpus), PLANTS, keyword=False, cross_languages=[])
    assert fake.sent("/chat/completions") == []


def test_cross_languages_has_the_question_translated_and_still_answers(corpus, fake):
    data = search(
        corpus.alice, both(corpus), PLANTS, similarity_threshold=0, cross_languages=["French", "German"]
    )
    prompts = chat_requests(fake)
    assert any(PLANTS in p and "French" in p and "German" in p for p in prompts), prompts
    assert corpus.chunks["photosynthesis"] in ids(data)


# bad input (decisions), on both routes ----------------------------------------------------------
@pytest.mark.parametrize(
    ("route", "name", "value"),
    [
        (RETRIEVAL, "page", "abc"),
        (RETRIEVAL, "page", "1.5"),
        (RETRIEVAL, "page_size", "many"),
        (RETRIEVAL, "page_size", "2.5"),
        (RETRIEVAL, "top_k", "lots"),
        (RETRIEVAL, "top_k", "10.5"),
        (RETRIEVAL, "similarity_threshold", "high"),
        (RETRIEVAL, "similarity_threshold", "nan"),
        (RETRIEVAL, "similarity_threshold", "inf"),
        (RETRIEVAL, "vector_similarity_weight", "heavy"),
        (RETRIEVAL, "vector_similarity_weight", "-inf"),
        (RETRIEVAL, "vector_similarity_weight", "NaN"),
        (RETRIEVAL_TEST, "page", "abc"),
        (RETRIEVAL_TEST, "size", "many"),
        (RETRIEVAL_TEST, "top_k", "lots"),
        (RETRIEVAL_TEST, "similarity_threshold", "high"),
        (RETRIEVAL_TEST, "similarity_threshold", "nan"),
        (RETRIEVAL_TEST, "vector_similarity_weight", "inf"),
    ],
    ids=route_id,
)
def test_bad_numbers_are_refused_naming_the_value(corpus, route, name, value):
    check_refused_naming(ask(corpus, route, **{name: value}), value)


@pytest.mark.parametrize("route", [RETRIEVAL, RETRIEVAL_TEST], ids=route_id)
@pytest.mark.parametrize("top_k", [0, -1])
def test_top_k_must_be_positive(corpus, route, top_k):
    check_refused_naming(ask(corpus, route, top_k=top_k), "must be greater than 0")


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"top_k": 10**9}, id="huge-top_k"),
        pytest.param({"page_size": 10**6}, id="huge-page_size"),
        pytest.param({"top_k": 1}, id="top_k-one"),
        pytest.param({"page": "1", "page_size": "30", "top_k": "1024"}, id="numeric-strings"),
        pytest.param({"similarity_threshold": "0.2", "vector_similarity_weight": "0.3"}, id="float-strings"),
    ],
)
def test_odd_but_valid_numbers_work(corpus, options):
    data = search(corpus.alice, both(corpus), "zorblax", **options)
    assert ids(data)[0] == corpus.chunks["zorblax"]


def test_a_10000_character_question_works(corpus):
    question = ("zorblax sunlight water " * 500)[:10_000]
    assert len(question) == 10_000
    data = search(corpus.alice, both(corpus), question, similarity_threshold=0)
    assert data["chunks"]


# /api/v1/dify/retrieval (§18) -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("authorization", "status", "expected"),
    [
        pytest.param(
            None,
            200,
            {
                "code": 100,
                "data": None,
                "message": "AttributeError(\"'NoneType' object has no attribute 'split'\")",
            },
            id="no-header",
        ),
        pytest.param(
            "Bearer",
            200,
            {"code": 100, "data": None, "message": "IndexError('list index out of range')"},
            id="one-word",
        ),
        pytest.param(
            "Bearer ragflow-nope", 403, {"code": 403, "message": "API-KEY is invalid!"}, id="bad-key"
        ),
    ],
)
def test_dify_authentication(server, corpus, authorization, status, expected):
    headers = {} if authorization is None else {"Authorization": authorization}
    body = {"knowledge_id": corpus.ds("history"), "query": "zorblax"}
    with server.client(**headers) as client:
        reply = client.post(DIFY, json=body)
    assert (reply.status_code, reply.json()) == (status, expected)


def test_dify_takes_any_scheme_word(corpus):
    body = {"knowledge_id": corpus.ds("history"), "query": "zorblax"}
    reply = dify(corpus, None, body, authorization=f"Token {corpus.alice.api_key}")
    assert reply.status_code == 200, reply.text
    assert reply.json()["records"][0]["content"] == ZORBLAX


@pytest.mark.parametrize(
    ("body", "names"),
    [
        pytest.param({}, ("knowledge_id", "query"), id="nothing"),
        pytest.param({"query": "zorblax"}, ("knowledge_id",), id="no-knowledge_id"),
        pytest.param({"knowledge_id": "<history>"}, ("query",), id="no-query"),
    ],
)
def test_dify_needs_knowledge_id_and_query(corpus, body, names):
    reply = dify(corpus, corpus.alice, resolve(body, corpus))
    assert (reply.status_code, reply.json()) == (200, missing(*names))


def test_dify_checks_the_key_before_the_arguments(corpus):
    reply = dify(corpus, None, {}, authorization="Bearer ragflow-nope")
    assert (reply.status_code, reply.json()) == (403, {"code": 403, "message": "API-KEY is invalid!"})


@pytest.mark.parametrize("dataset", ["<unknown>", "<bobs>"], ids=["unknown", "another-tenants"])
def test_dify_refuses_datasets_the_key_cannot_reach(corpus, dataset):
    reply = dify(corpus, corpus.alice, {"knowledge_id": resolve(dataset, corpus), "query": "zorblax"})
    assert (reply.status_code, reply.json()) == (404, {"code": 404, "message": "Knowledgebase not found!"})
    # And Bob's key on Alice's dataset: refused, nothing of hers comes back.
    reply = dify(corpus, corpus.bob, {"knowledge_id": corpus.ds("history"), "query": "zorblax"})
    assert (reply.status_code, reply.json()) == (404, {"code": 404, "message": "Knowledgebase not found!"})


def test_dify_records_carry_content_score_title_and_metadata(corpus):
    found = records(corpus, {"knowledge_id": corpus.ds("science"), "query": PLANTS})
    top = found[0]
    assert top["content"] == PHOTOSYNTHESIS
    assert top["title"] == "biology.txt"
    assert top["metadata"] == {"topic": "biology", "year": 2021, "doc_id": corpus.doc("biology.txt")}
    # The score is the similarity /retrieval reports with its defaults (weight 0.3).
    same = search(corpus.alice, [corpus.ds("science")], PLANTS, similarity_threshold=0)
    (chunk,) = [c for c in same["chunks"] if c["id"] == corpus.chunks["photosynthesis"]]
    assert top["score"] == pytest.approx(chunk["similarity"], abs=1e-6)
    # A document without meta_fields has only its id in the metadata.
    (quokka,) = records(corpus, {"knowledge_id": corpus.ds("elsewhere"), "query": "quokkas"})
    assert quokka == {
        "content": QUOKKA,
        "score": quokka["score"],
        "title": "notes.txt",
        "metadata": {"doc_id": corpus.doc("notes.txt")},
    }


def test_dify_threshold_defaults_to_zero_and_top_k_is_the_page_size(corpus):
    science = corpus.ds("science")
    everything = search(corpus.alice, [science], BROAD, similarity_threshold=0)
    found = records(corpus, {"knowledge_id": science, "query": BROAD})
    assert [r["content"] for r in found] == [c["content"] for c in everything["chunks"]]
    assert len(found) >= 3
    two = records(corpus, {"knowledge_id": science, "query": BROAD, "retrieval_setting": {"top_k": 2}})
    assert [r["content"] for r in two] == [r["content"] for r in found[:2]]
    cut = (found[0]["score"] + found[1]["score"]) / 2
    strict = records(
        corpus,
        {"knowledge_id": science, "query": BROAD, "retrieval_setting": {"top_k": 10, "score_threshold": cut}},
    )
    assert [r["content"] for r in strict] == [found[0]["content"]]


@pytest.mark.parametrize(
    ("metadata_condition", "expected"),
    [
        pytest.param(None, {"biology.txt", "space.txt"}, id="null"),
        pytest.param({}, {"biology.txt", "space.txt"}, id="empty"),
        pytest.param({"conditions": [condition("topic", "is", "astronomy")]}, {"space.txt"}, id="matching"),
        pytest.param({"conditions": [condition("topic", "is", "geology")]}, set(), id="matching-nothing"),
    ],
)
def test_dify_metadata_condition(corpus, metadata_condition, expected):
    body = {"knowledge_id": corpus.ds("science"), "query": BROAD, "metadata_condition": metadata_condition}
    found = records(corpus, body)
    assert {r["title"] for r in found} == expected
    absent = records(corpus, {"knowledge_id": corpus.ds("science"), "query": BROAD})
    assert {r["title"] for r in absent} == {"biology.txt", "space.txt"}


# /v1/chunk/retrieval_test (web spec §7) -----------------------------------------------------------
def test_retrieval_test_needs_a_session(server, corpus):
    with server.client() as anonymous:
        body = {"kb_id": corpus.ds("science"), "question": "zorblax"}
        assert envelope(anonymous.post(RETRIEVAL_TEST, json=body)) == UNAUTHORIZED


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(None, missing("kb_id", "question"), id="no-body"),
        pytest.param({}, missing("kb_id", "question"), id="nothing"),
        pytest.param({"question": "x"}, missing("kb_id"), id="no-kb_id"),
        pytest.param({"kb_id": "<science>"}, missing("question"), id="no-question"),
        pytest.param(
            {"kb_id": [], "question": "x"},
            {"code": 102, "data": False, "message": "Please specify dataset firstly."},
            id="empty-list",
        ),
        pytest.param({"kb_id": "", "question": "x"}, NOT_OWNER, id="empty-string"),
        pytest.param({"kb_id": "<unknown>", "question": "x"}, NOT_OWNER, id="unknown"),
        pytest.param({"kb_id": "<bobs>", "question": "x"}, NOT_OWNER, id="another-tenants"),
        pytest.param(
            {"kb_id": ["<science>", "<bobs>"], "question": "x"}, NOT_OWNER, id="one-of-them-not-mine"
        ),
    ],
)
def test_retrieval_test_refusals(corpus, body, expected):
    assert web_post(corpus.alice, RETRIEVAL_TEST, resolve(body, corpus)) == expected


def test_retrieval_test_refuses_another_tenant_and_leaks_nothing(corpus):
    request = corpus.alice.web.build_request(
        "POST", RETRIEVAL_TEST, json={"kb_id": corpus.ds("history"), "question": "zorblax"}
    )
    replayed = as_other_tenant(request, corpus.bob)
    assert envelope(replayed) == NOT_OWNER
    mine = web_search(corpus.bob, {"kb_id": corpus.bobs_dataset, "question": "zorblax"})
    assert [c["chunk_id"] for c in mine["chunks"]] == [corpus.bobs_chunk]


def test_retrieval_test_chunks_have_the_web_keys(corpus):
    data = web_search(corpus.alice, {"kb_id": corpus.ds("history"), "question": "zorblax"})
    assert data["labels"] is None
    check_zorblax(data["chunks"][0], corpus, WEB_CHUNK_KEYS, WEB_NAMES)
    # The default threshold is 0: every chunk of history.txt is a candidate.
    assert data["doc_aggs"] == [
        {"doc_name": "history.txt", "doc_id": corpus.doc("history.txt"), "count": len(data["chunks"])}
    ]
    eruption = web_search(corpus.alice, {"kb_id": corpus.ds("history"), "question": "volcano"})["chunks"][0]
    assert eruption["important_kwd"] == ["volcano"]


def test_retrieval_test_defaults_are_its_own(corpus):
    """Threshold 0.0 (not 0.2), weight 0.3, size 30: the SDK's answer with threshold 0."""
    datasets = both(corpus)
    sdk = search(corpus.alice, datasets, BROAD, similarity_threshold=0)
    web = web_search(corpus.alice, {"kb_id": datasets, "question": BROAD})
    assert [(c["chunk_id"], c["similarity"]) for c in web["chunks"]] == [
        (c["id"], pytest.approx(c["similarity"], abs=1e-6)) for c in sdk["chunks"]
    ]
    assert web["total"] == sdk["total"]
    assert all("highlight" not in c for c in web["chunks"]), "highlighting is off by default"


def test_retrieval_test_takes_kb_id_as_a_string_or_a_list(corpus):
    history = corpus.ds("history")
    as_string = web_search(corpus.alice, {"kb_id": history, "question": BROAD})
    as_list = web_search(corpus.alice, {"kb_id": [history], "question": BROAD})
    assert [c["chunk_id"] for c in as_string["chunks"]] == [c["chunk_id"] for c in as_list["chunks"]]
    assert {c["kb_id"] for c in as_string["chunks"]} == {history}
    two = web_search(corpus.alice, {"kb_id": both(corpus), "question": BROAD})
    assert {c["kb_id"] for c in two["chunks"]} == set(both(corpus))


def test_retrieval_test_doc_ids_restrict_the_search(corpus):
    biology = corpus.doc("biology.txt")
    data = web_search(corpus.alice, {"kb_id": both(corpus), "question": BROAD, "doc_ids": [biology]})
    assert data["chunks"]
    assert {c["doc_id"] for c in data["chunks"]} == {biology}


def test_retrieval_test_pages_with_size(corpus):
    body = {"kb_id": both(corpus), "question": BROAD}
    ranking = [c["chunk_id"] for c in web_search(corpus.alice, body)["chunks"]]
    assert len(ranking) >= 5
    first = web_search(corpus.alice, {**body, "page": 1, "size": 2})
    second = web_search(corpus.alice, {**body, "page": 2, "size": 2})
    assert [c["chunk_id"] for c in first["chunks"] + second["chunks"]] == ranking[:4]
    assert first["total"] == len(ranking)
    assert web_search(corpus.alice, {**body, "page": 50, "size": 2})["chunks"] == []


@pytest.mark.parametrize(
    ("highlight", "on"),
    [
        pytest.param(True, True, id="true"),
        pytest.param("True", True, id="string-True"),
        pytest.param(False, False, id="false"),
        pytest.param(None, False, id="absent"),
    ],
)
def test_retrieval_test_highlights_on_request(corpus, highlight, on):
    body: dict[str, Any] = {"kb_id": both(corpus), "question": "zorblax lighthouse"}
    if highlight is not None:
        body["highlight"] = highlight
    highlighted_zorblax(corpus, web_search(corpus.alice, body), on, "chunk_id")


def test_retrieval_test_empty_question(corpus):
    data = ok(corpus.alice.web.post(RETRIEVAL_TEST, json={"kb_id": corpus.ds("science"), "question": ""}))
    assert data == {**EMPTY_RESULT, "labels": None}


def test_retrieval_test_finds_chinese_and_identifiers(corpus):
    for question, label in (("长城有多长", "great_wall"), ("PPR-9087", "ticket"), ("9087", "ticket")):
        data = web_search(corpus.alice, {"kb_id": both(corpus), "question": question})
        assert data["chunks"][0]["chunk_id"] == corpus.chunks[label], question


def test_retrieval_test_similarity_threshold_and_weight(corpus):
    body = {"kb_id": both(corpus), "question": PLANTS}
    for weight in (0, 1):
        data = web_search(corpus.alice, {**body, "vector_similarity_weight": weight})
        key = "term_similarity" if weight == 0 else "vector_similarity"
        for chunk in data["chunks"]:
            assert chunk["similarity"] == pytest.approx(chunk[key], abs=1e-6), chunk
    everything = web_search(corpus.alice, body)
    threshold = everything["chunks"][1]["similarity"]
    strict = web_search(corpus.alice, {**body, "similarity_threshold": threshold})
    assert all(c["similarity"] >= threshold - 1e-9 for c in strict["chunks"])
    assert [c["chunk_id"] for c in strict["chunks"]] == [
        c["chunk_id"] for c in everything["chunks"] if c["similarity"] >= threshold
    ]
    assert strict["total"] == len(strict["chunks"])
    # An out-of-range weight still answers.
    assert ok(corpus.alice.web.post(RETRIEVAL_TEST, json={**body, "vector_similarity_weight": 10}))


def test_retrieval_test_rerank_and_keyword(corpus, fake):
    body = {"kb_id": both(corpus), "question": PLANTS, "rerank_id": RERANK_MODEL, "keyword": True}
    data = web_search(corpus.alice, body)
    assert data["chunks"]
    assert fake.sent("/rerank")
    assert any(PLANTS in p for p in chat_requests(fake))


def test_retrieval_test_takes_huge_numbers(corpus):
    body = {"kb_id": both(corpus), "question": "zorblax", "top_k": 10**9, "size": 10**6}
    data = web_search(corpus.alice, body)
    assert data["chunks"][0]["chunk_id"] == corpus.chunks["zorblax"]


def test_chunks_matching_no_word_of_the_question_need_to_be_close_to_it(corpus):
    """As in RAGFlow, chunks that share no word with the question are left out when others match
    (here the paper-clip line for `glimmerwick`, even at threshold 0); when nothing matches a
    word, the nearest chunks are the answer."""
    scratch = [corpus.ds("scratch")]
    found = search(corpus.alice, scratch, "glimmerwick", similarity_threshold=0)
    assert [c["content"] for c in found["chunks"]] == [GLIMMERWICK]
    nearest = search(corpus.alice, scratch, "qqzzxxv", similarity_threshold=0)
    assert {c["content"] for c in nearest["chunks"]} == {GLIMMERWICK, PLAIN}
    assert all(c["term_similarity"] == 0 for c in nearest["chunks"])
