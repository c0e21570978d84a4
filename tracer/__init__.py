"""tracetui's tracer library: ptrace engine, syscall decoding and models; no UI."""
