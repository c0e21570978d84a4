"""strace-style text, one line per event, as `strace -f` prints them.

Line prefixes follow strace, so scripts written for its logs read ours: to a
file (`-f -o`), every line starts with the pid (`PID `, left-aligned in five
columns; with `-o` alone, from the first line of a second task on); to the
terminal, `[pid N] ` appears while more than one task is traced. The return
value is aligned at column 40.
"""

from __future__ import annotations

import signal as signal_mod
from typing import TextIO

from tracer.events import (
    DELAYED,
    INJECTED,
    INJECTED_KEY,
    POKED,
    Exec,
    Exited,
    ProcessStarted,
    Resumed,
    SignalDelivered,
    Stopped,
    Syscall,
    TraceEnded,
    Unfinished,
)
from tracer.formats.hexdump import dump_lines
from tracer.formats.leader import Leader, duration
from tracer.formats.line_selection import LineSelection
from tracer.formats.output import TextOutput
from tracer.formats.task_files import TaskFiles
from tracer.formats.text_options import TextOptions
from tracer.syscalls.capture import ENVIRONMENT_KEY, iovecs_in
from tracer.syscalls.classes import Class
from tracer.syscalls.render import RenderContext, RenderedCall, render, to_int


def signal_name(signo: int) -> str:
    try:
        from tracer.syscalls.decoders.signal import signal_name as name

        return name(signo)
    except ImportError:
        try:
            return signal_mod.Signals(signo).name
        except ValueError:
            return f"SIG_{signo}"


def siginfo_text(ev: SignalDelivered) -> str:
    try:
        from tracer.syscalls.decoders.signal import render_siginfo

        return render_siginfo(ev.siginfo)
    except ImportError:
        return f"{{si_signo={signal_name(ev.signo)}}}"


def stack_lines(call: Syscall) -> list[str]:
    if not call.stack:
        return []
    try:
        from tracer.stack import format_frame
        from tracer.stack.frame import resolve_by_module

        resolve_by_module(call.stack)
        return [format_frame(f) for f in call.stack]
    except ImportError:
        return [f" > [{f.pc:#x}]" for f in call.stack]


def injected_marks(call: Syscall) -> str:
    """strace's ` (INJECTED)` / ` (DELAYED)` after the result of a call steering changed
    (`(INJECTED: args)`, `(INJECTED: args, retval)` when its memory was poked)."""
    marks = call.injected
    if not marks:
        return ""
    if marks & POKED:
        note = " (INJECTED: args, retval)" if marks & INJECTED else " (INJECTED: args)"
    else:
        note = " (INJECTED)" if marks & INJECTED else ""
    return note + (" (DELAYED)" if marks & DELAYED else "")


def call_line(r: RenderedCall, pad: int = 39) -> str:
    """`pad`: strace puts ` = ` at column 40 of the whole line, pid prefix included."""
    head = f"{r.name}({r.args_text()})"
    return f"{head:<{pad}} = {r.ret}"


def unfinished_head(r: RenderedCall) -> str:
    """`read(3, ` then strace's ` <unfinished ...>`: entry arguments only."""
    before = []
    for a in r.args:
        if a.at_exit:
            break
        before.append(a.text)
    text = ", ".join(before)
    if before and len(before) < len(r.args):
        text += ", "
    return f"{r.name}({text} <unfinished ...>"


def resumed_tail(r: RenderedCall, pad: int = 39) -> str:
    after = []
    seen_exit = False
    for a in r.args:
        if a.at_exit:
            seen_exit = True
        if seen_exit:
            after.append(a.text)
    head = f"<... {r.name} resumed>{', '.join(after)})"
    return f"{head:<{pad}} = {r.ret}"


def _decoded_at_exit(r: RenderedCall) -> bool:
    """Some argument is printed only at the exit (a read's buffer): strace's decoder
    still had work to do when the task died."""
    return any(a.at_exit for a in r.args)


def _never_returns(call: Syscall, ctx: RenderContext) -> bool:
    d = ctx.table.get(call.nr)
    return bool(d and d.classes & Class.NEVER_RETURNS)


