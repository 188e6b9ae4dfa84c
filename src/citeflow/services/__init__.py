"""Business rules. Services take their stores explicitly and the caller's tenant on every call."""

from citeflow.services.caller import Caller
from citeflow.services.container import Services

__all__ = ["Caller", "Services"]
