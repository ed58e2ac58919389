"""Storage: everything the server keeps, in SQLite and on disk.

The database and its tables (users, API keys, entities and teams, projects, runs, history
and console lines, run file records, artifacts: types, collections, versions, aliases,
tags, files), the SQL the GraphQL and HTTP layers call, the blob store for run files, the
content-addressed store for artifact bytes (artifact_blobs.py), and the data dir's
URL-signing secret. Nothing here knows about
GraphQL or HTTP: storage imports neither :mod:`wandb_typed_server.graphql` nor
:mod:`wandb_typed_server.http` (an import-linter contract in pyproject.toml holds it to that).
"""
