"""The shared SSL context: verifying like httpx's, its CA bundle loaded at the first TLS
wrap and not before (an ``http://`` script never pays for it)."""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi
import httpx
import pytest

from wandb_typed._tls import DeferredTrustContext
from wandb_typed._transport_base import shared_ssl_context


def _ca_count(context: ssl.SSLContext) -> int:
    return context.cert_store_stats()["x509_ca"]


@pytest.fixture(autouse=True)
def _no_ca_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def test_built_without_its_bundle_and_verifying_as_httpx_does() -> None:
    context = DeferredTrustContext.verifying()
    reference = httpx.create_ssl_context()

    assert not context.trust_loaded
    assert _ca_count(context) == 0
    assert context.verify_mode == reference.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is reference.check_hostname is True
    assert context.options == reference.options
    assert context.minimum_version == reference.minimum_version


def test_the_first_wrap_loads_the_same_bundle_as_httpx() -> None:
    context = DeferredTrustContext.verifying()

    tls = context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.org")

    assert context.trust_loaded
    assert tls.server_hostname == "example.org"
    assert _ca_count(context) == _ca_count(httpx.create_ssl_context()) > 0
    context.load_trust()  # once only: nothing changes
    assert _ca_count(context) == _ca_count(httpx.create_ssl_context())


def test_ssl_cert_file_is_trusted_instead_of_certifi(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = Path(certifi.where()).read_text()
    end = "-----END CERTIFICATE-----"
    one = tmp_path / "one.pem"
    one.write_text(bundle[bundle.index("-----BEGIN CERTIFICATE-----") : bundle.index(end)] + end)
    monkeypatch.setenv("SSL_CERT_FILE", str(one))

    context = DeferredTrustContext.verifying()
    context.load_trust()

    assert _ca_count(context) == 1


def test_the_transports_share_one_deferred_context() -> None:
    assert shared_ssl_context() is shared_ssl_context()
    assert isinstance(shared_ssl_context(), DeferredTrustContext)
