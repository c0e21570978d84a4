"""Syscall knowledge: the per-architecture table, flag tables, capture and decoding."""
