"""Models that run inside citeflow, with weights from Python packages: no set-up, no network."""

from citeflow.llm.builtin.chat import SmolChat
from citeflow.llm.builtin.embedder import MiniLMEmbedder

__all__ = ["MiniLMEmbedder", "SmolChat"]
