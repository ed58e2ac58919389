"""The async source of the registries domain (the sync twin is generated from it)."""
