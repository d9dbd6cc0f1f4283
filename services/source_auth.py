"""How a request proves who we are to a FHIR source: none, basic, bearer, OAuth2 client creds."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator

import httpx

from services.config import SourceConfig
from services.errors import SourceUnavailable, Unauthorised

__all__ = ["ClientCredentials", "auth_for"]

# Refresh a little before the token runs out so a long paged search does not hit the edge.
_EXPIRY_MARGIN_S = 30.0


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class ClientCredentials(httpx.Auth):
    """OAuth2 client-credentials grant; token fetched lazily, refreshed on expiry and on a 401.

    A refusal by the identity provider is ``Unauthorised``; an identity provider that cannot be
    reached surfaces through ``FhirHttp`` as ``SourceUnavailable`` naming the token endpoint.
    """

    requires_response_body = True

    def __init__(self, token_url: str, client_id: str, client_secret: str, scope: str = "") -> None:
        self._token_url = token_url
        self._form = (
            {"grant_type": "client_credentials", "scope": scope}
            if scope
            else {"grant_type": "client_credentials"}
        )
        self.client_id = client_id
        self._basic = httpx.BasicAuth(client_id, client_secret)
        self._token = ""
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def _token_request(self) -> httpx.Request:
        request = httpx.Request("POST", self._token_url, data=self._form)
        return next(self._basic.auth_flow(request))

    def _remember(self, response: httpx.Response) -> None:
        # The identity provider's own words (RFC 6749 "error"), never the request: it holds the
        # secret.
        if response.status_code >= 500:
            raise SourceUnavailable(
                f"identity provider answered {response.status_code}", status=response.status_code
            )
        if response.status_code >= 400:
            try:
                reason = str(response.json().get("error", ""))
            except ValueError:
                reason = ""
            reason = reason or str(response.status_code)
            raise Unauthorised(
                f"identity provider refused client {self.client_id}: {reason}",
                status=response.status_code,
            )
        body = response.json()
        self._token = body["access_token"]
        self._expires_at = time.monotonic() + float(body.get("expires_in", 300)) - _EXPIRY_MARGIN_S

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        with self._lock:
            stale = not self._token or time.monotonic() >= self._expires_at
        if stale:
            token_response = yield self._token_request()
            with self._lock:
                self._remember(token_response)
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:
            token_response = yield self._token_request()
            with self._lock:
                self._remember(token_response)
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request


def auth_for(source: SourceConfig) -> httpx.Auth | None:
    """The httpx auth object for a source's configured kind."""
    if source.auth == "basic":
        return httpx.BasicAuth(source.username, source.password)
    if source.auth == "bearer":
        return _Bearer(source.token)
    if source.auth == "oauth2":
        return ClientCredentials(
            source.token_url, source.client_id, source.client_secret, source.scope
        )
    return None