def event_text(ev: object, ctx: RenderContext, pad: int = 39) -> list[str] | None:
    """The line(s) for one event, without pid prefix; None for events strace does not print."""
    if isinstance(ev, Syscall):
        r = render(ev, ctx)
        if ev.no_return and ev.ret is None and not _never_returns(ev, ctx):
            # Cut short by the task's death: strace's `read(3,  <unfinished ...>) = ?`,
            # or `pause() = ?` when nothing was left to print at the exit.
            head = unfinished_head(r) if _decoded_at_exit(r) else f"{r.name}({r.args_text()}"
            return [f"{head + ')':<{pad}} = ?"] + stack_lines(ev)
        return [call_line(r, pad) + injected_marks(ev)] + stack_lines(ev)
    if isinstance(ev, Unfinished):
        head = unfinished_head(render(ev.call, ctx))
        if ev.moved_to:
            head = head[: -len(" <unfinished ...>")] + f" <pid changed to {ev.moved_to} ...>"
        return [head] + stack_lines(ev.call)
    if isinstance(ev, Resumed):
        r = render(ev.call, ctx)
        if ev.call.no_return and not _never_returns(ev.call, ctx):
            # As strace: `<unfinished ...>` only where arguments were left to print at
            # the exit (`<... read resumed> <unfinished ...>) = ?`, `<... pause resumed>) = ?`).
            rest = " <unfinished ...>" if _decoded_at_exit(r) else ""
            return [f"{f'<... {r.name} resumed>{rest})':<{pad}} = ?"]
        return [resumed_tail(r, pad) + injected_marks(ev.call)]
    if isinstance(ev, SignalDelivered):
        return [f"--- {signal_name(ev.signo)} {siginfo_text(ev)} ---"]
    if isinstance(ev, Exited):
        if ev.signal is not None:
            core = " (core dumped)" if ev.core else ""
            return [f"+++ killed by {signal_name(ev.signal)}{core} +++"]
        return [f"+++ exited with {ev.code} +++"]
    if isinstance(ev, Stopped):
        if ev.resumed:
            return None
        return [f"--- stopped by {signal_name(ev.signo)} ---"]
    if isinstance(ev, Exec) and ev.former_tid:
        # A thread exec'd: its process's id now names it (strace's line, on the leader).
        return [f"+++ superseded by execve in pid {ev.former_tid} +++"]
    return None


# How lines are prefixed with their task id (strace's printleader).
PREFIX_FILE = "file"  # `1234  openat(...)`: every line (strace -f -o FILE)
PREFIX_TERMINAL = "terminal"  # `[pid  1234] openat(...)`: while more than one task is traced
PREFIX_NONE = "none"  # one process, not following forks
# `-o FILE` without -f: strace follows nothing then and prints no prefix; tracetui still
# follows, so lines get the file prefix from the moment a second task is traced.
PREFIX_FILE_WHEN_MANY = "file-when-many"


# Calls whose data buffer -e read=FD / -e write=FD dump (strace's dumpio).
DUMPED_READS = frozenset(
    {
        "read", "pread64", "recvfrom", "readv", "preadv", "preadv2", "recvmsg", "recvmmsg",
        "mq_timedreceive",
    }
)  # fmt: skip
DUMPED_WRITES = frozenset(
    {
        "write", "pwrite64", "sendto", "writev", "pwritev", "pwritev2", "sendmsg", "sendmmsg",
        "mq_timedsend",
    }
)  # fmt: skip
_VECTORED = frozenset({"readv", "preadv", "preadv2", "writev", "pwritev", "pwritev2"})


def _vector_dumps(buffers: list[tuple[int, bytes | None]], total: int) -> list[str]:
    """strace's dump of a vectored call: ` * N bytes in buffer I` and the hex lines of
    each buffer the call's `total` bytes reached, up to the first empty one (strace's
    dumpiov_upto stops there)."""
    lines: list[str] = []
    for i, (length, data) in enumerate(buffers):
        n = min(length, total)
        if n <= 0:
            break
        total -= n
        if data is None:
            continue
        lines.append(f" * {n} bytes in buffer {i}")
        lines.extend(dump_lines(data[:n]))
    return lines


# Writes whose data is argument 1, argument 2 bytes long; vmsplice's buffers go to a pipe.
_SIZED_WRITES = frozenset({"write", "pwrite64", "sendto"})
_VMSPLICE = frozenset({"vmsplice"})
_WHOLE = 0xFFFFFFFFFFFFFFFF


