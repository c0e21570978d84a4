"""Decoder families; importing this package registers all of them."""

import tracer.syscalls.decoders.clock  # noqa: F401
import tracer.syscalls.decoders.creds  # noqa: F401
import tracer.syscalls.decoders.desc  # noqa: F401
import tracer.syscalls.decoders.fcntl  # noqa: F401
import tracer.syscalls.decoders.file  # noqa: F401
import tracer.syscalls.decoders.file_times  # noqa: F401
import tracer.syscalls.decoders.futex  # noqa: F401
import tracer.syscalls.decoders.ioctl  # noqa: F401
import tracer.syscalls.decoders.mem  # noqa: F401
import tracer.syscalls.decoders.misc  # noqa: F401
import tracer.syscalls.decoders.mount  # noqa: F401
import tracer.syscalls.decoders.msghdr  # noqa: F401
import tracer.syscalls.decoders.net  # noqa: F401
import tracer.syscalls.decoders.notify  # noqa: F401
import tracer.syscalls.decoders.pidfd  # noqa: F401
import tracer.syscalls.decoders.poll  # noqa: F401
import tracer.syscalls.decoders.posix_timers  # noqa: F401
import tracer.syscalls.decoders.prctl  # noqa: F401
import tracer.syscalls.decoders.priority  # noqa: F401
import tracer.syscalls.decoders.process  # noqa: F401
import tracer.syscalls.decoders.signal  # noqa: F401
import tracer.syscalls.decoders.stat  # noqa: F401
import tracer.syscalls.decoders.task  # noqa: F401
import tracer.syscalls.decoders.timers  # noqa: F401
import tracer.syscalls.decoders.xattr  # noqa: F401
