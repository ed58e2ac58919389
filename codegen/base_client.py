"""The base class of the generated client (copied into ``_generated/`` by ariadne-codegen).

It owns nothing but the hand-off: every generated method calls ``execute`` and then
``get_data``. ``execute`` turns the generated arguments into JSON-ready variables (dropping
``UNSET``, dumping input models by alias without ``None``s) and passes them to
:class:`wandb_typed._transport.GraphQLTransport`, which owns auth, retries, timeouts and the
mapping of HTTP and GraphQL failures onto wandb_typed's error hierarchy; it returns the
response's ``data``.

A caller may pass ``on_data=`` to any generated method: it is called with the reply's
``data`` before the method validates it into models (a listing reads the next page's
cursor there, so that page is requested while this one is validated).
"""

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from wandb_typed._transport import GraphQLTransport

from .base_model import UNSET


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


class GeneratedClientBase:
    def __init__(self, transport: GraphQLTransport) -> None:
        self.transport = transport

    def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
        *,
        on_data: Callable[[dict[str, Any]], None] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        ready = {k: _jsonable(v) for k, v in (variables or {}).items() if v is not UNSET}
        data = self.transport.execute(query, operation_name=operation_name, variables=ready)
        if on_data is not None:
            on_data(data)
        return data

    def get_data(self, response: dict[str, Any]) -> dict[str, Any]:
        return response
