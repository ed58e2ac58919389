"""Signed, expiring URLs for uploads and direct downloads (the SDK's PUTs carry no auth).

The HMAC secret lives in ``<data-dir>/url-signing.key`` (created once, mode 0600), so URLs
handed out before a restart stay valid until they expire.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

DEFAULT_TTL_SECONDS = 24 * 3600


class UrlSigner:
    """Signs ``(method, path, expiry)`` triples.

    >>> signer = UrlSigner(b"secret")
    >>> query = signer.sign("PUT", "/upload/e/p/r/a.txt", now=0)
    >>> signer.verify("PUT", "/upload/e/p/r/a.txt", "86400", query.split("signature=")[1], now=1)
    True
    """

    def __init__(self, secret: bytes, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    @classmethod
    def load_or_create(cls, data_dir: Path) -> UrlSigner:
        """The signer whose secret is kept in ``data_dir``."""
        path = data_dir / "url-signing.key"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        return cls(path.read_bytes())

    def _signature(self, method: str, path: str, expires: int) -> str:
        message = f"{method.upper()}\n{path}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(self, method: str, path: str, *, now: float | None = None) -> str:
        """The query string (``expires=..&signature=..``) authorising one method on one path."""
        expires = int(time.time() if now is None else now) + self.ttl_seconds
        return urlencode({"expires": expires, "signature": self._signature(method, path, expires)})

    def verify(
        self, method: str, path: str, expires: str, signature: str, *, now: float | None = None
    ) -> bool:
        """True when the signature matches and has not expired."""
        try:
            expiry = int(expires)
        except ValueError:
            return False
        if expiry < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(self._signature(method, path, expiry), signature)
