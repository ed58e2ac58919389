"""The base class of the generated client (copied into ``_generated/`` by ariadne-codegen).

It owns nothing but the hand-off: every generated method calls ``execute`` and then
``get_data``; both go to :class:`wandb_typed._transport.GraphQLTransport`, which owns auth,
retries, timeouts and the mapping of HTTP and GraphQL failures onto our error hierarchy.
"""

from typing import Any

from wandb_typed._transport import GraphQLTransport


class GeneratedClientBase:
    def __init__(self, transport: GraphQLTransport) -> None:
        self.transport = transport

    def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        return self.transport.execute(query, operation_name=operation_name, variables=variables)

    def get_data(self, response: dict[str, Any]) -> dict[str, Any]:
        return response
