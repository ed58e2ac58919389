"""GraphQL: the ``/graphql`` endpoint on the shared W&B schema (``schema/*.graphql``).

Schema loading, the per-request context handed to resolvers, the synchronous execution
context tuned for graphql-core, and one resolver module per domain (viewer, users, teams,
projects, runs, history, files, server info, scalars; artifacts in four: artifacts and
artifact_collections read, artifact_uploads logs, artifact_edits changes). Resolvers read and write through
:mod:`wandb_typed_server.storage`; nothing here depends on the HTTP framework (the
endpoint takes a decoded body and returns a status and a JSON-ready body).
"""
