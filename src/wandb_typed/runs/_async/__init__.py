"""The async source of the runs domain (the sync twin is generated from it)."""
