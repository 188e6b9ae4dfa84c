"""The all-MiniLM-L6-v2 sentence encoder as an ONNX graph, built from its safetensors weights.

No torch and no export step: the BERT encoder, mean pooling over real tokens and L2
normalisation are written out with `onnx.helper` (opset 17), so onnxruntime reproduces
sentence-transformers' vectors. Inputs `input_ids` and `attention_mask` (int64, batch x
sequence); output `sentence_embedding` (float32, batch x 384, unit length). Single-segment text
always has token type 0, so that row of the token-type table is folded into the positions.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN, HEADS, LAYERS = 384, 12, 6
HEAD_DIM = HIDDEN // HEADS
#: Bump when the graph built from the same weights changes, so cached files are rebuilt.
GRAPH_VERSION = 1


class _GraphBuilder:
    def __init__(self, weights: dict[str, np.ndarray], eps: float) -> None:
        self.weights = weights
        self.eps = eps
        self.initializers: list[onnx.TensorProto] = []
        self.nodes: list[onnx.NodeProto] = []
        self._count = 0

    def tensor(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def const(self, value: Any, dtype: Any = np.float32) -> str:
        self._count += 1
        return self.tensor(f"const_{self._count}", np.asarray(value, dtype=dtype))

    def op(self, kind: str, inputs: list[str], output: str | None = None, **attrs: Any) -> str:
        self._count += 1
        name = output or f"{kind.lower()}_{self._count}"
        self.nodes.append(helper.make_node(kind, inputs, [name], name=f"node_{self._count}", **attrs))
        return name

    def linear(self, x: str, prefix: str) -> str:
        weight = self.tensor(f"{prefix}.weight_t", self.weights[f"{prefix}.weight"].T.astype(np.float32))
        bias = self.tensor(f"{prefix}.bias", self.weights[f"{prefix}.bias"].astype(np.float32))
        return self.op("Add", [self.op("MatMul", [x, weight]), bias])

    def layer_norm(self, x: str, prefix: str) -> str:
        gamma = self.tensor(f"{prefix}.weight", self.weights[f"{prefix}.weight"].astype(np.float32))
        beta = self.tensor(f"{prefix}.bias", self.weights[f"{prefix}.bias"].astype(np.float32))
        return self.op("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=self.eps)

    def heads(self, x: str, perm: list[int]) -> str:
        shape = self.const([0, 0, HEADS, HEAD_DIM], np.int64)
        return self.op("Transpose", [self.op("Reshape", [x, shape])], perm=perm)


def build_minilm(model_dir: Path) -> onnx.ModelProto:
    """The encoder graph for the model files in `model_dir` (config.json, model.safetensors)."""
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    shape = (config["hidden_size"], config["num_attention_heads"], config["num_hidden_layers"])
    if shape != (HIDDEN, HEADS, LAYERS) or config.get("hidden_act") != "gelu":
        raise ValueError(f"{model_dir} is not all-MiniLM-L6-v2 (hidden, heads, layers = {shape})")
    g = _GraphBuilder(
        load_file(str(model_dir / "model.safetensors")), float(config.get("layer_norm_eps", 1e-12))
    )
    w = g.weights

    words = g.tensor("word_embeddings", w["embeddings.word_embeddings.weight"].astype(np.float32))
    positions = g.tensor(
        "positions_and_type0",
        (w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]).astype(
            np.float32
        ),
    )
    length = g.op("Shape", ["input_ids"], start=1, end=2)
    zero = g.const([0], np.int64)
    x = g.op(
        "Add", [g.op("Gather", [words, "input_ids"], axis=0), g.op("Slice", [positions, zero, length, zero])]
    )
    hidden = g.layer_norm(x, "embeddings.LayerNorm")

    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    blocked = g.op("Mul", [g.op("Sub", [g.const(1.0), mask]), g.const(np.finfo(np.float32).min)])
    bias = g.op("Unsqueeze", [blocked, g.const([1, 2], np.int64)])
    scale = g.const(1.0 / np.sqrt(HEAD_DIM))
    merge = g.const([0, 0, HIDDEN], np.int64)
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        q = g.heads(g.linear(hidden, f"{p}.attention.self.query"), [0, 2, 1, 3])
        k = g.heads(g.linear(hidden, f"{p}.attention.self.key"), [0, 2, 3, 1])
        v = g.heads(g.linear(hidden, f"{p}.attention.self.value"), [0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), bias])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        merged = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        hidden = g.layer_norm(
            g.op("Add", [g.linear(merged, f"{p}.attention.output.dense"), hidden]),
            f"{p}.attention.output.LayerNorm",
        )
        inner = g.linear(hidden, f"{p}.intermediate.dense")
        erf = g.op("Erf", [g.op("Mul", [inner, g.const(1.0 / np.sqrt(2.0))])])
        gelu = g.op("Mul", [g.op("Mul", [inner, g.const(0.5)]), g.op("Add", [erf, g.const(1.0)])])
        hidden = g.layer_norm(
            g.op("Add", [g.linear(gelu, f"{p}.output.dense"), hidden]), f"{p}.output.LayerNorm"
        )

    weights = g.op("Unsqueeze", [mask, g.const([2], np.int64)])
    axis = g.const([1], np.int64)
    total = g.op("ReduceSum", [g.op("Mul", [hidden, weights]), axis], keepdims=0)
    count = g.op("Max", [g.op("ReduceSum", [weights, axis], keepdims=0), g.const(1e-9)])
    mean = g.op("Div", [total, count])
    norm = g.op(
        "Max",
        [g.op("Sqrt", [g.op("ReduceSum", [g.op("Mul", [mean, mean]), axis], keepdims=1)]), g.const(1e-12)],
    )
    g.op("Div", [mean, norm], output="sentence_embedding")

    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
        ],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="citeflow")
    model.ir_version = 8
    return model


def write_minilm(model_dir: Path, target: Path) -> None:
    """Build the graph and write it to `target` atomically (temp file, fsync, rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as out:
            out.write(build_minilm(model_dir).SerializeToString())
            out.flush()
            os.fsync(out.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


if __name__ == "__main__":
    # Run as a child process so the build's memory peak never lands in the server.
    write_minilm(Path(sys.argv[1]), Path(sys.argv[2]))
