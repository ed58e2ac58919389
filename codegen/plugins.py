"""ariadne-codegen plugins: what we change in its output, each with the reason.

Plugins are the only way generated code changes (nobody edits ``_generated/`` by hand).
"""

from __future__ import annotations

import re

from ariadne_codegen.plugins.base import Plugin
from graphql import Node


class WandbTypedPlugin(Plugin):
    """Two fixes to ariadne-codegen 0.19.0 output.

    1. Names: its snake_case conversion puts an underscore before digits, so W&B's ``md5``
       field becomes ``md_5``. We never want that underscore (``md5``, ``sha256``).
    2. Results are immutable: the copied ``base_model.py`` turns on ``validate_assignment``
       (for mutable models); we make every model ``frozen`` instead, so a ``Run`` can hand out
       the data it was built from without anyone changing it behind its back.
    """

    _DIGIT_AFTER_UNDERSCORE = re.compile(r"(?<=[a-z])_(?=\d)")

    def process_name(self, name: str, node: Node | None = None) -> str:
        return self._DIGIT_AFTER_UNDERSCORE.sub("", name)

    def copy_code(self, copied_code: str) -> str:
        if "class BaseModel(PydanticBaseModel)" not in copied_code:
            return copied_code
        if "validate_assignment=True," not in copied_code:
            raise RuntimeError(
                "ariadne-codegen's base_model.py changed shape; revisit WandbTypedPlugin.copy_code"
            )
        return copied_code.replace("validate_assignment=True,", "frozen=True,")
