"""The async source of the launch domain (the sync twin is generated from it)."""
