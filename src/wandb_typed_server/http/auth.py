"""Who is asking: HTTP Basic ``api:<key>`` in the ``Authorization`` header.

Keys are looked up by :func:`wandb_typed_server.storage.keys.principal_for_api_key`.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3

from wandb_typed_server.storage.keys import principal_for_api_key
from wandb_typed_server.storage.principal import Principal


def api_key_from_header(authorization: str | None) -> str | None:
    """The key in an ``Authorization: Basic base64(api:<key>)`` header, or None.

    >>> api_key_from_header("Basic " + base64.b64encode(b"api:abc").decode())
    'abc'
    """
    if not authorization:
        return None
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, key = decoded.partition(":")
    return key if sep and key else None


def authenticate(conn: sqlite3.Connection, authorization: str | None) -> Principal | None:
    """The principal for an Authorization header; None for a missing or unknown key."""
    api_key = api_key_from_header(authorization)
    if api_key is None:
        return None
    return principal_for_api_key(conn, api_key)
