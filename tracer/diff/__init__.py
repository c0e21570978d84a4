"""Trace diff: two runs of a program compared call by call (`tracetui diff A B`).

`trace.gather` reads a recording into tasks; `compare.diff_traces` pairs the tasks
through the fork/exec tree, aligns each pair's calls on normalised keys
(`normalize.py`) and ranks what differs; `report_text` writes the report;
`command` reads the command line and traces `-- CMD1 -- CMD2`.
"""

from tracer.diff.compare import Difference, DiffReport, TaskPair, diff_traces
from tracer.diff.trace import Task, Trace, gather

__all__ = ["DiffReport", "Difference", "Task", "TaskPair", "Trace", "diff_traces", "gather"]
