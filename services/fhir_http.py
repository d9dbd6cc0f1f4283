"""The one HTTP stack for every FHIR read and write: keep-alive, gzip, retries, error translation.

Every request of the data layer goes through ``FhirHttp``. It is thread-safe (pages are fetched in
parallel through one connection pool) and counts its requests, so tests and benchmarks can prove
that a view does not send a request per item.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from typing import Any

import httpx
import orjson

from services.config import Settings, SourceConfig
from services.errors import (
    Conflict,
    DataError,
    InvalidData,
    NotFound,
    RequestRejected,
    ServerError,
    SourceTimeout,
    SourceUnavailable,
    Unauthorised,
)
from services.source_auth import auth_for

__all__ = ["FhirHttp", "operation_outcome_text", "retry_after_seconds"]

log = logging.getLogger(__name__)

_RETRY_STATUS = {429, 502, 503, 504}
_FHIR_JSON = "application/fhir+json"


def operation_outcome_text(body: Any) -> str:
    """The human-readable part of an OperationOutcome, or '' if the body is not one."""
    if not isinstance(body, dict) or body.get("resourceType") != "OperationOutcome":
        return ""
    texts = []
    for issue in body.get("issue") or []:
        if isinstance(issue, dict):
            text = issue.get("diagnostics") or (issue.get("details") or {}).get("text")
            if text:
                texts.append(str(text))
    return "; ".join(texts)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds the server asks us to wait; None (the default backoff) when it says nothing usable.

    A malformed header is the server's mistake, not a failure of the request: it must not turn
    into an exception outside the error tree.
    """
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_safe(method: str, headers: dict[str, str] | None) -> bool:
    """May the request be sent again after a failure without changing its effect?

    GET and HEAD read only. A PUT to a client-chosen id (an AuditEvent) stores the same resource
    again, but a PUT with ``If-Match`` may have landed before the connection broke: repeated, it
    fails on its own new version and shows the user a conflict that never was. POST creates anew.
    """
    method = method.upper()
    if method in ("GET", "HEAD"):
        return True
    return method == "PUT" and "If-Match" not in (headers or {})


