"""The async source of the artifacts domain (the sync twin is generated from it)."""
