"""Async source of the automations domain (the ``_sync`` twin is generated)."""
