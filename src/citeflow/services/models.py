"""Models configured per tenant: provider keys (verified, encrypted at rest), the catalogue, and
resolving `name@factory` ids to callable model clients."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from citeflow.core.clock import now_ms
from citeflow.core.errors import DataError, InvalidArgument
from citeflow.core.ids import new_id
from citeflow.db import Database
from citeflow.db.models import TenantModel
from citeflow.db.models_repo import TenantModelRepo
from citeflow.llm import (
    BUILTIN,
    MODEL_KINDS,
    ChatModel,
    EmbeddingModel,
    Factory,
    GenConf,
    Message,
    ModelHub,
    ModelKind,
    ModelRef,
    ProviderError,
    RerankModel,
    factories,
    split_model_id,
)
from citeflow.services.caller import Caller
from citeflow.services.secrets import SecretBox
from citeflow.services.validation import clean_text

#: Factories listed by `/v1/llm/factories`: every one but the built-in models, which need no set-up.
HIDDEN_FACTORIES = frozenset({BUILTIN})
Availability = Literal["available", "unauthorized", "unsupported"]
PROBE_TEXT = "Test if the api key is available"
PROBE_ORDER: tuple[ModelKind, ...] = ("embedding", "chat", "rerank")


@dataclass(frozen=True, slots=True)
class ConfiguredModel:
    factory: str
    name: str
    kind: str
    has_key: bool
    api_base: str
    max_tokens: int
    used_tokens: int


class ModelService:
    def __init__(self, db: Database, hub: ModelHub, box: SecretBox) -> None:
        self._db = db
        self._hub = hub
        self._box = box

    # catalogue ----------------------------------------------------------------------------
    def factories(self) -> list[Factory]:
        """The factories a tenant can set up."""
        return [f for name, f in factories().items() if name not in HIDDEN_FACTORIES]

    def catalog(self) -> dict[str, Factory]:
        """Every factory, built-in included, by name."""
        return factories()

    def configured(self, caller: Caller) -> list[ConfiguredModel]:
        with self._db.read() as s:
            rows = TenantModelRepo(s).for_tenant(caller.tenant_id)
        return [
            ConfiguredModel(
                r.llm_factory,
                r.llm_name,
                r.model_type,
                r.api_key_encrypted is not None,
                r.api_base,
                r.max_tokens,
                r.used_tokens,
            )
            for r in rows
        ]

    # configuration ------------------------------------------------------------------------
    def set_api_key(
        self,
        caller: Caller,
        *,
        factory_name: object,
        api_key: object,
        base_url: object = None,
        model_type: object = None,
        llm_name: object = None,
    ) -> None:
        """Check the key with one small real call, then store it for every model of the factory."""
        factory = self._factory(factory_name)
        key = clean_text(api_key, "api_key", max_len=4096)
        base = self._base_url(base_url)
        kind = self._kind(model_type) if model_type else None
        if llm_name:
            name = clean_text(llm_name, "llm_name", min_len=1, max_len=255)
            candidates = [(name, kind or self._catalog_kind(factory, name))]
        else:
            candidates = [(m.llm_name, m.model_type) for m in factory.models if kind in (None, m.model_type)]
        if not candidates:
            raise DataError(
                f"{factory.name} has no known models: name one with `llm_name` and `model_type`, "
                "or add it with /v1/llm/add_llm."
            )
        probes = [
            ModelRef(factory.name, name, probe_kind, api_key=key, base_url=base)
            for probe_kind in PROBE_ORDER
            for name, candidate_kind in candidates
            if candidate_kind == probe_kind
        ]
        failures = []
        for ref in probes:
            try:
                self._probe(ref)
            except ProviderError as exc:
                failures.append(_probe_failure(ref, exc))
                if exc.unreachable:
                    # Every model lives at the same base URL: no point waiting for each in turn.
                    break
                continue
            limits = {(m.llm_name, m.model_type): m.max_tokens for m in factory.models}
            rows = [(name, kind, limits.get((name, kind), 8192)) for name, kind in candidates]
            self._store(caller, factory.name, rows, key, base)
            return
        if not failures:
            raise DataError(
                f"{factory.name}: none of its models can verify a key (chat, embedding or rerank)."
            )
        raise DataError("".join(failures))

    def add_model(
        self,
        caller: Caller,
        *,
        factory_name: object,
        model_type: object,
        llm_name: object,
        api_base: object = None,
        api_key: object = None,
        max_tokens: object = None,
    ) -> str:
        """Add one model of a factory (typically self-hosted), after checking it answers; returns its id."""
        factory = self._factory(factory_name)
        kind = self._kind(model_type)
        name = clean_text(llm_name, "llm_name", min_len=1, max_len=200)
        stored_name = name if name.endswith(factory.name_suffix) else name + factory.name_suffix
        key = "" if api_key in (None, "") else clean_text(api_key, "api_key", max_len=4096)
        base = self._base_url(api_base)
        limit = _max_tokens(max_tokens)
        ref = ModelRef(factory.name, stored_name, kind, api_key=key, base_url=base, max_tokens=limit)
        if kind != "speech2text":
            try:
                self._probe(ref)
            except ProviderError as exc:
                shown = factory.provider_name(stored_name)
                what = (
                    f"embedding model({shown})" if kind == "embedding" else f"model({factory.name}/{shown})"
                )
                raise DataError(f"\nFail to access {what}.{exc.cause}") from exc
        self._store(caller, factory.name, [(stored_name, kind, limit)], key, base)
        return f"{stored_name}@{factory.name}"

    def connect(
        self,
        caller: Caller,
        *,
        factory_name: str,
        name: str,
        kind: str,
        api_key: str = "",
        base_url: str = "",
    ) -> str:
        """Set up one model in one step, whatever its factory; returns its `name@factory` id.

        A catalogue model of a hosted provider goes through `set_api_key`; anything else (self-hosted
        servers, models the catalogue does not list) through `add_model`.
        """
        factory = self._factory(factory_name)
        listed = any(m.llm_name == name and m.model_type == kind for m in factory.models)
        if listed and not factory.self_deployed:
            self.set_api_key(
                caller,
                factory_name=factory.name,
                api_key=api_key,
                base_url=base_url or None,
                model_type=kind,
                llm_name=name,
            )
            return f"{name}@{factory.name}"
        return self.add_model(
            caller,
            factory_name=factory.name,
            model_type=kind,
            llm_name=name,
            api_base=base_url or None,
            api_key=api_key or None,
        )

    def delete_model(self, caller: Caller, factory_name: object, llm_name: object) -> None:
        with self._db.transaction() as s:
            TenantModelRepo(s).delete(caller.tenant_id, str(factory_name), str(llm_name))

    def delete_factory(self, caller: Caller, factory_name: object) -> None:
        with self._db.transaction() as s:
            TenantModelRepo(s).delete(caller.tenant_id, str(factory_name))

    # use ----------------------------------------------------------------------------------
    def resolve(self, tenant_id: str, model_id: str, kind: ModelKind) -> ModelRef:
        """The tenant's model behind `name@factory`, with its decrypted key; DataError if not set up."""
        name, factory = split_model_id(model_id)
        if factory == BUILTIN:
            if not any(m.llm_name == name and m.model_type == kind for m in factories()[BUILTIN].models):
                raise DataError(f"Model({model_id}) is not a built-in {kind} model.")
            return ModelRef(BUILTIN, name, kind)
        with self._db.read() as s:
            repo = TenantModelRepo(s)
            rows = (
                repo.find(tenant_id, factory, name, kind)
                if factory
                else [r for r in repo.for_tenant(tenant_id) if r.llm_name == name and r.model_type == kind]
            )
        usable = [r for r in rows if r.api_key_encrypted is not None]
        if not usable:
            raise DataError(f"Model({model_id}) is not authorized: set it up under /v1/llm first.")
        row = usable[0]
        return ModelRef(
            row.llm_factory,
            row.llm_name,
            kind,
            api_key=self._box.open(row.api_key_encrypted or ""),
            base_url=row.api_base,
            max_tokens=row.max_tokens,
        )

    def availability(self, tenant_id: str, model_id: str, kind: ModelKind) -> Availability:
        """Whether the tenant can use `model_id` as a `kind` model (RAGFlow's dataset rule): set up or
        built in → "available"; known to the catalogue but not set up → "unauthorized"; else
        "unsupported"."""
        try:
            self.resolve(tenant_id, model_id, kind)
            return "available"
        except DataError:
            pass
        name, factory = split_model_id(model_id)
        catalogue = factories()
        candidates = [catalogue[factory]] if factory in catalogue else list(catalogue.values())
        if any(m.llm_name == name and m.model_type == kind for f in candidates for m in f.models):
            return "unauthorized"
        return "unsupported"

    def chat_model(self, tenant_id: str, model_id: str) -> ChatModel:
        return self._hub.chat(self.resolve(tenant_id, model_id, "chat"))

    def embedding_model(self, tenant_id: str, model_id: str) -> EmbeddingModel:
        return self._hub.embedding(self.resolve(tenant_id, model_id, "embedding"))

    def rerank_model(self, tenant_id: str, model_id: str) -> RerankModel:
        return self._hub.rerank(self.resolve(tenant_id, model_id, "rerank"))

    def record_usage(self, tenant_id: str, model: ModelRef, tokens: int) -> None:
        if tokens > 0:
            with self._db.transaction() as s:
                TenantModelRepo(s).add_usage(tenant_id, model.factory, model.name, tokens)

    # plumbing -----------------------------------------------------------------------------
    def _probe(self, ref: ModelRef) -> None:
        probes: dict[str, Callable[[], Any]] = {
            "embedding": lambda: self._hub.embedding(ref).embed([PROBE_TEXT]),
            "chat": lambda: self._hub.chat(ref).complete([Message("user", "Hi")], GenConf(max_tokens=5)),
            "rerank": lambda: self._hub.rerank(ref).rerank("Hello", ["Hi"]),
            "image2text": lambda: self._hub.image2text(ref).describe(
                _PNG_1PX, "Describe", GenConf(max_tokens=5)
            ),
            "tts": lambda: next(iter(self._hub.tts(ref).speak("Hi")), b""),
        }
        probes[ref.kind]()

    def _store(
        self, caller: Caller, factory: str, models: Sequence[tuple[str, str, int]], key: str, base: str
    ) -> None:
        """Upsert the tenant's rows for `models` (name, kind, max tokens), all with one sealed key."""
        sealed = self._box.seal(key)
        now = now_ms()
        with self._db.transaction() as s:
            repo = TenantModelRepo(s)
            for name, kind, max_tokens in models:
                repo.upsert(
                    TenantModel(
                        id=new_id(),
                        tenant_id=caller.tenant_id,
                        llm_factory=factory,
                        model_type=kind,
                        llm_name=name,
                        api_key_encrypted=sealed,
                        api_base=base,
                        max_tokens=max_tokens,
                        used_tokens=0,
                        create_time=now,
                        update_time=now,
                    )
                )

    @staticmethod
    def _factory(value: object) -> Factory:
        factory = factories().get(value) if isinstance(value, str) else None
        if factory is None or factory.name in HIDDEN_FACTORIES:
            raise DataError(f"Unknown model factory: {value!r}. GET /v1/llm/factories lists them.")
        return factory

    @staticmethod
    def _kind(value: object) -> ModelKind:
        for kind in MODEL_KINDS:
            if value == kind:
                return kind
        raise InvalidArgument(f"`model_type` must be one of {', '.join(MODEL_KINDS)}.", data=None)

    @staticmethod
    def _catalog_kind(factory: Factory, name: str) -> ModelKind:
        for model in factory.models:
            if model.llm_name == name:
                return model.model_type
        raise InvalidArgument(f"{factory.name} does not list {name}: give its `model_type` too.", data=None)

    @staticmethod
    def _base_url(value: object) -> str:
        if value in (None, ""):
            return ""
        base = clean_text(value, "base_url", max_len=1024)
        if not base.startswith(("http://", "https://")):
            raise InvalidArgument("`base_url` must start with http:// or https://.", data=None)
        return base


def _max_tokens(value: object) -> int:
    if value in (None, ""):
        return 8192
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise InvalidArgument("`max_tokens` must be a positive whole number.", data=None)
    limit = int(value)
    if not 1 <= limit <= 100_000_000:
        raise InvalidArgument("`max_tokens` must be between 1 and 100000000.", data=None)
    return limit


def _probe_failure(ref: ModelRef, exc: ProviderError) -> str:
    if ref.kind == "embedding":
        return f"\nFail to access embedding model({ref.name}) using this api key.{exc.cause}"
    return f"\nFail to access model({ref.factory}/{ref.name}) using this api key.{exc.cause}"


#: A 1x1 transparent PNG, the smallest image an image-to-text model can be asked about.
_PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
