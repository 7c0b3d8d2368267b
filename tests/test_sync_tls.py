"""Patient information goes to the registry over TLS, and only to a registry whose
certificate checks out: an untrusted certificate sends nothing and says so plainly."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from local_store.outbox import Outbox, OutboxState
from registry.process import OPERATOR_EMAIL, RegistryProcess
from sync.client import RegistryClient, RegistryNotTrusted
from sync.engine import Connectivity, sync_once
from tests.support.desk_outbox import open_desk, psf_body


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "registry.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_registry(tmp_path: Path) -> Iterator[tuple[RegistryProcess, Path]]:
    cert, key = _self_signed(tmp_path)
    with RegistryProcess(f"sqlite:///{tmp_path / 'r.db'}", tls=(cert, key)) as registry:
        yield registry, cert


def test_an_untrusted_certificate_sends_nothing_and_says_why(
    tls_registry: tuple[RegistryProcess, Path], tmp_path: Path
) -> None:
    registry, _ = tls_registry
    assert registry.url.startswith("https://")
    client = RegistryClient(registry.url)  # the system's trust store: this cert is not in it
    with pytest.raises(RegistryNotTrusted, match="certificate"):
        client.sign_in(OPERATOR_EMAIL, registry.operator_password)
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


def test_a_registry_whose_certificate_is_trusted_works(
    tls_registry: tuple[RegistryProcess, Path],
) -> None:
    registry, cert = tls_registry
    client = RegistryClient(registry.url, ca_bundle=str(cert))
    assert client.sign_in(OPERATOR_EMAIL, registry.operator_password).ok
    assert client.handshake()["protocol"] == 1
