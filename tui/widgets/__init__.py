"""Widgets grouped by screen region: the syscall list, side panes, filter and status bars."""
