"""Screens pushed over the main view: syscall detail, source view and help."""
