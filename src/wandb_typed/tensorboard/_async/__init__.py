"""The async source of the TensorBoard domain (the sync twin is generated from it)."""
