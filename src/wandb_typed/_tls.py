"""The verifying SSL context every client of this process shares, with its CA bundle loaded
when it first secures a connection, not when it is built.

Loading the bundle costs about 25 ms (certifi's ~150 certificates are parsed), which a
script talking to ``http://localhost`` never needs and which would otherwise sit before its
first request. The context is what ``httpx.create_ssl_context()`` makes: TLS client,
hostname checked, certificate required, trusting ``$SSL_CERT_FILE`` or ``$SSL_CERT_DIR``
when set and certifi's bundle otherwise (``$SSLKEYLOGFILE`` honoured, as the standard
library's default context does).

Example:
    >>> context = DeferredTrustContext.verifying()
    >>> context.verify_mode == ssl.CERT_REQUIRED, context.check_hostname, context.trust_loaded
    (True, True, False)
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
import threading

__all__ = ["DeferredTrustContext"]


class DeferredTrustContext(ssl.SSLContext):
    """A client ``SSLContext`` that loads its trusted certificates on its first wrap."""

    _cafile: str | None
    _capath: str | None
    _loaded: bool
    _lock: threading.Lock

    @classmethod
    def verifying(cls) -> DeferredTrustContext:
        """A context that verifies servers against the CA bundle httpx would choose."""
        context = cls(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname and CERT_REQUIRED by default
        cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
        context._cafile = cafile or (None if capath else _certifi_bundle())
        context._capath = None if cafile else capath
        context._loaded = False
        context._lock = threading.Lock()
        keylog = os.environ.get("SSLKEYLOGFILE")
        if keylog and not sys.flags.ignore_environment:
            context.keylog_filename = keylog
        return context

    @property
    def trust_loaded(self) -> bool:
        """Whether the trusted certificates are loaded (after the first TLS connection)."""
        return self._loaded

    def load_trust(self) -> None:
        """Load the trusted certificates now (once; later calls do nothing)."""
        with self._lock:
            if not self._loaded:
                self.load_verify_locations(cafile=self._cafile, capath=self._capath)
                self._loaded = True

    def wrap_socket(
        self,
        sock: socket.socket,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLSocket:
        """``SSLContext.wrap_socket`` once the trusted certificates are loaded."""
        self.load_trust()
        return super().wrap_socket(
            sock,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            suppress_ragged_eofs=suppress_ragged_eofs,
            server_hostname=server_hostname,
            session=session,
        )

    def wrap_bio(
        self,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLObject:
        """``SSLContext.wrap_bio`` once the trusted certificates are loaded."""
        self.load_trust()
        return super().wrap_bio(
            incoming,
            outgoing,
            server_side=server_side,
            server_hostname=server_hostname,
            session=session,
        )


def _certifi_bundle() -> str:
    import certifi  # httpx's own dependency, as in httpx.create_ssl_context

    return certifi.where()
