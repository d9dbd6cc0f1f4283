"""The one error tree of the data layer.

    DataError
    ├── SourceUnavailable      cannot be reached: refused, DNS, TLS, 502/503/504 after retries
    │   └── SourceTimeout      no answer within the per-request or total time budget
    ├── Unauthorised           401/403: credentials missing, wrong or expired
    ├── NotFound               404/410
    ├── Conflict               409/412: somebody else changed the resource first
    │   └── BedTaken           the bed chosen for a patient was taken or blocked meanwhile
    ├── ServerError            any other 4xx/5xx; carries the OperationOutcome text
    ├── InvalidData            the answer is not the FHIR JSON it claims to be
    ├── RequestRejected        the request cannot be sent at all (e.g. a URL too long to be valid)
    ├── NotPermitted           the user may not make this write (another hospital's request)
    └── Misconfigured          a local file the app depends on is unreadable or malformed
                               (user directory, audit log path)

HTTP library errors are translated once, in ``services.fhir_http``, with ``raise ... from exc``.
Pages catch ``DataError`` only, and show ``error.message_key`` through the string catalogue.
"""

from __future__ import annotations

__all__ = [
    "BedTaken",
    "Conflict",
    "DataError",
    "InvalidData",
    "Misconfigured",
    "NotFound",
    "NotPermitted",
    "RequestRejected",
    "ServerError",
    "SourceTimeout",
    "SourceUnavailable",
    "Unauthorised",
]


class DataError(Exception):
    """Base of every failure the data layer reports to a page."""

    message_key = "error.generic"

    def __init__(self, detail: str = "", *, source: str = "", status: int | None = None) -> None:
        super().__init__(detail or self.__class__.__name__)
        self.detail = detail
        self.source = source
        self.status = status

    def __reduce__(self) -> tuple:
        # Cached results are pickled; keep source and status, which ``args`` alone would lose.
        return (self.__class__, (self.detail,), self.__dict__)


class SourceUnavailable(DataError):
    message_key = "error.unavailable"


class SourceTimeout(SourceUnavailable):
    message_key = "error.timeout"


class Unauthorised(DataError):
    message_key = "error.unauthorised"


class NotFound(DataError):
    message_key = "error.not_found"


class Conflict(DataError):
    """A write lost a race; ``current`` holds the server's version of the resource, if known."""

    message_key = "error.conflict"

    def __init__(
        self,
        detail: str = "",
        *,
        source: str = "",
        status: int | None = None,
        current: dict | None = None,
    ) -> None:
        super().__init__(detail, source=source, status=status)
        self.current = current


class BedTaken(Conflict):
    """The bed offered was taken, blocked or reserved for another patient since it was read."""

    message_key = "error.bed_taken"


class ServerError(DataError):
    message_key = "error.server"


class InvalidData(DataError):
    message_key = "error.invalid_data"


class RequestRejected(DataError):
    message_key = "error.request_rejected"


class NotPermitted(DataError):
    message_key = "error.not_permitted"


class Misconfigured(DataError):
    message_key = "error.misconfigured"
