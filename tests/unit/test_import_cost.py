"""Reaching ``wandb_typed.Api`` loads no HTTP stack and no models: httpx (and email.utils,
needed only to read a Retry-After date), pydantic and the generated client load when the
first ``Api`` is built."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "httpx",
    "email.utils",
    "pydantic",
    "wandb_typed._sync.transport",
    "wandb_typed._generated.client",
)


def loaded_after(statement: str) -> list[str]:
    code = (
        f"import sys, wandb_typed; {statement}; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    return [name for name in output.split(",") if name]


def test_the_api_class_loads_no_http_stack() -> None:
    assert loaded_after("wandb_typed.Api") == []


def test_building_an_api_loads_the_transport_and_the_typed_client() -> None:
    loaded = loaded_after(
        "wandb_typed.Api(api_key='k' * 40, overrides={'base_url': 'http://127.0.0.1:9'})"
    )
    assert "httpx" in loaded
    assert "wandb_typed._sync.transport" in loaded
    assert "pydantic" in loaded
    assert "wandb_typed._generated.client" in loaded
