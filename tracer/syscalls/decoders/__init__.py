"""Decoder families, one module per family; imported when a syscall they handle is
first needed (tracer/syscalls/families.py), never wholesale at start-up."""
