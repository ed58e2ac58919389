"""GraphQLTransport against scripted HTTP replies.

A real server cannot be made to answer 401/408/429/503, ``Retry-After`` or a dropped
connection on demand, so these tests use ``httpx.MockTransport``. Sleeping, the clocks and
the jitter are injected: the tests never wait and assert the exact delays asked for.
"""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from email.utils import format_datetime

import httpx
import pytest

from wandb_typed._retry import RetryPolicy
from wandb_typed._sync.transport import GraphQLTransport
from wandb_typed._transport_base import USER_AGENT
from wandb_typed.config import ApiKey
from wandb_typed.errors import (
    AuthenticationError,
    GraphQLError,
    HTTPNotFoundError,
    InvalidArgumentError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TimeoutError,
    TransportError,
)

KEY = "secret-0123456789abcdef0123456789abcdef01"
BASE = "http://wandb.local:8080"
QUERY = "query GetViewer { viewer { id } }"
MUTATION = "mutation UpsertBucket($id: String) { upsertBucket(input: {id: $id}) { inserted } }"
OK = {"data": {"viewer": {"id": "u1"}}}
WALL_NOW = 1_800_000_000.0

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests with scripted replies in order; records every request as it was sent
    (a copy: the transport removes the ``Authorization`` header from the original after the
    send)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(
            httpx.Request(
                request.method,
                request.url,
                headers=request.headers.copy(),
                content=request.read(),
                extensions=request.extensions,
            )
        )
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)


