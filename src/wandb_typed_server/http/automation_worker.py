"""The delivery worker: sends the deliveries the event engine recorded, off the request path.

One thread finds due deliveries (``PENDING`` whose ``next_attempt_at`` has come), claims
each (``SENDING``, so no delivery is ever sent by two workers) and hands it to a small pool
of sender threads, so a receiver that never answers holds one sender, never a write. A
generic webhook is POSTed to its integration's URL with the payload, team secrets
substituted, ``Authorization: Bearer <access token>`` when the integration has one and
``X-Wandb-Signature`` (hex HMAC-SHA256 of the body with the signing secret) when it has a
secret. A Slack notification goes to the URL the server is configured with
(``DeliveryPolicy.slack_url``, else ``WANDB_TYPED_SLACK_WEBHOOK_URL``): a Slack incoming
webhook's JSON (``text``, plus ``channel``). A 2xx answer delivers; anything else is retried with
exponential backoff until ``max_attempts``; each attempt records the status code or error.
Secrets never reach the delivery rows nor the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from wandb_typed_server.storage import automations as store
from wandb_typed_server.storage.automation_events import render
from wandb_typed_server.storage.clock import utc_now_iso
from wandb_typed_server.storage.db import Database

logger = logging.getLogger(__name__)

SLACK_URL_ENV_VAR = "WANDB_TYPED_SLACK_WEBHOOK_URL"


@dataclass(frozen=True)
class DeliveryPolicy:
    """How deliveries are retried: attempts, first backoff (doubling), request timeout."""

    max_attempts: int = 5
    backoff_seconds: float = 0.5
    timeout_seconds: float = 10.0
    poll_seconds: float = 0.1
    senders: int = 4
    slack_url: str | None = None
    """Where Slack notifications go (default: ``$WANDB_TYPED_SLACK_WEBHOOK_URL``)."""


@dataclass(frozen=True)
class _Request:
    url: str
    body: bytes
    headers: dict[str, str]


class DeliveryWorker:
    """Background sender of automation deliveries for one database."""

    def __init__(self, db: Database, policy: DeliveryPolicy | None = None) -> None:
        self._db = db
        self._policy = policy or DeliveryPolicy()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="automation-worker", daemon=True)
        self._pool = ThreadPoolExecutor(self._policy.senders, thread_name_prefix="automation-send")

    def start(self) -> None:
        """Start sending (deliveries a previous process left mid-send are sent again)."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE automation_deliveries SET status = 'PENDING' WHERE status = 'SENDING'"
            )
        self._thread.start()

    def stop(self) -> None:
        """Stop claiming deliveries; senders in flight are not waited for."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                for pk in self._claim_due():
                    self._pool.submit(self._send, pk)
            except Exception:  # keep the worker alive; the next poll retries
                logger.exception("automation worker: claiming deliveries failed")
            self._stopped.wait(self._policy.poll_seconds)

    def _claim_due(self) -> list[int]:
        # a read first: an idle server's poll never takes the write lock
        due = (
            self._db.connection()
            .execute(
                "SELECT 1 FROM automation_deliveries WHERE status = 'PENDING'"
                " AND next_attempt_at <= ? LIMIT 1",
                (time.time(),),
            )
            .fetchone()
        )
        if due is None:
            return []
        with self._db.transaction() as conn:
            rows = conn.execute(
                "UPDATE automation_deliveries SET status = 'SENDING', updated_at = ?"
                " WHERE pk IN (SELECT pk FROM automation_deliveries WHERE status = 'PENDING'"
                " AND next_attempt_at <= ? ORDER BY pk LIMIT 32) RETURNING pk",
                (utc_now_iso(), time.time()),
            ).fetchall()
        return sorted(int(row[0]) for row in rows)

    def _request(self, pk: int) -> _Request:
        conn = self._db.connection()
        delivery = conn.execute(
            "SELECT * FROM automation_deliveries WHERE pk = ?", (pk,)
        ).fetchone()
        integration = (
            store.integration_by_pk(conn, int(delivery["integration_pk"]))
            if delivery["integration_pk"] is not None
            else None
        )
        if integration is None:
            raise LookupError("the action's integration no longer exists")
        secrets = store.secret_values(conn, int(integration["entity_pk"]))
        if integration["kind"] == "SLACK":
            url = self._policy.slack_url or os.environ.get(SLACK_URL_ENV_VAR, "")
            if not url:
                raise LookupError(f"no Slack delivery URL configured ({SLACK_URL_ENV_VAR})")
            message = json.loads(delivery["payload"])
            message["channel"] = integration["channel_name"]
            message["team"] = integration["team_name"]
            return _Request(url, json.dumps(message).encode(), {"Content-Type": "application/json"})
        body = render(str(delivery["payload"]), secrets).encode()
        headers = {"Content-Type": "application/json"}
        token_name = store.secret_ref_name(integration["access_token_ref"])
        if token_name and token_name in secrets:
            headers["Authorization"] = f"Bearer {secrets[token_name]}"
        secret_name = store.secret_ref_name(integration["secret_ref"])
        if secret_name and secret_name in secrets:
            signature = hmac.new(secrets[secret_name].encode(), body, hashlib.sha256).hexdigest()
            headers["X-Wandb-Signature"] = signature
        return _Request(str(integration["url"]), body, headers)

    def _send(self, pk: int) -> None:
        code: int | None = None
        error: str | None = None
        try:
            request = self._request(pk)
            http_request = urllib.request.Request(
                request.url, data=request.body, headers=request.headers, method="POST"
            )
            with urllib.request.urlopen(
                http_request, timeout=self._policy.timeout_seconds
            ) as reply:
                code = int(reply.status)
        except urllib.error.HTTPError as exc:
            code, error = exc.code, f"HTTP {exc.code}"
        except (OSError, LookupError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        self._record(pk, code, error)

    def _record(self, pk: int, code: int | None, error: str | None) -> None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT attempts FROM automation_deliveries WHERE pk = ?", (pk,)
            ).fetchone()
            if row is None:
                return
            attempts = int(row[0]) + 1
            delivered = error is None and code is not None and 200 <= code < 300
            if delivered:
                status, next_at = "DELIVERED", 0.0
            elif attempts >= self._policy.max_attempts:
                status, next_at = "FAILED", 0.0
            else:
                status = "PENDING"
                next_at = time.time() + self._policy.backoff_seconds * 2 ** (attempts - 1)
            conn.execute(
                "UPDATE automation_deliveries SET status = ?, attempts = ?, last_status_code = ?,"
                " last_error = ?, next_attempt_at = ?, updated_at = ? WHERE pk = ?",
                (status, attempts, code, error, next_at, utc_now_iso(), pk),
            )
        if not delivered:
            logger.info("automation delivery %d attempt %d: %s", pk, attempts, error or code)
