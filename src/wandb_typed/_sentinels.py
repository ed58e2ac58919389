"""``NOT_GIVEN``: tells "argument left out" apart from an explicit ``None``."""

from __future__ import annotations

from typing import Final, final

__all__ = ["NOT_GIVEN", "NotGiven"]


@final
class NotGiven:
    """The type of :data:`NOT_GIVEN`; falsy, with a readable repr.

    Example:
        >>> NOT_GIVEN
        NOT_GIVEN
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