class FakeTime:
    """A monotonic clock that advances only when the transport sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def make_transport(
    script: Script,
    time: FakeTime,
    *,
    base_url: str = BASE,
    **policy: object,
) -> GraphQLTransport:
    return GraphQLTransport(
        base_url,
        ApiKey(KEY),
        api_key_source="environment variable WANDB_API_KEY",
        retry_policy=RetryPolicy(**policy),  # type: ignore[arg-type]
        transport=httpx.MockTransport(script),
        sleep=time.sleep,
        clock=time.clock,
        wall_clock=lambda: WALL_NOW + time.now,
        jitter=lambda: 1.0,
    )


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


def graphql_error_body(message: str) -> dict[str, object]:
    return {"data": {"viewer": None}, "errors": [{"message": message, "path": ["viewer"]}]}


# -- the request --------------------------------------------------------------------------


def test_request_carries_basic_auth_user_agent_and_json(time: FakeTime) -> None:
    script = Script(httpx.Response(200, json=OK))
    with make_transport(script, time) as transport:
        data = transport.execute(
            QUERY, operation_kind="query", operation_name="GetViewer", variables={"a": 1}
        )
    assert data == {"viewer": {"id": "u1"}}
    (request,) = script.requests
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/graphql"
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(f"api:{KEY}".encode()).decode()
    )
    assert request.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("wandb-typed/")
    assert json.loads(request.content) == {
        "query": QUERY,
        "operationName": "GetViewer",
        "variables": {"a": 1},
    }
    assert request.extensions["timeout"] == {
        "connect": 5.0,
        "read": 19.0,
        "write": 19.0,
        "pool": 19.0,
    }


def test_nan_in_a_reply_is_read(time: FakeTime) -> None:
    script = Script(httpx.Response(200, content=b'{"data": {"loss": NaN}}'))
    data = make_transport(script, time).execute("{ loss }", operation_kind="query")
    assert data["loss"] != data["loss"]


# -- retries ------------------------------------------------------------------------------


def test_503_is_retried_with_exponential_backoff(time: FakeTime) -> None:
    script = Script(httpx.Response(503), httpx.Response(503), httpx.Response(200, json=OK))
    data = make_transport(script, time, max_retries=2).execute(
        QUERY, operation_kind="query", operation_name="GetViewer"
    )
    assert data == {"viewer": {"id": "u1"}}
    assert len(script.requests) == 3
    assert time.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("status", [408, 429, 500, 502, 504])
def test_retryable_statuses_are_retried(time: FakeTime, status: int) -> None:
    script = Script(httpx.Response(status), httpx.Response(200, json=OK))
    assert make_transport(script, time).execute(QUERY, operation_kind="query") == {
        "viewer": {"id": "u1"}
    }
    assert len(script.requests) == 2


def test_retries_run_out_into_a_server_error(time: FakeTime) -> None:
    script = Script(httpx.Response(503, json={"error": "overloaded"}))
    with pytest.raises(ServerError, match=r"HTTP 503.* after 4 attempts: .*overloaded") as info:
        make_transport(script, time, max_retries=3).execute(
            QUERY, operation_kind="query", operation_name="GetViewer"
        )
    assert len(script.requests) == 4
    assert time.sleeps == [0.5, 1.0, 2.0]
    assert info.value.status_code == 503


def test_retry_after_seconds_is_honoured(time: FakeTime) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json=OK))
    make_transport(script, time).execute(QUERY, operation_kind="query")
    assert time.sleeps == [3.0]


def test_retry_after_http_date_is_honoured(time: FakeTime) -> None:
    when = format_datetime(datetime.fromtimestamp(WALL_NOW + 7, tz=timezone.utc), usegmt=True)
    script = Script(
        httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, json=OK)
    )
    make_transport(script, time).execute(QUERY, operation_kind="query")
    assert time.sleeps == [7.0]


def test_ratelimit_reset_is_honoured_on_429(time: FakeTime) -> None:
    script = Script(
        httpx.Response(429, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "4"}),
        httpx.Response(200, json=OK),
    )
    make_transport(script, time).execute(QUERY, operation_kind="query")
    assert time.sleeps == [4.0]


def test_retry_after_beyond_the_cap_gives_up_at_once(time: FakeTime) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitError, match="HTTP 429"):
        make_transport(script, time, max_retry_after=60.0).execute(QUERY, operation_kind="query")
    assert len(script.requests) == 1
    assert time.sleeps == []


def test_total_budget_bounds_retries(time: FakeTime) -> None:
    script = Script(httpx.Response(503))
    with pytest.raises(ServerError):
        make_transport(script, time, max_retries=100, budget=3.0).execute(
            QUERY, operation_kind="query"
        )
    # 0.5 + 1.0 = 1.5 s spent; the next wait (2.0) would end past the 3 s budget.
    assert time.sleeps == [0.5, 1.0]
    assert len(script.requests) == 3


def test_exhausted_quota_delays_the_next_request(time: FakeTime) -> None:
    script = Script(
        httpx.Response(200, json=OK, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "2"}),
        httpx.Response(200, json=OK),
    )
    transport = make_transport(script, time)
    transport.execute(QUERY, operation_kind="query")
    assert time.sleeps == []
    transport.execute(QUERY, operation_kind="query")
    assert time.sleeps == [2.0]


def test_connection_errors_are_retried(time: FakeTime) -> None:
    script = Script(httpx.ConnectError("refused"), httpx.Response(200, json=OK))
    assert make_transport(script, time).execute(QUERY, operation_kind="query") == {
        "viewer": {"id": "u1"}
    }
    assert time.sleeps == [0.5]


def test_persistent_connection_error_is_a_transport_error(time: FakeTime) -> None:
    script = Script(httpx.ConnectError("connection refused"))
    with pytest.raises(TransportError, match="failed after 3 attempts: connection refused") as info:
        make_transport(script, time, max_retries=2).execute(QUERY, operation_kind="query")
    assert type(info.value) is TransportError
    assert info.value.request is not None
    assert info.value.request.headers["authorization"] == "[redacted]"


def test_read_timeout_is_a_timeout_error_after_retries(time: FakeTime) -> None:
    script = Script(httpx.ReadTimeout("read timed out"))
    with pytest.raises(TimeoutError, match="timed out after 2 attempts"):
        make_transport(script, time, max_retries=1).execute(QUERY, operation_kind="query")
    assert len(script.requests) == 2


def test_graphql_errors_are_never_retried(time: FakeTime) -> None:
    script = Script(httpx.Response(200, json=graphql_error_body("boom")))
    with pytest.raises(GraphQLError, match="boom") as info:
        make_transport(script, time).execute(
            QUERY, operation_kind="query", operation_name="GetViewer"
        )
    assert len(script.requests) == 1
    assert info.value.data == {"viewer": None}


def test_401_is_not_retried_and_names_the_key_source(time: FakeTime) -> None:
    script = Script(httpx.Response(401, json={"error": "invalid api key"}))
    with pytest.raises(AuthenticationError) as info:
        make_transport(script, time).execute(
            QUERY, operation_kind="query", operation_name="GetViewer"
        )
    assert len(script.requests) == 1
    message = str(info.value)
    assert "HTTP 401" in message
    assert "invalid api key" in message
    assert "environment variable WANDB_API_KEY" in message


# -- mutations ----------------------------------------------------------------------------


def test_mutation_is_not_retried_after_it_may_have_reached_the_server(time: FakeTime) -> None:
    script = Script(httpx.Response(503), httpx.Response(200, json={"data": {}}))
    with pytest.raises(ServerError):
        make_transport(script, time).execute(MUTATION, operation_name="UpsertBucket")
    assert len(script.requests) == 1


def test_mutation_is_not_retried_after_a_read_timeout(time: FakeTime) -> None:
    script = Script(httpx.ReadTimeout("slow"), httpx.Response(200, json={"data": {}}))
    with pytest.raises(TimeoutError):
        make_transport(script, time).execute(MUTATION, operation_name="UpsertBucket")
    assert len(script.requests) == 1


def test_mutation_is_retried_when_it_never_left(time: FakeTime) -> None:
    script = Script(httpx.ConnectError("refused"), httpx.Response(200, json={"data": {"ok": 1}}))
    data = make_transport(script, time).execute(MUTATION, operation_name="UpsertBucket")
    assert data == {"ok": 1}
    assert len(script.requests) == 2


def test_known_idempotent_mutation_is_retried(time: FakeTime) -> None:
    script = Script(httpx.Response(503), httpx.Response(200, json={"data": {"ok": 1}}))
    transport = make_transport(script, time).with_options(
        idempotent_mutations=frozenset({"UpsertBucket"})
    )
    assert transport.execute(MUTATION, operation_name="UpsertBucket") == {"ok": 1}
    assert len(script.requests) == 2


def test_mutation_after_a_comment_is_still_a_mutation(time: FakeTime) -> None:
    script = Script(httpx.Response(502), httpx.Response(200, json={"data": {}}))
    with pytest.raises(ServerError):
        make_transport(script, time).execute("# note\n" + MUTATION, operation_name="UpsertBucket")
    assert len(script.requests) == 1


# -- downloads and uploads ----------------------------------------------------------------


def test_get_sends_the_key_to_the_server_itself_only(time: FakeTime) -> None:
    script = Script(lambda request: httpx.Response(200, content=b"payload"))
    transport = make_transport(script, time)
    assert transport.get("/files/e/p/r/config.yaml") == b"payload"
    assert transport.get(f"{BASE}/files/e/p/r/x") == b"payload"
    assert transport.get("https://storage.example.com/bucket/obj?sig=abc") == b"payload"
    own, absolute, foreign = script.requests
    assert str(own.url) == f"{BASE}/files/e/p/r/config.yaml"
    assert "authorization" in own.headers
    assert "authorization" in absolute.headers
    assert "authorization" not in foreign.headers


def test_get_follows_redirects_and_drops_auth_across_origins(time: FakeTime) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "wandb.local":
            return httpx.Response(302, headers={"Location": "https://storage.example.com/obj"})
        return httpx.Response(200, content=b"blob")

    script = Script(handler)
    assert make_transport(script, time).get("/files/e/p/r/big.bin") == b"blob"
    first, second = script.requests
    assert "authorization" in first.headers
    assert "authorization" not in second.headers


def test_get_404_is_http_not_found(time: FakeTime) -> None:
    script = Script(httpx.Response(404, text="no such file"))
    with pytest.raises(HTTPNotFoundError, match=r"HTTP 404.*no such file"):
        make_transport(script, time).get("/files/e/p/r/missing.txt")


def test_get_is_retried_on_503(time: FakeTime) -> None:
    script = Script(httpx.Response(503), httpx.Response(200, content=b"ok"))
    assert make_transport(script, time).get("/files/x") == b"ok"
    assert time.sleeps == [0.5]


def test_stream_yields_chunks(time: FakeTime) -> None:
    script = Script(httpx.Response(200, content=b"a" * 10))
    with make_transport(script, time).stream("/files/x", chunk_size=4) as chunks:
        assert list(chunks) == [b"aaaa", b"aaaa", b"aa"]


def test_put_sends_no_authorization(time: FakeTime) -> None:
    script = Script(httpx.Response(200))
    make_transport(script, time).put(
        f"{BASE}/upload/signed?sig=xyz", b"bytes", headers={"Content-MD5": "abc"}
    )
    (request,) = script.requests
    assert request.method == "PUT"
    assert request.content == b"bytes"
    assert request.headers["content-md5"] == "abc"
    assert "authorization" not in request.headers


def test_put_failure_is_mapped(time: FakeTime) -> None:
    script = Script(httpx.Response(403, text="signature expired"))
    with pytest.raises(PermissionDeniedError, match="signature expired"):
        make_transport(script, time).put(f"{BASE}/upload/signed", b"x")


def test_non_http_url_is_refused(time: FakeTime) -> None:
    with pytest.raises(InvalidArgumentError, match="not an http"):
        make_transport(Script(httpx.Response(200)), time).get("file:///etc/passwd")


# -- options and lifecycle ----------------------------------------------------------------


def test_with_options_shares_the_pool_but_not_the_settings(time: FakeTime) -> None:
    script = Script(httpx.Response(200, json=OK))
    transport = make_transport(script, time)
    patient = transport.with_options(timeout=120, max_retries=5, retry_budget=600)
    assert (patient.timeout, patient.retry_policy.max_retries) == (120.0, 5)
    assert patient.retry_policy.budget == 600
    assert (transport.timeout, transport.retry_policy.max_retries) == (19.0, 10)
    patient.execute(QUERY, operation_kind="query")
    assert script.requests[0].extensions["timeout"]["read"] == 120.0
    patient.close()  # a copy does not close the shared pool
    transport.execute(QUERY, operation_kind="query")
    assert len(script.requests) == 2


def test_a_closed_transport_says_so(time: FakeTime) -> None:
    transport = make_transport(Script(httpx.Response(200, json=OK)), time)
    with transport:
        transport.execute(QUERY, operation_kind="query")
    with pytest.raises(TransportError, match="is closed; create a new Api"):
        transport.execute(QUERY, operation_kind="query")


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), True])
def test_nonsense_timeout(timeout: float) -> None:
    with pytest.raises(InvalidArgumentError, match="timeout must be"):
        GraphQLTransport(BASE, ApiKey(KEY), timeout=timeout)


def test_repr_has_no_key(time: FakeTime) -> None:
    transport = make_transport(Script(httpx.Response(200)), time)
    assert KEY not in repr(transport)
    assert repr(transport) == f"GraphQLTransport(base_url='{BASE}', timeout=19.0, max_retries=10)"


def test_an_echoed_key_is_scrubbed_from_messages(time: FakeTime) -> None:
    script = Script(httpx.Response(500, json={"error": f"bad header Basic api:{KEY}"}))
    with pytest.raises(ServerError) as info:
        make_transport(script, time, max_retries=0).execute(QUERY, operation_kind="query")
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value.args)
    assert "[redacted]" in str(info.value)


# -- downloads cut off mid-body --------------------------------------------------------------


class CutBody(httpx.SyncByteStream):
    """``body[:cut]``, then a connection reset (what a dropped connection mid-body looks like)."""

    def __init__(self, body: bytes, cut: int) -> None:
        self.body, self.cut = body, cut

    def __iter__(self) -> Iterator[bytes]:
        yield self.body[: self.cut]
        raise httpx.ReadError("Connection reset by peer")


BLOB = bytes(range(256)) * 4


def test_a_download_cut_mid_body_resumes_with_range(time: FakeTime) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "range" not in request.headers:
            return httpx.Response(200, headers={"ETag": '"v1"'}, stream=CutBody(BLOB, 300))
        start = int(request.headers["range"].removeprefix("bytes=").rstrip("-"))
        return httpx.Response(
            206,
            headers={"Content-Range": f"bytes {start}-{len(BLOB) - 1}/{len(BLOB)}"},
            content=BLOB[start:],
        )

    script = Script(handler)
    with make_transport(script, time).stream("/files/e/p/r/blob.bin", chunk_size=64) as chunks:
        assert b"".join(chunks) == BLOB
    first, second = script.requests
    assert "range" not in first.headers
    # 300 bytes arrived; 256 (4 whole chunks) were handed on: the rest is asked again.
    assert (second.headers["range"], second.headers["if-range"]) == ("bytes=256-", '"v1"')
    assert second.headers["authorization"].startswith("Basic ")
    assert time.sleeps == [0.5]


def test_a_download_cut_mid_body_restarts_when_the_server_ignores_range(time: FakeTime) -> None:
    cuts = [100, 700]

    def handler(request: httpx.Request) -> httpx.Response:
        if cuts:
            return httpx.Response(200, stream=CutBody(BLOB, cuts.pop(0)))
        return httpx.Response(200, content=BLOB)

    script = Script(handler)
    with make_transport(script, time).stream("/files/x", chunk_size=64) as chunks:
        assert b"".join(chunks) == BLOB
    # Only whole chunks handed on count: 64 of the first 100 bytes, 640 of the next 700.
    assert [r.headers.get("range") for r in script.requests] == [None, "bytes=64-", "bytes=640-"]
    assert time.sleeps == [0.5, 1.0]


def test_a_download_of_a_file_that_changed_meanwhile_fails(time: FakeTime) -> None:
    replies = [
        httpx.Response(200, headers={"ETag": '"v1"'}, stream=CutBody(BLOB, 10)),
        httpx.Response(200, headers={"ETag": '"v2"'}, content=b"other"),
    ]
    script = Script(lambda request: replies.pop(0))
    with pytest.raises(TransportError, match="changed while it was being downloaded"):
        make_transport(script, time).get("/files/x")


def test_a_download_cut_every_time_gives_up_after_the_retries(time: FakeTime) -> None:
    script = Script(lambda request: httpx.Response(200, stream=CutBody(BLOB, 10)))
    with pytest.raises(TransportError, match="after 3 attempts: Connection reset") as info:
        make_transport(script, time, max_retries=2).get("/files/x")
    assert len(script.requests) == 3
    assert info.value.__context__ is None
    assert info.value.__cause__ is None


def test_a_download_cut_mid_body_counts_against_the_time_budget(time: FakeTime) -> None:
    script = Script(lambda request: httpx.Response(200, stream=CutBody(BLOB, 10)))
    with pytest.raises(TransportError):
        make_transport(script, time, max_retries=50, budget=2.0).get("/files/x")
    assert sum(time.sleeps) <= 2.0
    assert len(script.requests) == len(time.sleeps) + 1


# -- the key outlives no send -------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("reset"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("lost"),
        httpx.ReadError("reset mid-body"),
    ],
)
def test_network_errors_keep_no_httpx_exception_nor_the_header(
    time: FakeTime, failure: Exception
) -> None:
    script = Script(failure)
    token = base64.b64encode(f"api:{KEY}".encode()).decode()
    with pytest.raises(TransportError) as info:
        make_transport(script, time, max_retries=1).execute(QUERY, operation_kind="query")
    error = info.value
    assert (error.__context__, error.__cause__) == (None, None)
    assert error.request is not None
    assert error.request.headers["authorization"] == "[redacted]"
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if "wandb_typed" in frame.f_code.co_filename:
            shown = repr(dict(frame.f_locals))
            assert KEY not in shown
            assert token not in shown


def test_the_sent_request_and_the_reply_no_longer_hold_the_key(time: FakeTime) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)  # the very object sent, not a copy
        return httpx.Response(200, json=OK)

    transport = make_transport(Script(handler), time)
    transport.execute(QUERY, operation_kind="query")
    transport.get("/files/x")
    assert [r.headers["authorization"] for r in seen] == ["[redacted]", "[redacted]"]


class Interrupted(BaseException):
    """Stands for a cancellation or Ctrl-C arriving during the send."""


def test_a_send_interrupted_by_anything_leaves_no_key_on_the_request(time: FakeTime) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        raise Interrupted

    with pytest.raises(Interrupted):
        make_transport(Script(handler), time).execute(QUERY, operation_kind="query")
    assert sent[0].headers["authorization"] == "[redacted]"
