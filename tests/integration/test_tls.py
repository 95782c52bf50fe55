"""wss:// and https:// with a user-supplied SSLContext, against Janus with a test certificate."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest

from janus_client import ConnectError, JanusSession
from janus_client.testing import JanusServer


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by the test."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "janus-client test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(
    janus_server_factory: Callable[..., JanusServer], tmp_path: Path
) -> tuple[JanusServer, ssl.SSLContext]:
    cert, key = make_certificate(tmp_path)
    server = janus_server_factory(tls_cert=str(cert), tls_key=str(key))
    context = ssl.create_default_context(cafile=str(cert))
    return server, context


@pytest.mark.parametrize("kind", ["wss", "https"])
async def test_tls_with_user_context(
    tls_server: tuple[JanusServer, ssl.SSLContext], kind: str
) -> None:
    server, context = tls_server
    url = server.wss_url if kind == "wss" else server.https_url
    assert url is not None and url.startswith(f"{kind}://")
    async with JanusSession(url, ssl=context) as session:
        assert (await session.info())["janus"] == "server_info"
        echo = await session.attach("janus.plugin.echotest")
        assert (await echo.send({"audio": True})).data["result"] == "ok"


@pytest.mark.parametrize("kind", ["wss", "https"])
async def test_untrusted_certificate_is_refused(
    tls_server: tuple[JanusServer, ssl.SSLContext], kind: str
) -> None:
    server, _ = tls_server
    url = server.wss_url if kind == "wss" else server.https_url
    assert url is not None
    session = JanusSession(url, ssl=ssl.create_default_context())  # system trust only
    with pytest.raises(ConnectError) as info:
        await session.create()
    assert "certificate" in str(info.value).lower() or "ssl" in str(info.value).lower()
    await session.destroy()
