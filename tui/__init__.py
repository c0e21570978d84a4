"""The Textual app for tracetui: consumes a TraceSession's events, never traces itself."""
