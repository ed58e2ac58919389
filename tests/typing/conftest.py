"""The typing tests are checked, not run: ``make typecheck`` reads them with mypy --strict and
pyright strict (``assert_type`` claims, and ``# type: ignore[...]`` lines that must be needed),
and ``tools/typing_coverage.py`` checks they touch every public member. pytest skips them.
"""

collect_ignore_glob = ["*.py"]
