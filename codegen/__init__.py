"""Code generation for wandb-typed: settings, plugins and the driver (`make generate`)."""
