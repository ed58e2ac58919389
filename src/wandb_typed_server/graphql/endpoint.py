"""``POST /graphql``: one decoded request body run on the executable schema (schema.py).

Documents are parsed and validated once and cached (clients send the same few documents
over and over). A document without ``operationName`` runs its single operation. Queries run
in one read snapshot; mutations run in one write transaction that is rolled back when any
error occurs, so a failed request leaves nothing half-written. Introspection is answered by
graphql-core itself.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    validate,
)

from wandb_typed_server.graphql.context import RequestContext
from wandb_typed_server.graphql.execution import SyncExecutionContext
from wandb_typed_server.graphql.limits import (
    RequestLimits,
    cost_error,
    document_errors,
    json_depth_error,
    limit_message,
)

logger = logging.getLogger(__name__)

_DOCUMENT_CACHE_SIZE = 256
_TOKENS_PER_FIELD = 20
"""Parsing stops after this many tokens per allowed field (a 1 MB query of 20,000 aliases
is refused after a fraction of it is read)."""


@dataclass(frozen=True)
class GraphQLResponse:
    """HTTP status and JSON body of one GraphQL request."""

    status: int
    body: dict[str, object]


class _RollbackError(Exception):
    def __init__(self, result: ExecutionResult) -> None:
        super().__init__("mutation failed")
        self.result = result


def _http_status(errors: list[GraphQLError]) -> int:
    """200, or the status a resolver's error asks for (``http_status``: 409 for a name taken,
    404 for a missing object) where W&B answers one that clients act on."""
    for error in errors:
        status = getattr(error.original_error, "http_status", None)
        if isinstance(status, int) and status in (404, 409):
            return status
    return 200


def _bad_request(message: str) -> GraphQLResponse:
    logger.info("GraphQL request refused: %s", message)
    return GraphQLResponse(400, {"errors": [{"message": message}]})


class GraphQLExecutor:
    """Runs GraphQL requests against one schema (thread-safe)."""

    def __init__(self, schema: GraphQLSchema, limits: RequestLimits | None = None) -> None:
        self.schema = schema
        self.limits = limits or RequestLimits()
        self._documents: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()
        self._lock = Lock()

    def _document(self, query: str) -> DocumentNode | list[GraphQLError]:
        with self._lock:
            cached = self._documents.get(query)
            if cached is not None:
                self._documents.move_to_end(query)
                return cached
        max_tokens = _TOKENS_PER_FIELD * self.limits.max_query_fields
        try:
            document: DocumentNode | list[GraphQLError] = parse(query, max_tokens=max_tokens)
        except GraphQLError as error:
            document = [error]
            if "nested too deeply" in error.message:  # graphql-core's own recursion guard
                document = [GraphQLError(self._too_deep_to_parse())]
            elif "tokens" in error.message and "Parsing aborted" in error.message:
                what = f"the query has more than {max_tokens} tokens ({_TOKENS_PER_FIELD} a field)"
                limit = self.limits.max_query_fields
                document = [GraphQLError(limit_message(what, "max_query_fields", limit))]
        except RecursionError:
            document = [GraphQLError(self._too_deep_to_parse())]
        if isinstance(document, DocumentNode):
            refusal = document_errors(document, self.limits)
            if refusal is not None:
                document = [GraphQLError(refusal)]
        if isinstance(document, DocumentNode):
            errors = validate(self.schema, document)
            if errors:
                document = errors
        with self._lock:
            self._documents[query] = document
            if len(self._documents) > _DOCUMENT_CACHE_SIZE:
                self._documents.popitem(last=False)
        return document

    def _too_deep_to_parse(self) -> str:
        depth = self.limits.max_query_depth
        return limit_message("the query nests too deep to parse", "max_query_depth", depth)

    def run(self, ctx: RequestContext, body: object) -> GraphQLResponse:
        """Execute one decoded JSON request body."""
        if not isinstance(body, dict):
            return _bad_request("request body must be a JSON object")
        query, variables, operation_name = (
            body.get("query"),
            body.get("variables"),
            body.get("operationName"),
        )
        if not isinstance(query, str):
            return _bad_request("'query' must be a string")
        if variables is not None and not isinstance(variables, dict):
            return _bad_request("'variables' must be an object")
        depth_error = json_depth_error(body, self.limits.max_json_depth, "the request body")
        if depth_error is not None:
            return _bad_request(depth_error)
        if operation_name is not None and not isinstance(operation_name, str):
            return _bad_request("'operationName' must be a string")
        operation_name = operation_name or None  # wandb-core sends "" for "no name"
        document = self._document(query)
        if isinstance(document, list):
            logger.info("GraphQL document refused: %s", document[0].message)
            return GraphQLResponse(400, {"errors": [error.formatted for error in document]})
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return _bad_request(_missing_operation(document, operation_name))
        refusal = cost_error(document, operation, variables, self.limits.max_query_cost)
        if refusal is not None:
            return _bad_request(refusal)
        result = self._execute(ctx, document, variables, operation_name, operation.operation)
        response: dict[str, object] = {"data": result.data}
        if result.errors:
            response["errors"] = [error.formatted for error in result.errors]
            for error in result.errors:
                self._log_unexpected(error)
        return GraphQLResponse(_http_status(result.errors or []), response)

    def _execute(
        self,
        ctx: RequestContext,
        document: DocumentNode,
        variables: dict[str, object] | None,
        operation_name: str | None,
        kind: OperationType,
    ) -> ExecutionResult:
        def run_once() -> ExecutionResult:
            result = execute(
                self.schema,
                document,
                context_value=ctx,
                variable_values=variables,
                operation_name=operation_name,
                execution_context_class=SyncExecutionContext,
            )
            assert isinstance(result, ExecutionResult)
            return result

        db = ctx.state.db
        if kind is not OperationType.MUTATION:
            with db.snapshot():
                return run_once()
        try:
            with db.transaction():
                result = run_once()
                if result.errors:
                    raise _RollbackError(result)
        except _RollbackError as rollback:
            return rollback.result
        for action in ctx.after_commit:
            action()
        return result

    @staticmethod
    def _log_unexpected(error: GraphQLError) -> None:
        original = error.original_error
        if original is not None and not isinstance(
            original, ValueError | LookupError | PermissionError | GraphQLError
        ):
            logger.error("GraphQL resolver failed: %s", error.message, exc_info=original)


def _missing_operation(document: DocumentNode, operation_name: str | None) -> str:
    names = [
        definition.name.value if definition.name else "(anonymous)"
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if not names:
        return "'query' holds no operation (only fragments)"
    if operation_name is None:
        return f"'operationName' is needed: the document has {len(names)} operations {names}"
    return f"'operationName' {operation_name!r} is not an operation of the document {names}"
