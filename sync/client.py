"""The desktop's HTTP client for the registry (requests; TLS verification always on).

Patient information leaves the workstation only to the configured registry over TLS. Plain
http is accepted only for a registry on this machine's loopback (the embedded registry).
The registry's certificate is checked against the operating system's trust store (Windows
certificate store, macOS keychain, OpenSSL's store on Linux), so a hospital CA that IT
installed for every program works here too; a workstation configured with its own
`ca_bundle` trusts that file only.
An expired access token is refreshed once with the refresh token (kept by a `TokenStore`,
the OS keyring on a workstation); if that fails too, `SignInRequired` asks the person.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
import truststore
from requests.adapters import HTTPAdapter

from app.loopback import is_loopback

DEFAULT_TIMEOUT = (3.05, 20.0)  # connect, read (seconds)


class RegistryUnreachable(Exception):
    """No answer: offline, refused, reset or timed out. Safe to retry later."""


class RegistryNotTrusted(RegistryUnreachable):
    """The registry's certificate could not be verified: nothing was sent."""


class RegistryRedirected(RegistryNotTrusted):
    """The registry answered with a redirect (3xx). It is not followed: a 307 would send the
    request's body (a password, a patient) again to wherever it points, perhaps in clear."""


SIGN_IN_BUSY_TRIES = 5


class SignInRequired(Exception):
    """The registry wants the person to sign in again; the queue waits."""


class UnsafeRegistryUrl(ValueError):
    pass


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> str | None:
        return self.body.get("error") if isinstance(self.body, dict) else None

    @property
    def message(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("message", ""))
        return ""


class TokenStore(Protocol):
    def load(self) -> str | None: ...

    def save(self, refresh_token: str | None) -> None: ...


class MemoryTokens:
    """Keeps the refresh token in memory only (the scenario runner, tests)."""

    def __init__(self) -> None:
        self._token: str | None = None

    def load(self) -> str | None:
        return self._token

    def save(self, refresh_token: str | None) -> None:
        self._token = refresh_token


class KeyringTokens:
    """The refresh token in the OS keyring, never in a file."""

    def __init__(self, name: str) -> None:
        self._name = name

    def load(self) -> str | None:
        from local_store.device_secret import load_secret

        return load_secret(self._name)

    def save(self, refresh_token: str | None) -> None:
        from local_store.device_secret import delete_secret, save_secret

        if refresh_token is None:
            delete_secret(self._name)
        else:
            save_secret(self._name, refresh_token)


def check_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return base_url.rstrip("/")
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return base_url.rstrip("/")
    raise UnsafeRegistryUrl(
        f"The registry address must start with https:// (got {base_url!r}). Patient "
        "information is only sent over an encrypted connection."
    )


