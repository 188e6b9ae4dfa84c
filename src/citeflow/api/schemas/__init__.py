"""Request schemas of the `/api/v1` endpoints that RAGFlow validates with pydantic."""
