"""The HTTP layer: routers, envelopes, authentication and middleware. Talks only to services."""

from citeflow.api.app import create_app

__all__ = ["create_app"]
