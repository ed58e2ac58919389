"""The async source of the client core (transport, read-ahead, pagination, session, Api).

``codegen/unasync.py`` derives ``wandb_typed._sync`` from this package; edit only here.
"""
