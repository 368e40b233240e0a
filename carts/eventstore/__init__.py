"""Event stores: where the log of every cart's mutations is kept.

The store is chosen by ``CART_EVENT_STORE['BACKEND']`` (a dotted path):
``carts.eventstore.db.DatabaseEventStore`` (SQLite or PostgreSQL through the
ORM, the default) or ``carts.eventstore.memory.MemoryEventStore`` (tests and
throwaway nodes; nothing survives the process).
"""
