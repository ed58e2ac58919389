"""``python -m wandb_typed``: the ``wandb-typed`` command."""

from wandb_typed.cli import main

raise SystemExit(main())
