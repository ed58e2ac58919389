"""Unit fixtures: a client of either flavour on the fake GraphQL server of ``tests/fakes.py``.

``api`` is an ``Api`` (``sync``) or an ``AsyncApi`` seen through the bridge of
``tests/flavours.py`` (``async``; ``flavour`` is in ``tests/conftest.py``), sending to ``fake``: a domain's client code is tested in
both flavours on canned replies, with no server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fakes import FakeGraphQL
from flavours import Flavour, Portal, is_bridged, open_api

FAKE_URL = "http://fake.invalid"


@pytest.fixture
def fake() -> FakeGraphQL:
    """The fake server: register replies with ``fake.on(operation, data)``."""
    return FakeGraphQL()


@pytest.fixture
def api(flavour: Flavour, portal: Portal, fake: FakeGraphQL) -> Iterator[Any]:
    """An ``Api`` or a bridged ``AsyncApi`` sending to ``fake``, with no retries."""
    api = open_api(
        flavour,
        portal,
        api_key="k" * 40,
        overrides={"base_url": FAKE_URL},
        transport=fake,
        max_retries=0,
    )
    assert is_bridged(api) is (flavour == "async")
    yield api
    api.close()
