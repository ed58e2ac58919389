"""Test helpers that ship with the server: start it in a thread, seed it, point the SDK at it.

:func:`~wandb_typed_server.testing.threaded.start_in_thread` runs a server on a loopback
port, :mod:`~wandb_typed_server.testing.seed` fills one with runs through the public wire
protocol only, and :func:`~wandb_typed_server.testing.sdk_env.sdk_environment` builds a
hermetic environment for the official SDK. Tests, benchmarks and examples use them. No
layer of the server (storage, graphql, http) imports this package (an import-linter contract
holds it to that); the package root re-exports ``start_in_thread`` and ``RunningServer``.
"""
