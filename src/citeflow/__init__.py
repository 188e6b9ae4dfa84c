"""citeflow: a RAG engine that speaks RAGFlow v0.20.5's HTTP API."""

__version__ = "0.1.0"

#: The RAGFlow release whose wire contract citeflow implements.
RAGFLOW_API_VERSION = "v0.20.5"

__all__ = ["RAGFLOW_API_VERSION", "__version__"]
