"""The async source of the reports domain (the sync twin is generated from it)."""
