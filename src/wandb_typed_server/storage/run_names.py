"""Display names for runs that come without one, in W&B's style: ``adjective-noun-N``.

W&B names a new run ``eager-fox-7``, where 7 is the run's number in its project, when the
client sends no display name (``wandb.init()`` without ``name=`` sends none).

>>> name = display_name_for(3, random.Random(0))
>>> name.endswith("-3") and len(name.split("-")) == 3
True
"""

from __future__ import annotations

import random

__all__ = ["display_name_for"]

ADJECTIVES = (
    "amber", "bold", "brisk", "calm", "clever", "crisp", "dashing", "eager", "fancy", "gentle",
    "glad", "golden", "hardy", "honest", "jolly", "keen", "lively", "lucky", "mellow", "misty",
    "noble", "proud", "quiet", "rapid", "rosy", "royal", "silent", "smart", "solar", "sunny",
    "swift", "tidy", "vivid", "warm", "wild", "wise",
)  # fmt: skip
NOUNS = (
    "breeze", "brook", "cloud", "comet", "dawn", "dew", "dune", "field", "firefly", "flower",
    "forest", "fox", "frog", "glade", "grass", "haze", "hill", "lake", "leaf", "meadow", "moon",
    "morning", "mountain", "night", "ocean", "pine", "planet", "pond", "rain", "river", "sea",
    "shadow", "sky", "snow", "star", "sun", "thunder", "tree", "valley", "wave", "wind",
)  # fmt: skip


def display_name_for(number: int, rng: random.Random | None = None) -> str:
    """A fresh ``adjective-noun-number`` name for the ``number``-th run of a project."""
    pick = rng or random.SystemRandom()
    return f"{pick.choice(ADJECTIVES)}-{pick.choice(NOUNS)}-{number}"
