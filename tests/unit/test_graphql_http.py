"""Request building and reply checking, without I/O: every reply maps onto one error."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from wandb_typed._graphql_http import (
    basic_auth_header,
    build_graphql_request,
    encode_graphql_body,
    interpret_graphql_response,
    parse_json,
    redact_request,
    redact_response,
    same_origin,
)
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
    WandbTypedError,
)

URL = "http://srv:8080/graphql"
KEY = "k3y-0123456789abcdef0123456789abcdef0123"


def graphql_request() -> httpx.Request:
    return build_graphql_request(
        URL,
        "query GetViewer { viewer { id } }",
        operation_name="GetViewer",
        variables={"x": 1},
        headers={"Authorization": basic_auth_header(KEY), "User-Agent": "t"},
    )


def reply(status: int, body: object = None, *, text: str | None = None) -> httpx.Response:
    request = graphql_request()
    if text is not None:
        return httpx.Response(status, text=text, request=request)
    return httpx.Response(status, json=body, request=request)


def interpret(response: httpx.Response) -> dict[str, object]:
    return interpret_graphql_response(
        response, redact_request(response.request), operation_name="GetViewer"
    )


def test_basic_auth_is_api_colon_key() -> None:
    assert basic_auth_header("abc") == "Basic YXBpOmFiYw=="


def test_request_shape() -> None:
    request = graphql_request()
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert json.loads(request.content) == {
        "query": "query GetViewer { viewer { id } }",
        "operationName": "GetViewer",
        "variables": {"x": 1},
    }


def test_body_leaves_out_empty_parts_and_keeps_unicode_and_nan() -> None:
    assert json.loads(encode_graphql_body("{ a }", None, {})) == {"query": "{ a }"}
    body = encode_graphql_body("{ a }", None, {"name": "résumé", "v": math.inf})
    assert "résumé".encode() in body
    assert b"Infinity" in body


def test_parse_json_accepts_nan_infinity_and_control_characters() -> None:
    value = parse_json(b'{"a": NaN, "b": -Infinity, "c": "tab\there"}')
    assert isinstance(value, dict)
    assert math.isnan(value["a"])
    assert value["b"] == -math.inf
    assert value["c"] == "tab\there"


def test_data_is_returned_on_success() -> None:
    assert interpret(reply(200, {"data": {"viewer": {"id": "u1"}}})) == {"viewer": {"id": "u1"}}


def test_graphql_errors_with_partial_data() -> None:
    body = {
        "data": {"viewer": None, "other": 1},
        "errors": [
            {
                "message": "boom",
                "path": ["viewer"],
                "locations": [{"line": 1, "column": 2}],
                "extensions": {"code": "INTERNAL"},
            },
            {"message": "second"},
        ],
    }
    with pytest.raises(GraphQLError) as info:
        interpret(reply(200, body))
    error = info.value
    assert type(error) is GraphQLError
    assert error.data == {"viewer": None, "other": 1}
    assert error.errors[0] == GraphQLErrorDetail(
        "boom", ("viewer",), ((1, 2),), {"code": "INTERNAL"}
    )
    assert str(error) == "GraphQL operation GetViewer failed: boom (at viewer) (and 1 more)"
    assert error.operation_name == "GetViewer"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"errors": [{"message": "Cannot query field 'nope' on type 'User'."}]}),
        (200, {"errors": [{"message": "Cannot query field 'nope' on type 'User'."}]}),
        (
            200,
            {
                "data": None,
                "errors": [
                    {
                        "message": "Cannot query field 'nope' on type 'User'.",
                        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                    }
                ],
            },
        ),
    ],
)
def test_validation_errors(status: int, body: object) -> None:
    with pytest.raises(GraphQLValidationError, match="rejected: Cannot query field 'nope'") as info:
        interpret(reply(status, body))
    assert info.value.data is None


@pytest.mark.parametrize(
    ("status", "cls", "words"),
    [
        (401, AuthenticationError, "the server rejected the API key"),
        (403, PermissionDeniedError, "permission denied"),
        (404, HTTPNotFoundError, "not found"),
        (429, RateLimitError, "rate limited"),
        (500, ServerError, "server error"),
        (503, ServerError, "server error"),
        (409, HTTPStatusError, "request failed"),
        (400, HTTPStatusError, "request failed"),
    ],
)
def test_status_errors(status: int, cls: type[HTTPStatusError], words: str) -> None:
    with pytest.raises(cls) as info:
        interpret(reply(status, {"error": "the server's words"}))
    error = info.value
    assert type(error) is cls
    assert error.status_code == status
    assert str(error).startswith(f"HTTP {status}")
    assert "POST http://srv:8080/graphql (operation GetViewer)" in str(error)
    assert words in str(error)
    assert "the server's words" in str(error)
    assert error.response is not None
    assert error.response.status_code == status


def test_status_error_quotes_a_graphql_message_or_text() -> None:
    with pytest.raises(ServerError, match="db down"):
        interpret(reply(502, {"errors": [{"message": "db down"}]}))
    with pytest.raises(ServerError, match="<h1>Bad gateway</h1>"):
        interpret(reply(502, text="<h1>Bad gateway</h1>"))


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (reply(200, text="<html>proxy login</html>"), "is not JSON"),
        (reply(200, [1, 2]), "not an object"),
        (reply(200, {}), "neither 'data' nor 'errors'"),
        (reply(200, {"data": None}), "neither 'data' nor 'errors'"),
    ],
)
def test_invalid_replies(response: httpx.Response, words: str) -> None:
    with pytest.raises(InvalidResponseError, match=words):
        interpret(response)


def test_redaction_keeps_everything_but_credentials() -> None:
    request = graphql_request()
    redacted = redact_request(request)
    assert redacted.headers["authorization"] == "[redacted]"
    assert redacted.headers["user-agent"] == "t"
    assert redacted.content == request.content
    assert KEY not in str(redacted.headers.raw)
    response = redact_response(httpx.Response(200, json={"ok": 1}, request=request), redacted)
    assert response.request is redacted
    assert response.json() == {"ok": 1}


def test_errors_keep_only_the_redacted_request() -> None:
    with pytest.raises(AuthenticationError) as info:
        interpret(reply(401, {"error": "nope"}))
    error = info.value
    assert error.request is not None
    assert error.response is not None
    assert error.request.headers["authorization"] == "[redacted]"
    assert error.response.request.headers["authorization"] == "[redacted]"
    header = basic_auth_header(KEY)
    for text in (str(error), repr(error), repr(error.args), str(error.request.headers.raw)):
        assert KEY not in text
        assert header not in text


def test_same_origin() -> None:
    base = httpx.URL("http://srv:8080")
    assert same_origin(httpx.URL("http://srv:8080/files/a"), base)
    assert not same_origin(httpx.URL("https://srv:8080/files/a"), base)
    assert not same_origin(httpx.URL("http://storage.example.com/a"), base)
    assert not same_origin(httpx.URL("http://srv:9090/a"), base)


def test_all_errors_share_the_root() -> None:
    for cls in (AuthenticationError, GraphQLValidationError, InvalidResponseError):
        assert issubclass(cls, WandbTypedError)


def test_error_detail_tolerates_odd_shapes() -> None:
    assert GraphQLErrorDetail.from_json("plain string").message == "plain string"
    odd = GraphQLErrorDetail.from_json({"path": "not-a-list", "locations": [{"line": "x"}]})
    assert odd == GraphQLErrorDetail("<no message>", None, (), {})


def test_variables_that_are_not_json_name_the_operation() -> None:
    with pytest.raises(InvalidArgumentError, match="variables of operation GetRun cannot be sent"):
        encode_graphql_body("query GetRun { a }", "GetRun", {"when": object()})


def test_variables_nested_too_deeply_are_refused_not_a_recursion_error() -> None:
    document: dict[str, object] = {"leaf": 1}
    for _ in range(100_000):
        document = {"inner": document}
    with pytest.raises(InvalidArgumentError, match="GetRun cannot be sent as JSON: they nest"):
        encode_graphql_body("query GetRun { a }", "GetRun", {"deep": document})
    looped: dict[str, object] = {}
    looped["self"] = looped
    with pytest.raises(InvalidArgumentError, match="Circular reference"):
        encode_graphql_body("query GetRun { a }", "GetRun", {"looped": looped})
