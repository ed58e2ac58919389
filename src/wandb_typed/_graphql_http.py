"""Building GraphQL requests and checking replies: pure functions, no I/O.

The sync transport (and a future async twin) only send what :func:`build_graphql_request`
builds and hand what comes back to :func:`interpret_graphql_response`. Error mapping lives
here, so both twins raise the same errors for the same replies.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import httpx

from wandb_typed._json import as_array, as_object, parse
from wandb_typed.errors import (
    AuthenticationError,
    GraphQLError,
    GraphQLErrorDetail,
    GraphQLValidationError,
    HTTPNotFoundError,
    HTTPStatusError,
    InvalidArgumentError,
    InvalidResponseError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)

__all__ = [
    "REDACTED",
    "basic_auth_header",
    "build_graphql_request",
    "encode_graphql_body",
    "error_for_status",
    "interpret_graphql_response",
    "parse_json",
    "redact_request",
    "redact_response",
    "same_origin",
]

REDACTED = "[redacted]"
_SENSITIVE_HEADERS = ("authorization", "proxy-authorization", "cookie")
_VALIDATION_CODES = frozenset({"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"})
_SNIPPET = 300


def basic_auth_header(api_key: str) -> str:
    """``Basic base64("api:<key>")``: W&B's HTTP Basic scheme.

    Example:
        >>> basic_auth_header("k")
        'Basic YXBpOms='
    """
    token = base64.b64encode(f"api:{api_key}".encode()).decode("ascii")
    return f"Basic {token}"


def encode_graphql_body(
    query: str, operation_name: str | None, variables: Mapping[str, Any] | None
) -> bytes:
    """The JSON body ``{"query", "operationName"?, "variables"?}``, compact UTF-8.

    Example:
        >>> encode_graphql_body("{ viewer { id } }", None, None)
        b'{"query":"{ viewer { id } }"}'
    """
    body: dict[str, Any] = {"query": query}
    if operation_name is not None:
        body["operationName"] = operation_name
    if variables:
        body["variables"] = dict(variables)
    try:
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"The variables of operation {operation_name or '(anonymous)'} cannot be sent as "
            f"JSON: {exc}"
        ) from None
    except RecursionError:
        raise InvalidArgumentError(
            f"The variables of operation {operation_name or '(anonymous)'} cannot be sent as "
            "JSON: they nest too deeply (or contain themselves)"
        ) from None
    return text.encode("utf-8")


def build_graphql_request(
    url: str,
    query: str,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    headers: Mapping[str, str],
) -> httpx.Request:
    """The ``POST {base_url}/graphql`` request for one operation (auth included in headers)."""
    merged = httpx.Headers(headers)
    merged["Content-Type"] = "application/json"
    merged["Accept"] = "application/json"
    return httpx.Request(
        "POST", url, headers=merged, content=encode_graphql_body(query, operation_name, variables)
    )


def same_origin(url: httpx.URL, base: httpx.URL) -> bool:
    """Whether ``url`` is on the base URL's scheme, host and port (so may carry our key)."""
    return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)


