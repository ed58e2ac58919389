"""The base class of the generated client (copied into ``_generated/`` by ariadne-codegen).

It owns nothing but the hand-off: every generated method calls ``execute`` and then
``get_data``. ``execute`` turns the generated arguments into JSON-ready variables (dropping
``UNSET``, dumping input models by alias without ``None``s) and passes them, with the
operation's kind (recorded by ``codegen/plugins.py``), to the transport, which owns auth,
retries, timeouts and the mapping of HTTP and GraphQL failures onto wandb_typed's errors.

This file is the async source; ``codegen/unasync.py`` derives ``base_client.py`` (the sync
twin) from it. The transport is described by a protocol here, so the generated package
imports nothing handwritten.

A caller may pass ``on_data=`` to any generated method: it is called with the reply's
``data`` before the method validates it into models (a listing reads the next page's
cursor there, so that page is requested while this one is validated).
"""

from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from .base_model import UNSET

OperationKind = Literal["query", "mutation", "subscription"]


class AsyncGraphQLSender(Protocol):
    """What the generated client needs of a transport."""

    async def execute(
        self,
        query: str,
        *,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        operation_kind: OperationKind = "mutation",
    ) -> dict[str, Any]:
        """Send ``query``; return the reply's ``data``, or raise the matching error."""
        ...


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


class AsyncGeneratedClientBase:
    """What every generated method calls: ``execute`` sends, ``get_data`` unwraps."""

    def __init__(self, transport: AsyncGraphQLSender) -> None:
        """Send every operation through ``transport``."""
        self.transport = transport

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
        *,
        operation_kind: OperationKind = "mutation",
        on_data: Callable[[dict[str, Any]], None] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Send one operation; return the reply's ``data`` (errors are raised by the transport).

        ``on_data``, when given, sees that ``data`` before the caller validates it.
        """
        ready = {k: _jsonable(v) for k, v in (variables or {}).items() if v is not UNSET}
        data = await self.transport.execute(
            query, operation_name=operation_name, variables=ready, operation_kind=operation_kind
        )
        if on_data is not None:
            on_data(data)
        return data

    def get_data(self, response: dict[str, Any]) -> dict[str, Any]:
        """The part of a reply the result model validates: all of it (``execute`` unwrapped it)."""
        return response
