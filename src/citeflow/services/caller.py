from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, resolved once per request from a session token or an API key.

    Every service call that touches tenant data takes the tenant from here, explicitly.
    """

    user_id: str
    tenant_id: str
    via: Literal["session", "api_key", "admin"]
    session_id: str | None = None
