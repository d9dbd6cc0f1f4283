"""Every httpx failure ends in the error tree, never as an httpx exception on a page."""

from __future__ import annotations

import httpx
import pytest

from services.config import Settings, SourceConfig
from services.errors import DataError, InvalidData, RequestRejected, ServerError
from services.fhir_http import FhirHttp

pytestmark = pytest.mark.unit

BASE = "http://fhir.test/fhir"


def client(handler) -> FhirHttp:
    settings = Settings(
        sources=(SourceConfig(name="Test", url=BASE, timeout=2.0),), backoff_base=0.001
    )
    return FhirHttp(settings.sources[0], settings, httpx.MockTransport(handler))


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError("no request may leave for an invalid URL")


def test_a_search_longer_than_any_url_is_rejected_without_its_text():
    # 5,000 "ae" pairs spelled as umlauts grow past httpx's URL limit once percent-encoded.
    name = "Ää" * 12_000
    with pytest.raises(RequestRejected) as caught:
        client(never).get("Patient", {"name": name})
    assert isinstance(caught.value.__cause__, httpx.InvalidURL)
    assert "Ä" not in caught.value.detail and len(caught.value.detail) < 40


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpx.DecodingError("bad gzip"), InvalidData),
        (httpx.TooManyRedirects("loop"), ServerError),
        (httpx.StreamError("consumed"), RequestRejected),
        (httpx.CookieConflict("two"), RequestRejected),
    ],
)
def test_other_httpx_errors_map_into_the_tree(raised, expected):
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    with pytest.raises(expected) as caught:
        client(handler).get("Patient")
    assert isinstance(caught.value, DataError)
