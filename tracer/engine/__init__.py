"""The ptrace engine: the one thread that owns ptrace (worker loop, stops, launch,
attach and detach, the ptrace binding, the compiled capture core and its plan)."""
