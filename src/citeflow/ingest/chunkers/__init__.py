"""Chunk methods: from a parsed document's sections to chunks (pipeline spec §3 and §4)."""
