"""The append-only event store (columns for a million events) and its search text.

`EventStore` is the single source the UI and the models read; see `event_store.py`.
"""

from tracer.store.event_store import KIND_NAMES, EventStore, StoreUpdate

__all__ = ["EventStore", "KIND_NAMES", "StoreUpdate"]
