"""Chunks: the store of record, and (to come) the indexes and scoring of retrieval."""

from citeflow.search.chunks import ChunkRecord, ChunkStore, SqlChunkStore, chunk_id

__all__ = ["ChunkRecord", "ChunkStore", "SqlChunkStore", "chunk_id"]
