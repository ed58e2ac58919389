"""wandb-typed."""
