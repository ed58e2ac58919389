"""Regular expressions from users, with a bounded cost: RE2 (linear time, no backtracking).

Python's ``re`` backtracks: ``^(a+)+$`` against 30 ``a`` and a ``!`` takes half a minute,
holding the GIL (so every other request waits). RE2 answers in time linear in the text, so
a run filter's or a registry filter's ``$regex`` cannot stall the server. RE2 has no
backreferences and no lookaround: such a pattern is refused with a :class:`UserRegexError`
naming what RE2 could not read, as is a pattern over :data:`MAX_PATTERN_LENGTH` characters
or one whose program outgrows :data:`MAX_PROGRAM_BYTES`.

MongoDB's ``$options`` letters ``i``, ``m`` and ``s`` become RE2's inline flags; ``x``
(extended) is applied here by removing unescaped whitespace and ``#`` comments outside
character classes, as PCRE does.

>>> compile_user_regex("^(a+)+$").search("a" * 30 + "!") is None
True
>>> compile_user_regex("EAGER", "i").search("eager-fox") is not None
True
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol, cast

import re2  # type: ignore[import-untyped]

__all__ = [
    "MAX_PATTERN_LENGTH",
    "MAX_PROGRAM_BYTES",
    "UserPattern",
    "UserRegexError",
    "compile_source",
    "compile_user_regex",
    "user_regex_source",
]

MAX_PATTERN_LENGTH = 1000
MAX_PROGRAM_BYTES = 8 << 20
_OPTION_LETTERS = frozenset("imsx")


class UserRegexError(ValueError):
    """A ``$regex`` the server will not run: the message says why."""


class UserPattern(Protocol):
    """A compiled pattern: ``search`` returns a match object or None."""

    def search(self, text: str) -> object | None: ...


def _options() -> object:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PROGRAM_BYTES
    return cast(object, options)


_RE2_OPTIONS = _options()


def _strip_extended(pattern: str) -> str:
    """``pattern`` without the whitespace and ``#`` comments that the ``x`` option ignores.

    >>> _strip_extended("a b  # a comment" + chr(10) + "[ ]c")
    'ab[ ]c'
    """
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "#":
            newline = pattern.find("\n", index)
            index = len(pattern) if newline < 0 else newline
            continue
        elif not char.isspace():
            out.append(char)
        index += 1
    return "".join(out)


def user_regex_source(pattern: str, options: str = "") -> str:
    """The RE2 source for ``pattern`` under MongoDB's ``$options`` letters (``imsx``), checked
    by compiling it (see :func:`compile_source`).

    Raises :class:`UserRegexError` for an unknown option letter, a pattern too long, or one
    RE2 cannot compile (backreferences, lookaround, a program too large).

    >>> user_regex_source("fox", "ix")
    '(?i)fox'
    >>> try:
    ...     user_regex_source("(?=a)")
    ... except UserRegexError as error:
    ...     print(error)
    invalid perl operator: (?=
    """
    unknown = set(options) - _OPTION_LETTERS
    if unknown:
        raise UserRegexError(f"unsupported '$options' {options!r}")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UserRegexError(
            f"pattern of {len(pattern)} characters is over the limit of {MAX_PATTERN_LENGTH}"
        )
    text = _strip_extended(pattern) if "x" in options else pattern
    flags = "".join(sorted(set(options) - {"x"}))
    source = f"(?{flags}){text}" if flags else text
    compile_source(source)
    return source


@lru_cache(maxsize=256)
def compile_source(source: str) -> UserPattern:
    """An RE2 source (from :func:`user_regex_source`) compiled; :class:`UserRegexError` if
    RE2 cannot compile it."""
    if len(source) > MAX_PATTERN_LENGTH + 8:
        raise UserRegexError(f"pattern over the limit of {MAX_PATTERN_LENGTH} characters")
    try:
        compiled: UserPattern = re2.compile(source, _RE2_OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise UserRegexError(str(reason)) from None
    return compiled


def compile_user_regex(pattern: str, options: str = "") -> UserPattern:
    """``pattern`` compiled with RE2 under MongoDB's ``$options`` letters (``imsx``)."""
    return compile_source(user_regex_source(pattern, options))
