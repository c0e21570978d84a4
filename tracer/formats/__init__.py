"""Output formats for headless mode: each is a `TraceWriter` fed events in stream order."""
