"""Every error wandb-typed raises, in one hierarchy.

```
WandbTypedError
├── TransportError                  the request did not produce a usable HTTP reply
│   ├── TimeoutError                connect/read/write/pool timeout
│   └── InvalidResponseError        the reply is not the JSON GraphQL envelope we expect
├── HTTPStatusError                 the server replied with a failing HTTP status
│   ├── AuthenticationError         401: missing or wrong API key
│   ├── PermissionDeniedError       403
│   ├── HTTPNotFoundError           404 (an URL, not a W&B object; see NotFoundError)
│   ├── RateLimitError              429, after retries ran out
│   └── ServerError                 5xx, after retries ran out
├── GraphQLError                    the reply carries GraphQL ``errors`` (``data`` may be partial)
│   └── GraphQLValidationError      the document was rejected before execution (never retried)
├── NotFoundError                   a run/project/artifact/user/... does not exist
├── ConfigError                     no API key, unreadable netrc or settings file, ...
├── ChecksumMismatchError           downloaded bytes do not match the server's md5
├── InvalidPathError (ValueError)   a malformed W&B path
├── InvalidArgumentError (ValueError)  an argument out of range or of the wrong kind
├── ValueTypeError (TypeError)      a config/summary value is not of the type asked for
└── UnsupportedByServerError        the server does not serve this feature
```

Errors keep the request and the response they came from, with the ``Authorization`` header
redacted; no message, ``repr`` or ``args`` ever carries the API key.

Example:
    >>> try:
    ...     raise AuthenticationError("HTTP 401 from POST /graphql", status_code=401)
    ... except HTTPStatusError as exc:
    ...     print(type(exc).__name__)
    AuthenticationError
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AuthenticationError",
    "ChecksumMismatchError",
    "ConfigError",
    "GraphQLError",
    "GraphQLErrorDetail",
    "GraphQLValidationError",
    "HTTPNotFoundError",
    "HTTPStatusError",
    "InvalidArgumentError",
    "InvalidPathError",
    "InvalidResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "UnsupportedByServerError",
    "ValueTypeError",
    "WandbTypedError",
]


class WandbTypedError(Exception):
    """The root of every error raised by wandb-typed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class _HasRequest(WandbTypedError):
    """An error tied to one HTTP exchange (kept redacted)."""

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.request = request
        """The request that failed, with ``Authorization`` redacted."""
        self.response = response
        """The response, when one arrived (its ``.request`` is the redacted request)."""


class TransportError(_HasRequest):
    """The request did not produce a usable HTTP reply (connection refused, reset, ...)."""


class TimeoutError(TransportError):
    """The request timed out (connect, read, write or waiting for a pooled connection)."""


class InvalidResponseError(TransportError):
    """The server replied, but not with the JSON GraphQL envelope (``data``/``errors``)."""


class HTTPStatusError(_HasRequest):
    """The server replied with a failing HTTP status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.status_code = status_code


class AuthenticationError(HTTPStatusError):
    """HTTP 401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(HTTPStatusError):
    """HTTP 403: the API key is valid but may not do this."""


class HTTPNotFoundError(HTTPStatusError):
    """HTTP 404 for an URL (a missing W&B object raises :class:`NotFoundError`)."""


class RateLimitError(HTTPStatusError):
    """HTTP 429 that outlasted the retries."""


class ServerError(HTTPStatusError):
    """HTTP 5xx that outlasted the retries."""


@dataclass(frozen=True)
class GraphQLErrorDetail:
    """One entry of a GraphQL response's ``errors`` list."""

    message: str
    path: tuple[str | int, ...] | None = None
    locations: tuple[tuple[int, int], ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict[str, Any])

    @classmethod
    def from_json(cls, raw: object) -> GraphQLErrorDetail:
        """Build a detail from one raw ``errors`` item, tolerating odd shapes.

        Example:
            >>> GraphQLErrorDetail.from_json({"message": "boom", "path": ["run", 0]}).path
            ('run', 0)
        """
        fields = _mapping(raw)
        if fields is None:
            return cls(message=str(raw))
        message = str(fields.get("message", "<no message>"))
        raw_path = _sequence(fields.get("path"))
        path = (
            tuple(p for p in raw_path if isinstance(p, str | int)) if raw_path is not None else None
        )
        locations: list[tuple[int, int]] = []
        for raw_location in _sequence(fields.get("locations")) or ():
            location = _mapping(raw_location)
            if location is not None:
                line, column = location.get("line"), location.get("column")
                if isinstance(line, int) and isinstance(column, int):
                    locations.append((line, column))
        raw_extensions = _mapping(fields.get("extensions"))
        extensions = dict(raw_extensions) if raw_extensions is not None else {}
        return cls(message=message, path=path, locations=tuple(locations), extensions=extensions)

    def __str__(self) -> str:
        where = f" (at {'.'.join(str(p) for p in self.path)})" if self.path else ""
        return f"{self.message}{where}"


class GraphQLError(_HasRequest):
    """The server answered with GraphQL ``errors``; ``data`` holds whatever did resolve."""

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[GraphQLErrorDetail],
        data: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response)
        self.errors: tuple[GraphQLErrorDetail, ...] = tuple(errors)
        """Every error the server reported, in order."""
        self.data = data
        """The partial ``data`` of the response (``None`` when execution never started)."""
        self.operation_name = operation_name


class GraphQLValidationError(GraphQLError):
    """The server rejected the document before executing it (unknown field, bad variable)."""


class NotFoundError(WandbTypedError):
    """A W&B object (run, project, artifact, user, ...) does not exist or is not visible."""

    def __init__(self, message: str, *, kind: str, path: str) -> None:
        super().__init__(message)
        self.kind = kind
        """What was looked up: ``"run"``, ``"project"``, ``"artifact"``, ..."""
        self.path = path
        """The path that was looked up, e.g. ``"entity/project/runs/abc123"``."""

    @classmethod
    def for_run(cls, path: object) -> NotFoundError:
        """The error for a run that is missing (or not visible with this API key)."""
        return cls(f"run {path} not found", kind="run", path=str(path))


class ConfigError(WandbTypedError):
    """The client cannot be configured: no API key, an unreadable netrc or settings file."""


class ChecksumMismatchError(WandbTypedError):
    """Downloaded bytes do not match the checksum the server gave; nothing was written."""


class InvalidPathError(WandbTypedError, ValueError):
    """A W&B path (run, project, sweep, report, artifact) is malformed or incomplete."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class InvalidArgumentError(WandbTypedError, ValueError):
    """An argument is out of range or of the wrong kind (e.g. ``per_page=0``)."""


def _mapping(value: object) -> Mapping[str, object] | None:
    """``value`` if it is a mapping (a decoded JSON object), else None."""
    return cast("Mapping[str, object]", value) if isinstance(value, Mapping) else None


def _sequence(value: object) -> Sequence[object] | None:
    """``value`` if it is a sequence other than a string (a decoded JSON array), else None."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return cast("Sequence[object]", value)
    return None


class ValueTypeError(WandbTypedError, TypeError):
    """A config or summary value is not of the type asked for (``get_as("lr", float)`` on a
    string); the message names the key, the type wanted and the value's type."""

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class UnsupportedByServerError(WandbTypedError):
    """The server does not serve what was asked (e.g. Parquet history exports)."""

    def __init__(self, message: str, *, feature: str) -> None:
        super().__init__(message)
        self.feature = feature
