"""The call summary (strace -c): counts, the table, the headless writer and the app's
incremental summary over the event store."""

from tracer.summary.counts import CallStats, SyscallCounts
from tracer.summary.table import SummaryOptionError, SummaryOptions, format_table

__all__ = ["CallStats", "SummaryOptionError", "SummaryOptions", "SyscallCounts", "format_table"]
