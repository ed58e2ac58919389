"""The async source of the projects domain (the sync twin is generated from it)."""
