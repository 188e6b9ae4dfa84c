"""The one error tree. Services raise these; the API layer maps them to RAGFlow envelopes.

    CiteflowError                 code 100  unexpected failure (EXCEPTION_ERROR)
    ├── InvalidArgument           code 101  the request itself is wrong (ARGUMENT_ERROR)
    ├── DataError                 code 102  a business rule refused the request (DATA_ERROR)
    │   └── NotFound              code 102  absent, or someone else's: the same answer
    ├── OperatingError            code 103  the operation conflicts with current state
    ├── StoreUnavailable          code 105  a backing store did not answer (CONNECTION_ERROR)
    ├── PermissionDenied          code 108  the caller may not do this (PERMISSION_ERROR)
    ├── AuthenticationFailed      code 109  bad credentials (AUTHENTICATION_ERROR)
    ├── Unauthenticated           code 401  no valid session (UNAUTHORIZED)
    └── ServerError               code 500  a server-side step failed (SERVER_ERROR)

The codes are RAGFlow v0.20.5's `RetCode` values. `data` is what the envelope carries under its
`data` key; `OMIT` leaves the key out, as several RAGFlow error helpers do.
"""

from typing import Any, ClassVar, Final


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: Marker for "no `data` key in the envelope".
OMIT: Final = _Omit()


class CiteflowError(Exception):
    """Code 100 is what RAGFlow's exception handler answers, always with `data` null."""

    code: ClassVar[int] = 100

    def __init__(self, message: str, *, data: Any = OMIT) -> None:
        super().__init__(message)
        self.message = message
        self.data = None if data is OMIT and self.code == 100 else data


class InvalidArgument(CiteflowError):
    code = 101


class DataError(CiteflowError):
    code = 102


class NotFound(DataError):
    pass


class OperatingError(CiteflowError):
    code = 103


class StoreUnavailable(CiteflowError):
    code = 105


class PermissionDenied(CiteflowError):
    code = 108


class AuthenticationFailed(CiteflowError):
    code = 109


class Unauthenticated(CiteflowError):
    code = 401


class ResourceNotFound(CiteflowError):
    """RAGFlow's code 404, still inside an HTTP 200 envelope."""

    code = 404


class ServerError(CiteflowError):
    code = 500
