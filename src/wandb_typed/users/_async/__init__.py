"""The async source of the users domain (the sync twin is generated from it)."""