class RegistryTrust(HTTPAdapter):
    """The one trust decision for every https request to the registry: the OS trust store,
    or only the `ca_bundle` file when the workstation is configured with one.

    Scoped to this client's session rather than `truststore.inject_into_ssl()`, which would
    replace `ssl.SSLContext` for every library in this process (keyring back ends, anything
    else that opens a TLS connection): none of them changes behaviour because of us.

    The decision is fixed when the client is made: a `verify` that requests merged from the
    environment (`REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`) is ignored, and requests' own
    certifi bundle is not added to the OS store's anchors.
    """

    def __init__(self, ca_bundle: str | None = None) -> None:
        self.ca_bundle = ca_bundle
        # PROTOCOL_TLS_CLIENT: certificate and host name checked. None with a ca_bundle:
        # urllib3's own context then loads that file and nothing else (as before truststore).
        self._os_store = None if ca_bundle else truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        super().__init__()

    def init_poolmanager(self, *args: Any, **pool_kwargs: Any) -> None:
        if self._os_store is not None:
            pool_kwargs["ssl_context"] = self._os_store
        super().init_poolmanager(*args, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        # Through a proxy (an inspecting one re-signs with the hospital's CA) the same store
        # judges the certificate the tunnel presents.
        if self._os_store is not None:
            proxy_kwargs["ssl_context"] = self._os_store
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def cert_verify(self, conn: Any, url: str, verify: bool | str, cert: Any) -> None:
        super().cert_verify(conn, url, verify, cert)
        if self._os_store is not None:
            conn.ca_certs = conn.ca_cert_dir = None  # requests' default: certifi's bundle

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        return super().send(request, stream, timeout, self.ca_bundle or True, cert, proxies)


class RegistryClient:
    def __init__(
        self,
        base_url: str,
        tokens: TokenStore | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        ca_bundle: str | None = None,
    ) -> None:
        self.base_url = check_url(base_url)
        self.tokens = tokens or MemoryTokens()
        self.timeout = timeout
        self.http = requests.Session()
        self.trust = RegistryTrust(ca_bundle)
        self.http.mount("https://", self.trust)
        self.access_token: str | None = None
        self.account: dict[str, Any] | None = None
        # The sync thread and a person's own calls (an RDA) share this client: one request
        # at a time, so a refresh token is never rotated by two threads at once.
        self._lock = threading.RLock()

    def close(self) -> None:
        self.http.close()

    # Transport
    def _send(self, method: str, path: str, **kwargs: Any) -> Answer:
        if kwargs.get("json") is not None:
            # Serialized here, not by requests, which raises on a non-finite float before
            # anything is sent: such a value (from a scenario, or a broken caller) goes as
            # JSON's usual Infinity/NaN extension, for the registry to refuse as INVALID_ANC.
            kwargs["data"] = json.dumps(kwargs.pop("json"), allow_nan=True).encode()
            headers = kwargs.get("headers") or {}
            kwargs["headers"] = {**headers, "Content-Type": "application/json"}
        try:
            response = self.http.request(
                method,
                self.base_url + path,
                timeout=self.timeout,
                allow_redirects=False,
                **kwargs,
            )
        except requests.exceptions.SSLError as error:
            raise RegistryNotTrusted(
                "The registry's certificate could not be verified, so nothing was sent. "
                "Check the registry address, or ask your IT contact about the certificate."
            ) from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise RegistryUnreachable(str(error)) from error
        if 300 <= response.status_code < 400:
            raise RegistryRedirected(
                f"The registry answered {response.status_code}, sending the request elsewhere "
                f"({response.headers.get('Location', 'no address given')[:200]}). It was not "
                "followed, so nothing was sent there. Check the registry address with your IT "
                "contact."
            )
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = {"error": "BAD_ANSWER", "message": response.text[:200]}
        return Answer(response.status_code, body, response.headers.get("Idempotent-Replay") == "1")

    def _authorized(self, method: str, path: str, **kwargs: Any) -> Answer:
        with self._lock:
            return self._authorized_now(method, path, **kwargs)

    def _authorized_now(self, method: str, path: str, **kwargs: Any) -> Answer:
        for attempt in (1, 2):
            headers = dict(kwargs.pop("headers", {}) or {})
            if self.access_token:
                headers["Authorization"] = f"Bearer {self.access_token}"
            answer = self._send(method, path, headers=headers, **kwargs)
            kwargs["headers"] = headers
            if answer.status != 401 or attempt == 2:
                break
            if not self._refresh():
                break
        if answer.status == 401:
            raise SignInRequired(answer.message or "Sign in to the registry again.")
        return answer

    # Session
    def handshake(self) -> dict[str, Any]:
        answer = self._send("GET", "/v1/handshake")
        if not answer.ok:
            raise RegistryUnreachable(f"handshake answered {answer.status}")
        result: dict[str, Any] = answer.body
        return result

    def sign_in(self, email: str, password: str) -> Answer:
        """Sign in; a registry busy hashing others' passwords (503 SIGN_IN_BUSY) is asked
        again a few times, a second apart, before the person is told."""
        with self._lock:
            body = {"email": email, "password": password}
            answer = self._send("POST", "/v1/session", json=body)
            for _ in range(SIGN_IN_BUSY_TRIES):
                if answer.error != "SIGN_IN_BUSY":
                    break
                time.sleep(1.0)
                answer = self._send("POST", "/v1/session", json=body)
            if answer.ok:
                self._keep(answer.body)
            return answer

    def _refresh(self) -> bool:
        token = self.tokens.load()
        if not token:
            return False
        answer = self._send("POST", "/v1/session/refresh", json={"refresh_token": token})
        if not answer.ok:
            self.tokens.save(None)
            return False
        self._keep(answer.body)
        return True

    def _keep(self, body: dict[str, Any]) -> None:
        self.access_token = body["access_token"]
        self.account = body.get("account")
        self.tokens.save(body["refresh_token"])

    def sign_out(self) -> None:
        if self.access_token:
            with contextlib.suppress(RegistryUnreachable):
                self._send(
                    "DELETE",
                    "/v1/session",
                    headers={"Authorization": f"Bearer {self.access_token}"},
                )
        self.access_token = None
        self.tokens.save(None)

    # Calls
    def post(self, path: str, body: Any = None, key: str | None = None) -> Answer:
        """A POST with its Idempotency-Key (a new one unless given: the outbox gives its own)."""
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        return self._authorized("POST", path, json=body, headers=headers)

    def post_public(self, path: str, body: Any, key: str | None = None) -> Answer:
        headers = {"Idempotency-Key": key or str(uuid.uuid4())}
        return self._send("POST", path, json=body, headers=headers)

    def get(self, path: str, **params: Any) -> Answer:
        return self._authorized("GET", path, params=params)

    def put(self, path: str, body: Any) -> Answer:
        return self._authorized("PUT", path, json=body)

    def delete(self, path: str) -> Answer:
        return self._authorized("DELETE", path)

    def batch(self, items: list[dict[str, Any]]) -> Answer:
        return self._authorized("POST", "/v1/batch", json={"items": items})

    def changes(self, since: int, limit: int = 5000) -> Answer:
        return self.get("/v1/changes", since=since, limit=limit)
