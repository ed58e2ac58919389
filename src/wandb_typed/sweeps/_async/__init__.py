"""The async source of the sweeps domain (the sync twin is generated from it)."""
