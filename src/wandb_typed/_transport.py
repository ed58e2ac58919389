from typing import Any
class GraphQLTransport:
    def execute(self, query: str, *, operation_name: str | None, variables: dict[str, Any] | None) -> dict[str, Any]:
        raise NotImplementedError