class FhirHttp:
    """A pooled HTTP client bound to one FHIR source."""

    def __init__(
        self,
        source: SourceConfig,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        self.settings = settings
        limits = httpx.Limits(
            max_connections=settings.parallel_pages + 2,
            max_keepalive_connections=settings.parallel_pages + 2,
        )
        self._client = httpx.Client(
            base_url=source.url + "/",
            auth=auth_for(source),
            verify=source.verify_tls,
            timeout=httpx.Timeout(source.timeout, connect=min(10.0, source.timeout)),
            limits=limits,
            headers={"Accept": _FHIR_JSON, "Accept-Encoding": "gzip"},
            transport=transport,
        )
        self._lock = threading.Lock()
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> FhirHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        deadline: float | None = None,
        no_cache: bool = False,
    ) -> dict[str, Any]:
        return self.parse(self.get(url, params, deadline=deadline, no_cache=no_cache))

    def get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        deadline: float | None = None,
        no_cache: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The checked response, body unparsed: parallel page fetchers hold bytes, not trees.

        ``headers`` add to the client's own (Bulk Data asks for ``Prefer: respond-async`` and
        NDJSON files by their own ``Accept``).
        """
        headers = {**(headers or {}), **({"Cache-Control": "no-cache"} if no_cache else {})}
        return self._send("GET", url, params=params, headers=headers or None, deadline=deadline)

    def send_json(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        *,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Content-Type": _FHIR_JSON, "Prefer": "return=representation"}
        if if_match:
            headers["If-Match"] = if_match
        content = orjson.dumps(body) if body is not None else None
        response = self._send(method, url, content=content, headers=headers)
        return self.parse(response) if response.content else {}

    def _count(self) -> None:
        with self._lock:
            self.requests += 1

    def _send(
        self,
        method: str,
        url: str,
        *,
        deadline: float | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        attempts = self.settings.retries + 1 if _is_safe(method, kwargs.get("headers")) else 1
        for attempt in range(attempts):
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise SourceTimeout("total time budget used up", source=self.source.name)
            timeout = (
                self.source.timeout if remaining is None else min(self.source.timeout, remaining)
            )
            self._count()
            try:
                response = self._client.request(method, url, timeout=timeout, **kwargs)
            except DataError as exc:
                # Raised by the token flow (services.source_auth), which does not know the source.
                exc.source = exc.source or self.source.name
                raise
            except httpx.TimeoutException as exc:
                raise SourceTimeout(str(exc) or "timeout", source=self.source.name) from exc
            except httpx.TransportError as exc:
                if attempt + 1 < attempts:
                    self._sleep(attempt, None, deadline)
                    continue
                raise SourceUnavailable(self._unreachable(exc), source=self.source.name) from exc
            except httpx.DecodingError as exc:
                raise InvalidData(f"undecodable body: {exc}", source=self.source.name) from exc
            except httpx.TooManyRedirects as exc:
                raise ServerError("too many redirects", source=self.source.name) from exc
            except (
                httpx.InvalidURL,
                httpx.HTTPError,
                httpx.StreamError,
                httpx.CookieConflict,
            ) as exc:
                # The request itself is the problem (e.g. a search that makes the URL longer than
                # any server takes); its text may carry search values, so only the type is kept.
                raise RequestRejected(type(exc).__name__, source=self.source.name) from exc
            if response.status_code in _RETRY_STATUS and attempt + 1 < attempts:
                self._sleep(attempt, retry_after_seconds(response), deadline)
                continue
            if response.status_code >= 400:
                raise self._translate(response)
            return response
        raise AssertionError("unreachable: the loop returns or raises")

    def _unreachable(self, exc: httpx.TransportError) -> str:
        # A token endpoint that does not answer must not read as the FHIR server being down.
        try:
            failed = str(exc.request.url)
        except RuntimeError:
            failed = ""
        if self.source.token_url and failed == self.source.token_url:
            return f"identity provider unreachable at {self.source.token_url}: {exc}"
        return str(exc)

    def _sleep(self, attempt: int, retry_after: float | None, deadline: float | None) -> None:
        # Jitter keeps parallel page fetchers from retrying in lockstep against a struggling server.
        wait = (
            min(retry_after, self.settings.max_retry_after)
            if retry_after is not None
            else self.settings.backoff_base * (2**attempt) * (0.5 + random.random())  # noqa: S311
        )
        if deadline is not None and time.monotonic() + wait >= deadline:
            raise SourceTimeout("retry would exceed the time budget", source=self.source.name)
        log.info("retrying %s in %.1fs (attempt %d)", self.source.name, wait, attempt + 1)
        time.sleep(wait)

    def _translate(self, response: httpx.Response) -> DataError:
        status = response.status_code
        try:
            body = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError:
            body = None
        detail = operation_outcome_text(body) or response.reason_phrase or f"HTTP {status}"
        name = self.source.name
        if status in (401, 403):
            return Unauthorised(detail, source=name, status=status)
        if status in (404, 410):
            return NotFound(detail, source=name, status=status)
        if status in (409, 412):
            return Conflict(detail, source=name, status=status)
        if status in _RETRY_STATUS:
            return SourceUnavailable(detail, source=name, status=status)
        return ServerError(detail, source=name, status=status)

    def parse(self, response: httpx.Response) -> dict[str, Any]:
        """The FHIR resource of a response body; anything else is ``InvalidData``."""
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise InvalidData(f"not JSON: {exc}", source=self.source.name) from exc
        if not isinstance(body, dict) or "resourceType" not in body:
            raise InvalidData("not a FHIR resource", source=self.source.name)
        return body