def redact_request(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` whose credentials headers read ``[redacted]``."""
    headers = httpx.Headers(request.headers)
    for name in _SENSITIVE_HEADERS:
        if name in headers:
            headers[name] = REDACTED
    try:
        content = request.content
    except httpx.RequestNotRead:
        content = b""
    url = request.url.copy_with(password=REDACTED) if request.url.password else request.url
    return httpx.Request(request.method, url, headers=headers, content=content)


def redact_response(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    """A read copy of ``response`` tied to the redacted ``request`` (not the original)."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    headers = httpx.Headers(response.headers)
    for name in ("content-encoding", "content-length", "transfer-encoding"):
        if name in headers:
            del headers[name]
    return httpx.Response(response.status_code, headers=headers, content=content, request=request)


def parse_json(content: bytes) -> object:
    """Parse a reply body as the stdlib does, accepting NaN/Infinity and raw control
    characters (through :func:`wandb_typed._json.parse`, the fast parser first).

    Example:
        >>> parse_json(b'{"loss": NaN}')
        {'loss': nan}
    """
    return parse(content)


def error_for_status(
    response: httpx.Response,
    request: httpx.Request,
    *,
    operation_name: str | None = None,
    hint: str = "",
    attempts: int = 1,
) -> HTTPStatusError:
    """The :class:`HTTPStatusError` subclass for a failing reply, with a message naming it.

    ``request`` must already be redacted; ``hint`` is appended (e.g. where the key came from);
    ``attempts`` above 1 is mentioned (the retries that were made before giving up).
    """
    status = response.status_code
    cls: type[HTTPStatusError]
    if status == 401:
        cls, what = AuthenticationError, "the server rejected the API key"
    elif status == 403:
        cls, what = PermissionDeniedError, "permission denied"
    elif status == 404:
        cls, what = HTTPNotFoundError, "not found"
    elif status == 429:
        cls, what = RateLimitError, "rate limited"
    elif 500 <= status <= 599:
        cls, what = ServerError, "server error"
    else:
        cls, what = HTTPStatusError, "request failed"
    reason = f" {response.reason_phrase}" if response.reason_phrase else ""
    operation = f" (operation {operation_name})" if operation_name else ""
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    detail = _server_message(response)
    message = (
        f"HTTP {status}{reason} from {request.method} {request.url}{operation}{tries}: {what}"
        f"{': ' + detail if detail else ''}{'. ' + hint if hint else ''}"
    )
    return cls(
        message,
        status_code=status,
        request=request,
        response=redact_response(response, request),
    )


def interpret_graphql_response(
    response: httpx.Response,
    request: httpx.Request,
    *,
    operation_name: str | None,
    auth_hint: str = "",
    attempts: int = 1,
) -> dict[str, Any]:
    """The ``data`` of a read GraphQL reply, or the error the reply stands for.

    Args:
        response: The reply, already read.
        request: The request, already redacted (errors keep it).
        operation_name: Named in error messages.
        auth_hint: Appended to a 401 message, e.g. "the key came from WANDB_API_KEY".
        attempts: How many times the request was sent (named in status errors).

    Raises:
        HTTPStatusError: A failing status (subclass per status), unless a 400 carries
            GraphQL errors, which are a :class:`GraphQLValidationError`.
        GraphQLError: The reply carries ``errors``; ``.data`` holds the partial data.
        InvalidResponseError: The body is not a JSON object with ``data`` or ``errors``.
    """
    status = response.status_code
    if status != 400 and not 200 <= status <= 299:
        hint = auth_hint if status == 401 else ""
        raise error_for_status(
            response, request, operation_name=operation_name, hint=hint, attempts=attempts
        )
    try:
        body = parse_json(response.content)
    except (ValueError, UnicodeDecodeError):
        if status == 400:
            raise error_for_status(response, request, operation_name=operation_name) from None
        raise InvalidResponseError(
            f"Reply to {request.method} {request.url} (operation {operation_name or '?'}) is "
            f"not JSON (HTTP {status}, content-type "
            f"{response.headers.get('content-type', '?')!r}): {_snippet(response.text)!r}",
            request=request,
            response=redact_response(response, request),
        ) from None
    reply = as_object(body)
    if reply is None:
        raise InvalidResponseError(
            f"Reply to operation {operation_name or '?'} is JSON but not an object: "
            f"{_snippet(response.text)!r}",
            request=request,
            response=redact_response(response, request),
        )
    raw_errors = reply.get("errors")
    if raw_errors:
        raise _graphql_error(reply, raw_errors, status, response, request, operation_name)
    if status == 400:
        raise error_for_status(response, request, operation_name=operation_name)
    data = as_object(reply.get("data"))
    if data is None:
        raise InvalidResponseError(
            f"Reply to operation {operation_name or '?'} has neither 'data' nor 'errors': "
            f"{_snippet(response.text)!r}",
            request=request,
            response=redact_response(response, request),
        )
    return data


def _graphql_error(
    body: dict[str, Any],
    raw_errors: object,
    status: int,
    response: httpx.Response,
    request: httpx.Request,
    operation_name: str | None,
) -> GraphQLError:
    array = as_array(raw_errors)
    items: list[object] = list(array) if array is not None else [raw_errors]
    details = [GraphQLErrorDetail.from_json(item) for item in items]
    codes = {d.extensions.get("code") for d in details}
    validation = "data" not in body or status == 400 or bool(codes & _VALIDATION_CODES)
    cls = GraphQLValidationError if validation else GraphQLError
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    kind = "rejected" if validation else "failed"
    data = as_object(body.get("data"))
    return cls(
        f"GraphQL operation {operation_name or '(anonymous)'} {kind}: {details[0]}{more}",
        errors=details,
        data=data,
        operation_name=operation_name,
        request=request,
        response=redact_response(response, request),
    )


def _server_message(response: httpx.Response) -> str:
    """The server's own words about a failure: a JSON ``errors``/``error`` or a text snippet."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return ""
    if not content:
        return ""
    try:
        body = parse_json(content)
    except (ValueError, UnicodeDecodeError):
        return _snippet(response.text)
    reply = as_object(body)
    if reply is not None:
        errors = as_array(reply.get("errors"))
        if errors:
            return str(GraphQLErrorDetail.from_json(errors[0]))
        for key in ("error", "message", "detail"):
            text = reply.get(key)
            if isinstance(text, str):
                return _snippet(text)
    return _snippet(response.text)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 3] + "..."
