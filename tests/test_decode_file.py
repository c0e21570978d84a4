"""File and descriptor decoding, checked against lines the traced program computes itself.

Each C program makes its calls and prints `EXPECT <line>` for every line
tracetui must write (strace -f -y -s 64 format), using the fd numbers, paths,
sizes and addresses it actually got. The test asserts those lines appear, in order.
"""

from __future__ import annotations

import re

import pytest
from conftest import run_tracetui, strip_pid

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

COMMON = r"""
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#define EXPECT(...) (printf("EXPECT "), printf(__VA_ARGS__), printf("\n"))
static char cwd[4096];
"""


def expected_and_trace(
    tmp_path, cc, source: str, name: str, *args: str
) -> tuple[list[str], list[str]]:
    prog = cc(COMMON + source, name=name)
    out = tmp_path / "trace.txt"
    proc = run_tracetui("--no-ui", "-y", "-s", "64", "-o", str(out), str(prog), *args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    expected = [ln[len("EXPECT ") :] for ln in proc.stdout.splitlines() if ln.startswith("EXPECT ")]
    assert expected, proc.stdout
    return expected, [strip_pid(ln) for ln in lines]


def unpadded(line: str) -> str:
    """strace pads the return value to column 40; the padding is not part of the decoding."""
    return re.sub(r"\) +=", ") =", line)


def assert_in_order(expected: list[str], trace: list[str]) -> None:
    trace = [unpadded(t) for t in trace]
    pos = 0
    for want in expected:
        for i in range(pos, len(trace)):
            if trace[i] == want:
                pos = i + 1
                break
        else:
            near = [t for t in trace if t.split("(")[0] == want.split("(")[0]]
            raise AssertionError(
                f"missing line:\n  {want}\nsame-name lines:\n  " + "\n  ".join(near)
            )


OPEN_READ_WRITE = r"""
int main(void) {
    getcwd(cwd, sizeof cwd);
    int fd = openat(AT_FDCWD, "data.txt", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0640);
    EXPECT("openat(AT_FDCWD<%s>, \"data.txt\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0640) = %d<%s/data.txt>", cwd, fd, cwd);
    write(fd, "hello\n\001\377x", 9);
    EXPECT("write(%d<%s/data.txt>, \"hello\\n\\1\\377x\", 9) = 9", fd, cwd);
    struct iovec iov[2] = {{"ab", 2}, {"cd\n", 3}};
    writev(fd, iov, 2);
    EXPECT("writev(%d<%s/data.txt>, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"cd\\n\", iov_len=3}], 2) = 5", fd, cwd);
    int fl = fcntl(fd, F_GETFL);
    EXPECT("fcntl(%d<%s/data.txt>, F_GETFL) = %#x (flags O_WRONLY|O_LARGEFILE)", fd, cwd, fl);
    close(fd);
    EXPECT("close(%d<%s/data.txt>) = 0", fd, cwd);

    fd = open("data.txt", O_RDONLY);
    EXPECT("openat(AT_FDCWD<%s>, \"data.txt\", O_RDONLY) = %d<%s/data.txt>", cwd, fd, cwd);
    char buf[100];
    int n = read(fd, buf, sizeof buf);
    EXPECT("read(%d<%s/data.txt>, \"hello\\n\\1\\377xabcd\\n\", 100) = %d", fd, cwd, n);
    off_t off = lseek(fd, 2, SEEK_SET);
    EXPECT("lseek(%d<%s/data.txt>, 2, SEEK_SET) = %ld", fd, cwd, (long)off);
    n = pread(fd, buf, 3, 1);
    EXPECT("pread64(%d<%s/data.txt>, \"ell\", 3, 1) = 3", fd, cwd);
    struct stat st;
    fstat(fd, &st);
    EXPECT("newfstatat(%d<%s/data.txt>, \"\", {st_mode=S_IFREG|0640, st_size=%ld, ...}, AT_EMPTY_PATH) = 0", fd, cwd, (long)st.st_size);
    int d = dup2(fd, 40);
    EXPECT("dup2(%d<%s/data.txt>, 40) = %d<%s/data.txt>", fd, cwd, d, cwd);
    close(40);

    int p[2];
    pipe2(p, O_CLOEXEC);
    char link[64], target[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", p[0]);
    ssize_t len = readlink(link, target, sizeof target - 1);
    target[len] = 0;
    EXPECT("pipe2([%d<%s>, %d<%s>], O_CLOEXEC) = 0", p[0], target, p[1], target);
    EXPECT("readlink(\"%s\", \"%s\", 63) = %zd", link, target, len);

    errno = 0;
    int bad = open("/nonexistent/x", O_RDONLY);
    EXPECT("openat(AT_FDCWD<%s>, \"/nonexistent/x\", O_RDONLY) = %d ENOENT (No such file or directory)", cwd, bad);
    stat("/dev/null", &st);
    EXPECT("newfstatat(AT_FDCWD<%s>, \"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, 0) = 0", cwd);
    mkdir("sub", 0755);
    EXPECT("mkdir(\"sub\", 0755) = 0");
    rename("data.txt", "sub/moved.txt");
    EXPECT("rename(\"data.txt\", \"sub/moved.txt\") = 0");
    unlinkat(AT_FDCWD, "sub/moved.txt", 0);
    EXPECT("unlinkat(AT_FDCWD<%s>, \"sub/moved.txt\", 0) = 0", cwd);
    rmdir("sub");
    EXPECT("rmdir(\"sub\") = 0");
    access("/etc/passwd", R_OK|W_OK);
    EXPECT("access(\"/etc/passwd\", R_OK|W_OK) = %d%s", access("/etc/passwd", R_OK|W_OK), access("/etc/passwd", R_OK|W_OK) ? " EACCES (Permission denied)" : "");
    fflush(stdout);
    return 0;
}
"""


def test_open_read_write_and_friends_decode_like_strace(tmp_path, cc):
    """Opening, writing, reading, seeking, stat, dup2, pipe2 and path calls print strace's lines."""
    expected, trace = expected_and_trace(tmp_path, cc, OPEN_READ_WRITE, "decode_open")
    assert_in_order(expected, trace)


GETDENTS = r"""
int main(void) {
    getcwd(cwd, sizeof cwd);
    mkdir("dir", 0700);
    for (int i = 0; i < 5; i++) { char n[32]; snprintf(n, sizeof n, "dir/f%d", i); close(creat(n, 0600)); }
    int fd = open("dir", O_RDONLY|O_DIRECTORY);
    char buf[8192];
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    int count = 0;
    for (long off = 0; off < n; count++) off += ((struct dirent64 *)(buf + off))->d_reclen;
    EXPECT("getdents64(%d<%s/dir>, %p /* %d entries */, 8192) = %ld", fd, cwd, (void *)buf, count, n);
    long z = syscall(SYS_getdents64, fd, buf, sizeof buf);
    EXPECT("getdents64(%d<%s/dir>, %p /* 0 entries */, 8192) = %ld", fd, cwd, (void *)buf, z);
    fflush(stdout);
    return 0;
}
"""


def test_getdents64_shows_the_entry_count(tmp_path, cc):
    """A directory listing shows the buffer address and how many entries came back."""
    expected, trace = expected_and_trace(tmp_path, cc, GETDENTS, "decode_getdents")
    assert_in_order(expected, trace)


UNTERMINATED = r"""
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void) {
    char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p + 4096, 4096);
    memcpy(p + 4090, "abcdef", 6);        /* no NUL before the unmapped page */
    openat(AT_FDCWD, p + 4095, O_RDONLY);
    openat(AT_FDCWD, p + 4090, O_RDONLY);
    write(1, p + 4094, 2);                /* a buffer, not a string: read as it is */
    p[4095] = 0;
    openat(AT_FDCWD, p + 4090, O_RDONLY);  /* now terminated */
    return 0;
}
"""


def test_a_string_cut_by_the_end_of_memory_prints_as_its_address(tmp_path):
    # strace prints the address of a string whose NUL is not readable, not the bytes
    # before the unmapped page.
    import subprocess

    from conftest import compile_c

    prog = compile_c(UNTERMINATED, name="unterminated")
    outs = []
    for tracer in ("strace", "tracetui"):
        out = tmp_path / f"{tracer}.txt"
        args = ["-f", "-e", "trace=openat,write", "-o", str(out), str(prog)]
        if tracer == "strace":
            subprocess.run(["strace", *args], check=True, timeout=60, capture_output=True)
        else:
            assert run_tracetui("--no-ui", *args).returncode == 0
        lines = out.read_text().splitlines()[-4:]
        outs.append([re.sub(r"0x[0-9a-f]+", "ADDR", strip_pid(x)) for x in lines])
    assert outs[0] == outs[1]
    assert outs[1][0].startswith("openat(AT_FDCWD, ADDR, O_RDONLY)")
