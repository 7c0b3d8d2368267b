"""Patient information goes to the registry over TLS, and only to a registry whose
certificate checks out: against the operating system's trust store (where a hospital's IT
installs its CA), or against the workstation's own `ca_bundle` file when it has one. An
untrusted certificate sends nothing and says so plainly."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_store.outbox import Outbox, OutboxState
from registry.process import OPERATOR_EMAIL, RegistryProcess
from sync.client import RegistryClient, RegistryNotTrusted
from sync.engine import Connectivity, sync_once
from tests.support.desk_outbox import open_desk, psf_body
from tests.support.tls import PrivateCa, private_ca, server_certificate

# What else could make the client trust a certificate: cleared so each test says what it adds.
TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture(scope="module")
def tls_registry(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RegistryProcess, PrivateCa]]:
    """A registry over TLS whose certificate is signed by a hospital's private CA."""
    folder = tmp_path_factory.mktemp("tls-registry")
    ca = private_ca(folder / "ca", "Hospital Root CA")
    cert, key = server_certificate(ca, folder / "server")
    with RegistryProcess(f"sqlite:///{folder / 'r.db'}", tls=(cert, key)) as registry:
        yield registry, ca


@pytest.fixture(autouse=True)
def no_trust_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TRUST_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def os_store_with(ca: PrivateCa, folder: Path) -> Path:
    """This machine's OpenSSL store (the system bundle) plus `ca`, as one PEM file."""
    system = ssl.get_default_verify_paths().cafile
    bundle = folder / "os-store.pem"
    bundle.write_bytes((Path(system).read_bytes() if system else b"") + ca.path.read_bytes())
    return bundle


def verification_failure(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check's own failure inside requests' and urllib3's wrappers."""
    seen: list[BaseException] = [error]
    while seen:
        current = seen.pop()
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen += [a for a in current.args if isinstance(a, BaseException)]
        seen += [e for e in (current.__cause__, getattr(current, "reason", None)) if e is not None]
    return None


def test_an_untrusted_certificate_sends_nothing_and_says_why(
    tls_registry: tuple[RegistryProcess, PrivateCa], tmp_path: Path
) -> None:
    registry, _ = tls_registry
    assert registry.url.startswith("https://")
    client = RegistryClient(registry.url)  # the OS trust store: the hospital CA is not in it
    with pytest.raises(RegistryNotTrusted, match="certificate could not be verified") as refused:
        client.sign_in(OPERATOR_EMAIL, registry.operator_password)
    # The refusal is the certificate check itself (truststore's, through requests' SSLError).
    failure = verification_failure(refused.value)
    assert failure is not None and failure.verify_code == 20  # unable to get local issuer
    db = open_desk(tmp_path / "desk")
    Outbox(db).enqueue(
        "item-1",
        "submit_psf",
        "patient:p",
        psf_body("p", 2000, "2024-01-03"),
        dt.datetime.now(dt.UTC),
    )
    report = sync_once(db, client, lambda: dt.datetime.now(dt.UTC))
    assert report.connectivity is Connectivity.OFFLINE
    assert "certificate could not be verified" in (report.problem or "")
    item = Outbox(db).get("item-1")
    assert item is not None and item.state is OutboxState.QUEUED and item.attempts == 0


def test_a_hospital_ca_in_the_os_trust_store_is_trusted_with_no_ca_bundle(
    tls_registry: tuple[RegistryProcess, PrivateCa], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IT installed the hospital's CA in the operating system's trust store, as for every
    other program; the workstation has no `ca_bundle` of its own, and it just works.

    On Linux truststore uses OpenSSL's default verify paths, which honour SSL_CERT_FILE:
    pointing it at the system bundle plus the hospital CA stands in for "IT installed the
    hospital CA in the OS store" (on Windows the certificate store, on macOS the keychain).
    """
    registry, ca = tls_registry
    with pytest.raises(RegistryNotTrusted):  # the same client, before IT installs the CA
        RegistryClient(registry.url).handshake()
    monkeypatch.setenv("SSL_CERT_FILE", str(os_store_with(ca, tmp_path)))
    client = RegistryClient(registry.url)
    assert client.handshake()["protocol"] == 1
    assert client.sign_in(OPERATOR_EMAIL, registry.operator_password).ok


def test_the_os_store_is_the_decision_not_requests_environment_variables(
    tls_registry: tuple[RegistryProcess, PrivateCa], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REQUESTS_CA_BUNDLE (left by some other Python tool) neither replaces the OS store
    nor widens it: what the workstation trusts is the OS store or its own ca_bundle."""
    registry, ca = tls_registry
    other = private_ca(tmp_path / "other", "Some Other CA")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other.path))
    monkeypatch.setenv("SSL_CERT_FILE", str(os_store_with(ca, tmp_path)))
    assert RegistryClient(registry.url).handshake()["protocol"] == 1
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.path))
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(RegistryNotTrusted):
        RegistryClient(registry.url).handshake()


def test_the_certificate_must_name_the_registry_address(
    tls_registry: tuple[RegistryProcess, PrivateCa], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trusted CA is not enough: the certificate (for 127.0.0.1) must be for the address
    the workstation was configured with (here `localhost`)."""
    registry, ca = tls_registry
    monkeypatch.setenv("SSL_CERT_FILE", str(os_store_with(ca, tmp_path)))
    with pytest.raises(RegistryNotTrusted):
        RegistryClient(registry.url.replace("127.0.0.1", "localhost")).handshake()


def test_a_configured_ca_bundle_is_trusted_and_is_the_only_trust(
    tls_registry: tuple[RegistryProcess, PrivateCa], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """desk.json's `ca_bundle` works as before: that file, and nothing else, decides."""
    registry, ca = tls_registry
    client = RegistryClient(registry.url, ca_bundle=str(ca.path))
    assert client.sign_in(OPERATOR_EMAIL, registry.operator_password).ok
    assert client.handshake()["protocol"] == 1
    # The hospital CA in the OS store does not help a workstation pinned to another file.
    monkeypatch.setenv("SSL_CERT_FILE", str(os_store_with(ca, tmp_path)))
    other = private_ca(tmp_path / "other", "Some Other CA")
    with pytest.raises(RegistryNotTrusted):
        RegistryClient(registry.url, ca_bundle=str(other.path)).handshake()
