"""Repository-wide pytest settings.

``--doctest-modules`` runs every docstring example. An example that needs a live W&B server
or data the reader has (``api.run("team/vision/abc123")``) is marked ``# doctest: +SKIP``:
it documents, it is not a test. A docstring whose every example is such is deselected here,
so it neither runs nor counts as a skipped test; the runnable examples of the same module
still run.
"""

from __future__ import annotations

import doctest

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    documentation_only = [item for item in items if _only_skipped_examples(item)]
    if documentation_only:
        config.hook.pytest_deselected(items=documentation_only)
        items[:] = [item for item in items if item not in documentation_only]


def _only_skipped_examples(item: pytest.Item) -> bool:
    test = getattr(item, "dtest", None)
    if not isinstance(test, doctest.DocTest) or not test.examples:
        return False
    return all(example.options.get(doctest.SKIP, False) for example in test.examples)