def _mmsg_dumps(items: list | None) -> list[str]:
    """sendmmsg/recvmmsg, as strace's dumpiov_in_mmsghdr: per message
    ` = N buffers in vector K`, then its buffers up to the message's msg_len."""
    lines: list[str] = []
    for k, (msg, msg_len) in enumerate(items or ()):
        hdr = msg.get("hdr") if isinstance(msg, dict) else None
        if not hdr or len(hdr) < 32:
            break
        lines.append(f" = {int.from_bytes(hdr[24:32], 'little')} buffers in vector {k}")
        vecs = msg.get("iov") or ()
        lines.extend(_vector_dumps([(v[1], v[3]) for v in vecs], msg_len))
    return lines


class StraceTextWriter(TextOutput):
    """Lines as strace prints them, with strace's output options (`TextOptions`).

    The first line of an event gets the leader (pid, timestamps); what follows it
    (a -e read= dump, a -k stack) is printed bare, as strace does.
    """

    def __init__(
        self,
        out: TextIO | None,
        ctx: RenderContext,
        prefix: str = PREFIX_FILE,
        options: TextOptions | None = None,
    ) -> None:
        super().__init__(out)
        self.ctx = ctx
        self.prefix = prefix
        self.opts = opts = options or TextOptions()
        self.column = opts.column - 1
        self.leader = Leader(opts)
        self.select = LineSelection(opts)
        self.whole = opts.whole_calls
        self.dumping = bool(opts.dump_read or opts.dump_write)
        self.task_files = (
            TaskFiles(opts.per_process_prefix, opts.append) if opts.per_process_prefix else None
        )
        self._live: set[int] = set()  # tasks traced now (for the terminal prefix)
        self._environ: dict[int, list[str]] = {}  # -v: environment of each pid's last exec
        self._verbose_exec = ctx.abbrev is not None
        # The common case, a call printed as its one rendered line (no -e status=, -P,
        # -e read=/write= dumps or --whole-calls), goes the short way in `write`.
        self._plain_calls = (
            not self.whole
            and self.select.statuses is None
            and self.select.paths is None
            and not self.dumping
        )
        self._is_exec: dict[int, bool] = {}  # nr -> execve/execveat (-v's environment)
        self._never: dict[int, bool] = {}  # nr -> never returns (exit_group)
        # Text by rendered call, when renders repeat (`RenderContext.render_cache`):
        # id -> [call, pad, whole line, unfinished head, resumed tail].
        self._texts: dict[int, list] = {}
        self._leads: dict[int, str] = {}  # tid -> `1234  ` (the file prefix)
        self._many = False  # PREFIX_FILE_WHEN_MANY: a second task was seen

    def write(self, events: list[object]) -> None:
        if self._verbose_exec:
            self._match_environments(events)
        lines: list[str] = []
        live = self._live
        files = self.task_files
        leader = self.leader
        prefix = self.prefix
        leads = self._leads
        column = self.column
        plain = self._plain_calls
        for ev in events:
            tp = type(ev)
            if tp is ProcessStarted:
                live.add(ev.tid)
                if files is not None:
                    files.get(ev.tid)  # as strace: every task has its file, even an empty one
                continue
            if tp is TraceEnded:
                continue
            if tp is Exec:
                if ev.envp is not None:
                    self._environ[ev.pid] = ev.envp
                live.discard(ev.former_tid)  # the thread now goes by its process's id
                if not ev.former_tid or self.opts.quiet_superseded:
                    continue
            if tp is Resumed:
                tid = ev.tid or ev.call.tid
            elif tp is Unfinished:
                tid = ev.call.tid
            else:
                tid = getattr(ev, "tid", 0)
            if files is not None or prefix == PREFIX_NONE:
                lead = ""
            elif prefix == PREFIX_FILE or (
                prefix == PREFIX_FILE_WHEN_MANY and (self._many or len(live) > 1)
            ):
                self._many = True
                lead = leads.get(tid)
                if lead is None:
                    lead = leads[tid] = f"{tid:<5} "
            elif prefix == PREFIX_FILE_WHEN_MANY:
                lead = ""
            elif len(live) > 1:
                lead = f"[pid {tid:>5}] "
            else:
                lead = ""
            when = 0.0
            if leader.active:
                when = self._when(ev, tp)
                lead += leader.text(when)
            pad = column - len(lead)
            if pad < 0:
                pad = 0
            if plain and (tp is Syscall or tp is Unfinished or tp is Resumed):
                line = self._plain_line(ev, tp, pad)
                if line is not None:
                    if line:
                        if leader.active:
                            leader.commit(when)
                        if files is not None:
                            files.get(tid).write(lead + line + "\n")
                        else:
                            lines.append(lead + line)
                    continue
            texts = self._event_lines(ev, tp, pad)
            if texts:
                if leader.active:
                    leader.commit(when)
                text = lead + "\n".join(texts)
                if files is not None:
                    files.get(tid).write(text + "\n")
                else:
                    lines.append(text)
            if tp is Exited:
                live.discard(ev.tid)
        if lines:
            self.out.write("\n".join(lines) + "\n")

    def _plain_line(self, ev: object, tp: type, pad: int) -> str | None:
        """`_event_lines` for a call event while `_plain_calls`, when it is one line:
        the line ("" when not printed); None where the general way is needed (a stack,
        a call cut short, a moved execve)."""
        ctx = self.ctx
        call = ev if tp is Syscall else ev.call
        if call.stack:
            return None
        if tp is Syscall:
            if self._environ and call.pid in self._environ:
                self._add_environment(call)
            if call.no_return and call.ret is None and not self._never_returns(call.nr):
                return None
        elif tp is Unfinished:
            if ev.moved_to:
                return None
        elif call.no_return and not self._never_returns(call.nr):
            return None
        r = render(call, ctx)
        if ctx.render_cache is None or ctx.fd_details is not None:
            texts = [r, pad, None, None, None]  # renders are not shared: nothing to keep
        else:
            texts = self._texts.get(id(r))
            if texts is None or texts[0] is not r or texts[1] != pad:
                if len(self._texts) >= 4096:
                    self._texts.clear()
                texts = self._texts[id(r)] = [r, pad, None, None, None]
        if tp is Unfinished:
            line = texts[3]
            if line is None:
                line = texts[3] = unfinished_head(r)
            return line
        if tp is Syscall:
            line = texts[2]
            if line is None:
                line = texts[2] = call_line(r, pad)
        else:
            line = texts[4]
            if line is None:
                line = texts[4] = resumed_tail(r, pad)
        mem = call.mem
        if mem and INJECTED_KEY in mem:
            line += injected_marks(call)
        if self.opts.duration_digits is not None:
            line += self._duration(call)
        return line

    def _never_returns(self, nr: int) -> bool:
        never = self._never.get(nr)
        if never is None:
            d = self.ctx.table.get(nr)
            never = self._never[nr] = bool(d and d.classes & Class.NEVER_RETURNS)
        return never

    def _match_environments(self, events: list[object]) -> None:
        """-v: an execve printed before its exec stop (`<unfinished ...>`) gets the
        environment from the Exec event later in the same batch."""
        pending: dict[int, Syscall] = {}
        for ev in events:
            tp = type(ev)
            if tp is Unfinished or tp is Syscall:
                call = ev.call if tp is Unfinished else ev
                if self.ctx.table.name(call.nr) in ("execve", "execveat"):
                    pending[call.pid] = call
            elif tp is Exec and ev.envp is not None:
                call = pending.pop(ev.pid, None)
                if call is not None:
                    if call.mem is None:
                        call.mem = {}
                    call.mem[ENVIRONMENT_KEY] = ev.envp

    def _when(self, ev: object, tp: type) -> float:
        if tp is Syscall or tp is Unfinished:
            return ev.start if tp is Syscall else ev.call.start
        if tp is Resumed:
            return ev.call.start if self.whole else (ev.call.end or ev.call.start)
        return getattr(ev, "time", 0.0)

    def _event_lines(self, ev: object, tp: type, pad: int) -> list[str] | None:
        """The lines of one event (the first one padded to the column); None: not printed."""
        if tp is Syscall or (tp is Resumed and self.whole):
            return self._call_lines(ev if tp is Syscall else ev.call, pad)
        if tp is Unfinished:
            if self.whole or not self._wanted(ev.call):
                return None
            return event_text(ev, self.ctx, pad)
        if tp is Resumed:
            call = ev.call
            if not self._wanted(call):
                return None
            text = event_text(ev, self.ctx, pad)
            if not text:
                return None
            return [text[0] + self._duration(call), *self._all_dumps(call)]
        if tp is SignalDelivered or tp is Stopped:
            if not self.select.signal_ok(ev.signo):
                return None
        elif tp is Exited and self.opts.quiet_exit and ev.signal is None:
            return None
        return event_text(ev, self.ctx, pad)

    def _wanted(self, call: Syscall) -> bool:
        if self.select.statuses is not None and not self.select.status_ok(call, self.ctx):
            return False
        if self.select.paths is not None:
            return self.select.path_ok(call, render(call, self.ctx))
        return True

    def _call_lines(self, call: Syscall, pad: int) -> list[str] | None:
        if not self._wanted(call):
            return None
        if self._environ:
            self._add_environment(call)
        text = event_text(call, self.ctx, pad)
        if not text:
            return None
        return [text[0] + self._duration(call), *self._all_dumps(call), *text[1:]]

    def _add_environment(self, call: Syscall) -> None:
        """-v prints execve's environment: the one the new image started with."""
        env = self._environ.get(call.pid)
        if env is None or call.error or call.ret is None:
            return
        is_exec = self._is_exec.get(call.nr)
        if is_exec is None:
            is_exec = self._is_exec[call.nr] = self.ctx.table.name(call.nr) in (
                "execve",
                "execveat",
            )
        if is_exec and not self.ctx.abbreviated(call):
            if call.mem is None:
                call.mem = {}
            call.mem[ENVIRONMENT_KEY] = env

    def _duration(self, call: Syscall) -> str:
        digits = self.opts.duration_digits
        if digits is None or call.ret is None or not call.done:
            return ""
        return duration(call.end - call.start, digits)

    def _dumps(self, call: Syscall) -> list[str]:
        if not self.dumping or call.error or call.ret is None or call.ret < 0:
            return []
        name = self.ctx.table.name(call.nr)
        if name == "mq_timedsend":  # returns 0; the whole message was sent
            data = (call.mem or {}).get(1)
            if to_int(call.args[0]) not in self.opts.dump_write or not isinstance(data, bytes):
                return []
            return dump_lines(data[: call.args[2]])
        if not call.ret:
            return []
        if name in DUMPED_READS:
            fds = self.opts.dump_read
        elif name in DUMPED_WRITES:
            fds = self.opts.dump_write
        else:
            return []
        if not call.args or to_int(call.args[0]) not in fds or not call.mem:
            return []
        if name in _VECTORED:
            vecs, _end = iovecs_in(call.mem, 1)
            return _vector_dumps([(v[1], v[2]) for v in vecs], call.ret) if vecs else []
        if name in ("sendmmsg", "recvmmsg"):
            return _mmsg_dumps((call.mem.get("mmsg") or [])[: call.ret])  # the ones sent
        if name in ("sendmsg", "recvmsg"):
            msg = call.mem.get("msg")
            items = msg.get("iov") if isinstance(msg, dict) else None
            return _vector_dumps([(v[1], v[3]) for v in items], call.ret) if items else []
        data = call.mem.get(1)
        if not isinstance(data, bytes):
            return []
        return dump_lines(data[: call.ret])

    def _all_dumps(self, call: Syscall) -> list[str]:
        return [*self._dumps(call), *self._write_dumps(call)]

    def _write_dumps(self, call: Syscall) -> list[str]:
        """strace dumps what a write was given whatever came of it: `_dumps` shows the
        writes that succeeded, this the failed ones (their arguments' lengths), and
        vmsplice's buffers."""
        name = self.ctx.table.name(call.nr)
        if not self.dumping or not (call.error or name in _VMSPLICE):
            return []
        if name not in DUMPED_WRITES and name not in _VMSPLICE:
            return []
        if not call.args or to_int(call.args[0]) not in self.opts.dump_write or not call.mem:
            return []
        if name in _VECTORED or name in _VMSPLICE:
            vecs, end = iovecs_in(call.mem, 1)
            if not vecs or end is not None:
                return []  # strace reads the whole array to dump it, and could not
            return _vector_dumps([(v[1], v[2]) for v in vecs], _WHOLE)
        if name in _SIZED_WRITES:
            data = call.mem.get(1)
            size = call.args[2] & _WHOLE
            return dump_lines(data[:size]) if isinstance(data, bytes) and size else []
        return []

    def flush(self) -> None:
        if self.task_files is not None:
            self.task_files.flush()
        if self.out is not None:
            self.out.flush()

    def close(self) -> None:
        if self.task_files is not None:
            self.task_files.close()
        if self.out is not None:
            super().close()
