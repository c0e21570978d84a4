"""Derived state built from the store's rows: process tree, fd tables, error groups.

Each model has `update(store, store_update)`, called by the app after every
`store.append`, and can be rebuilt from a whole store with `apply_rows`.
"""

from tracer.model.errors import ErrorGroup, ErrorGroups
from tracer.model.fds import FdEntry, FdTable, FdTables
from tracer.model.processes import ProcessInfo, ProcessTree

__all__ = [
    "ErrorGroup",
    "ErrorGroups",
    "FdEntry",
    "FdTable",
    "FdTables",
    "ProcessInfo",
    "ProcessTree",
]
