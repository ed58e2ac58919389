"""The async source of the teams domain (the sync twin is generated from it)."""
