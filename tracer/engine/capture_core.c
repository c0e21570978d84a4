/* The capture core: the hot part of the ptrace loop, in C, without the GIL.
 *
 * It does only this, for stops the Python side has said it may take:
 * wait -> PTRACE_GET_SYSCALL_INFO -> read the memory the plan names -> resume,
 * appending fixed-layout records (tracer/engine/core_records.py reads them) to
 * a buffer that Python takes whole. Every decision is made in Python: the plan
 * (tracer/engine/core_plan.py) says per syscall number whether C may handle the
 * call and what to read; a task's state says whether its stops belong to
 * Python. Any other stop (signals, events, exits, a call C may not handle) is
 * returned to Python untouched, with the task still stopped.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CORE_VERSION 22
#define PROTO_MAX 22 /* longer protocol names are asked for at every call */
#define NR_MAX 1024
#define OPS_MAX 8
#define PAGE 4096
#define READ_MAX (64 * PAGE)
#define ARCH_X86_64 0xC000003Eu
#define GET_SYSCALL_INFO 0x420e
#define PTRACE_EVENT_STOP_ 128
#define PTRACE_EVENT_EXEC_ 4
#define PTRACE_EVENT_FORK_ 1
#define PTRACE_EVENT_VFORK_ 2
#define PTRACE_EVENT_CLONE_ 3
#define NR_EXECVE 59
#define NR_EXECVEAT 322
#define WAIT_FLAGS (__WALL | __WNOTHREAD)

/* plan flags */
#define P_TRACED 1
#define P_C_OK 2
#define P_FD_RETURNS 4
#define P_CLOSE_ARG0 8
#define P_DROP_ARG1 16
#define P_CLEAR 32
#define P_HANDOFF 64 /* some op is K_PYTHON: a call matching its `when` is Python's */
#define P_ERROR_READS 128 /* some exit op reads when the call failed (on_error) */
/* op kinds */
#define K_NOP 0
#define K_CSTR 1
#define K_BYTES 2
#define K_CWD 3
#define K_STRINGS 4
#define K_PYTHON 5 /* capture.Handoff: no read here; see take_entry */
#define K_NEW_FD 6 /* core_plan.NewFdWhen: the call returns a new fd only when `when` holds */
#define K_IOV 7 /* capture.Iovecs: a struct iovec array with its buffers; see run_iov_op */
#define K_FDS 8 /* capture.FdsIn (-y): fds stored in an array in memory; see name_fds_in */
#define FDS_IN_BYTES 16384
#define K_FDNAME 9 /* capture.FdName: what an fd argument refers to now, from /proc */
#define K_PY_PROTO 10 /* capture.SocketHandoff: Python's when the fd is a socket of that
                       * protocol (its name in when_vals, when_n bytes); see take_entry */
#define IOV_ALL 0
#define IOV_NONE 1
#define IOV_SHOWN_MAX 1024
/* op flags (as in capture.Read) */
#define F_NULL_SKIP 1
#define F_NONPOS_EMPTY 2
#define F_NONPOS_FIRST 4
#define F_BAD_SKIP 8
#define F_EXACT 16
#define F_RET_POSITIVE 32
#define F_PTRS 64
#define F_STRINGS 128
/* size sources */
#define ARG_SP 6

#define S_CONST 0
#define S_ARG 1
#define S_RET 2
#define S_PTR 3 /* capture.Read.size_ptr: the int an argument points to */
/* task states */
#define ST_NONE 1
#define ST_CCALL 2
#define ST_PYCALL 3
#define ST_PYTASK 4
#define ST_UNTRACED 5
#define ST_NEWTASK 6 /* announced by Python at its creator's fork/clone; its first stop is C's */
/* records and captures */
#define R_ENTRY 1
#define R_EXIT 2
#define R_SIGNAL 3 /* head (nr: the signal) + 128 bytes of siginfo */
#define R_EXEC 4 /* head + 3 C_BYTES captures: /proc exe, cmdline, environ (aux 0: unreadable) */
#define R_TASK 5 /* a new task (head: the child; nr: its creator's tgid) + 16 bytes of comm */
#define R_GONE 6 /* a task that exited or was killed (head nr: its wait status) */
#define COMM_SIZE 16
/* what take_tasks() reports, in order */
#define L_NEW 1
#define L_GONE 2
#define SIGINFO_SIZE 128
#define RF_ERROR 1
#define RF_FDS 2
#define C_BYTES 1
#define C_NONE 2
#define C_FDNAME 3
#define C_CWD 4
/* why run() returned */
#define ERESTART_RESTARTBLOCK 516
#define WHY_BATCH 0
#define WHY_STOP 1
#define WHY_EINTR 3
#define WHY_ERROR 4

typedef struct __attribute__((packed)) {
    uint8_t kind, arg, size_src, size_arg, flags, scale;
    int16_t offset; /* added to the address; arg ARG_SP: the stack pointer (entry only) */
    int64_t size, cap;
    /* capture.Read.when: read only when (args[when_arg] & when_mask) is one of
     * when_vals[0..when_n) (any bit set when when_n is 0); when_arg 0xFF: always */
    uint8_t when_arg, when_n;
    int16_t deref; /* capture.Read.deref: >= 0, the address is the pointer stored there */
    uint8_t on_error; /* capture.Read.on_error: an exit read that runs when the call failed */
    uint8_t pad2[3];
    uint64_t when_mask;
    uint32_t when_vals[6];
} Op;

typedef struct __attribute__((packed)) {
    uint8_t flags, fdmask, n_entry, n_exit;
    Op entry[OPS_MAX];
    Op exit[OPS_MAX];
} NrPlan;

typedef struct __attribute__((packed)) {
    uint8_t kind, flags;
    uint16_t ncaps;
    int32_t tid, tgid, nr;
    double time;
} RecHead;

typedef struct __attribute__((packed)) {
    uint8_t type, op;
    int16_t pad;
    int32_t aux;
    uint32_t len;
} CapHead;

struct syscall_info {
    uint8_t op;
    uint8_t pad[3];
    uint32_t arch;
    uint64_t ip, sp;
    union {
        struct { uint64_t nr, args[6]; } entry;
        struct { int64_t rval; uint8_t is_error; } exit;
    };
};

typedef struct {
    int32_t tid; /* 0: empty, -1: deleted */
    int32_t tgid;
    uint32_t state;
    uint32_t nr;
    uint64_t args[6];
} Slot;

/* What each fd of a process refers to (strace -y), cached as the Python FdNames
 * did: one readlink per fd until a call changes it. Python's FdNames delegates here
 * while the core runs, so there is one cache, and Python's calls keep it true too. */
typedef struct {
    char *name; /* NULL: not known */
    uint32_t len;
    /* The socket protocol (sockfs's "system.sockprotoname") for capture.SocketHandoff,
     * kept and dropped with the name: it cannot change while the fd stays the same. */
    uint8_t proto_known; /* 0: not asked yet */
    uint8_t proto_len;   /* 0: no socket */
    char proto[PROTO_MAX];
} FdEnt;

typedef struct {
    int32_t tgid; /* 0: empty, -1: deleted */
    uint32_t n;
    FdEnt *ents;
} FdTab;

#define FD_CACHE_MAX 65536

typedef struct {
    PyObject_HEAD
    NrPlan *plan;
    FdTab *tabs;
    size_t tcap, tused;
    int fd_cache;
    /* strace -yy: calls on socket fds, and calls that return one, go to Python, which
     * looks up the endpoints while the task is stopped (engine/socket_details.py). */
    int sockets;
    /* Python lets C take a plain exec event (no stacks to invalidate, the thread that
     * called execve is the leader): set_exec(). */
    int exec_in_c;
    /* Python lets C take fork/clone events and the ends of tasks other than main_pid
     * (set_tasks()); it learns of them from take_tasks() when run() returns. */
    int tasks_in_c;
    int32_t main_pid;
    int32_t *life; /* (L_*, tid, tgid, parent tid | wait status) per change, in order */
    size_t life_n, life_cap;
    Slot *slots;
    size_t cap, used; /* used counts live and deleted slots */
    char *buf; /* the record being built (the ptrace thread's own) */
    size_t len, bufcap;
    /* Finished records, shared with the consumer's thread (under mu): the worker takes
     * them when run() returns, a consumer takes them while run() goes on (take_running),
     * so the ptrace thread never needs the GIL for a stop C handles. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *out;
    size_t ohead, olen, ocap; /* records waiting are out[ohead:olen] */
    uint32_t count;
    unsigned long epoch;
    int running, interrupt;
    char *scratch;
    int max_polls, polls;
    unsigned long long stops;
    /* The warm thread (warm_main): started by run() when Python asked for it (warm). */
    int warm;
    pthread_t warm_thread;
    int warm_started;
    int warm_sleeping; /* a futex word: 1 while the warm thread waits for stops */
    int warm_quit;
    int32_t last_tid; /* the task of the last stop, whose CPU the warm thread keeps */
    int tracer_cpu;   /* where the ptrace thread ran at that stop */
} Core;

/* ---- the task table (open addressing; tids are small positive ints) ---- */

static size_t slot_index(Core *c, int32_t tid) {
    return ((uint32_t)tid * 2654435761u) & (c->cap - 1);
}

static Slot *slot_find(Core *c, int32_t tid) {
    size_t i = slot_index(c, tid);
    for (;;) {
        Slot *s = &c->slots[i];
        if (s->tid == tid) return s;
        if (s->tid == 0) return NULL;
        i = (i + 1) & (c->cap - 1);
    }
}

static int slots_grow(Core *c);

static Slot *slot_put(Core *c, int32_t tid) {
    Slot *s = slot_find(c, tid);
    if (s) return s;
    if ((c->used + 1) * 2 > c->cap && slots_grow(c) < 0) return NULL;
    size_t i = slot_index(c, tid);
    for (;;) {
        s = &c->slots[i];
        if (s->tid == 0 || s->tid == -1) {
            if (s->tid == 0) c->used++;
            memset(s, 0, sizeof *s);
            s->tid = tid;
            return s;
        }
        i = (i + 1) & (c->cap - 1);
    }
}

static int slots_grow(Core *c) {
    size_t old_cap = c->cap;
    Slot *old = c->slots;
    size_t cap = old_cap * 2;
    Slot *n = PyMem_RawCalloc(cap, sizeof(Slot));
    if (!n) return -1;
    c->slots = n;
    c->cap = cap;
    c->used = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].tid > 0) {
            Slot *s = slot_put(c, old[i].tid);
            *s = old[i];
        }
    }
    PyMem_RawFree(old);
    return 0;
}

/* ---- the output buffer ---- */

static int reserve(Core *c, size_t more) {
    if (c->len + more <= c->bufcap) return 0;
    size_t cap = c->bufcap * 2;
    while (cap < c->len + more) cap *= 2;
    char *n = PyMem_RawRealloc(c->buf, cap);
    if (!n) return -1;
    c->buf = n;
    c->bufcap = cap;
    return 0;
}

static double now_real(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the warm thread ----
 *
 * While a program stops back to back, its CPU goes idle at every stop until the tracer
 * resumes it. Where idle means halt (a VM without halt polling), the resume has to wake
 * that CPU through the hypervisor: on a 2-vCPU AMD EPYC VM that was most of a stop's
 * cost. The warm thread spins at SCHED_IDLE on the CPU of the last stopped task, so
 * that CPU never halts and the kernel still counts it idle: the resumed task wakes
 * there at once, and anything else that wants the CPU (the task first of all) takes it
 * from the idle class at once. It can only starve itself. It spins while stops come
 * (run() wakes it) and sleeps once none came for WARM_QUIET_S. Python says whether it
 * may run at all (engine/spin.py, warm_cpu_allowed: not under a CPU quota). */

#define WARM_QUIET_S 0.002
#define WARM_PLACE_S 0.001

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#else
    __asm__ volatile("" ::: "memory");
#endif
}

static long futex(int *word, int op, int val) {
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* The CPU task `tid` last ran on (/proc/TID/stat, field 39), or -1. */
static int task_cpu(pid_t tid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *q = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
    for (int field = 2; q && field < 39; field++) q = strchr(q + 1, ' ');
    return q ? atoi(q + 1) : -1;
}

/* Where the warm thread should be: the CPU the last stopped task ran on, which the
 * kernel wakes it on again if that CPU is idle; or, when that is the tracer's own CPU,
 * anywhere else (the task moves off a CPU that a polling tracer keeps busy). Within the
 * CPUs we were given. Returns a key of the choice, to set it only when it changes. */
static int warm_place(Core *c, const cpu_set_t *allowed, int placed) {
    int task = task_cpu(__atomic_load_n(&c->last_tid, __ATOMIC_RELAXED));
    int tracer = __atomic_load_n(&c->tracer_cpu, __ATOMIC_RELAXED);
    if (task < 0 || task >= CPU_SETSIZE || tracer < 0 || tracer >= CPU_SETSIZE) return placed;
    int key = task == tracer ? -2 - tracer : task;
    if (key == placed) return placed;
    cpu_set_t set;
    if (task == tracer) {
        memcpy(&set, allowed, sizeof set);
        CPU_CLR(tracer, &set);
    } else {
        CPU_ZERO(&set);
        if (CPU_ISSET(task, allowed)) CPU_SET(task, &set);
    }
    if (CPU_COUNT(&set) == 0 || sched_setaffinity(0, sizeof set, &set) != 0) return placed;
    return key;
}

static void *warm_main(void *arg) {
    Core *c = arg;
    struct sched_param sp = {0};
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return NULL;
    if (sched_setscheduler(0, SCHED_IDLE, &sp) != 0) return NULL; /* never at normal priority */
    unsigned long long seen = 0;
    double quiet_since = now_mono(), next_place = 0;
    int placed = -1;
    while (!__atomic_load_n(&c->warm_quit, __ATOMIC_ACQUIRE)) {
        if (__atomic_load_n(&c->warm_sleeping, __ATOMIC_ACQUIRE)) {
            futex(&c->warm_sleeping, FUTEX_WAIT_PRIVATE, 1);
            quiet_since = now_mono();
            continue;
        }
        for (int i = 0; i < 256; i++) cpu_relax();
        double now = now_mono();
        unsigned long long stops = __atomic_load_n(&c->stops, __ATOMIC_RELAXED);
        if (stops != seen) seen = stops, quiet_since = now;
        else if (now - quiet_since > WARM_QUIET_S) {
            __atomic_store_n(&c->warm_sleeping, 1, __ATOMIC_RELEASE);
            continue;
        }
        if (now >= next_place) {
            next_place = now + WARM_PLACE_S;
            placed = warm_place(c, &allowed, placed);
        }
    }
    return NULL;
}

/* A stop came while the tracer polls: have the warm thread spin, if it sleeps. */
static inline void warm_wake(Core *c) {
    if (c->warm_started && __atomic_load_n(&c->warm_sleeping, __ATOMIC_RELAXED)) {
        __atomic_store_n(&c->warm_sleeping, 0, __ATOMIC_RELEASE);
        futex(&c->warm_sleeping, FUTEX_WAKE_PRIVATE, 1);
    }
}

static void warm_stop(Core *c) {
    if (!c->warm_started) return;
    __atomic_store_n(&c->warm_quit, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&c->warm_sleeping, 0, __ATOMIC_RELEASE);
    futex(&c->warm_sleeping, FUTEX_WAKE_PRIVATE, 1);
    pthread_join(c->warm_thread, NULL);
    c->warm_started = 0;
}

/* ---- reading tracee memory ---- */

/* Up to `size` bytes at `addr` into `out`, split at page boundaries so an unmapped
 * page gives a short read; -1 if nothing could be read. */
static ssize_t read_mem(pid_t tid, uint64_t addr, size_t size, char *out) {
    struct iovec local, remote[65];
    size_t n = 0;
    uint64_t a = addr, end = addr + size;
    if (size > READ_MAX) size = READ_MAX, end = addr + size;
    while (a < end && n < 65) {
        uint64_t next = (a / PAGE + 1) * PAGE;
        if (next > end) next = end;
        remote[n].iov_base = (void *)(uintptr_t)a;
        remote[n].iov_len = next - a;
        n++;
        a = next;
    }
    local.iov_base = out;
    local.iov_len = size;
    return process_vm_readv(tid, &local, 1, remote, n, 0);
}

/* A NUL-terminated string, at most limit+1 bytes (the extra byte says "longer");
 * -1 if memory ends before its NUL and before the limit (strace then prints the
 * address, not the bytes it could read). Mirrors ProcessMemory.read_cstr. */
static ssize_t read_cstr(pid_t tid, uint64_t addr, size_t limit, char *out) {
    size_t want = limit + 1, got = 0;
    if (want > READ_MAX) want = READ_MAX;
    uint64_t a = addr;
    while (got < want) {
        size_t chunk = (size_t)((a / PAGE + 1) * PAGE - a);
        if (chunk > want - got) chunk = want - got;
        ssize_t r = read_mem(tid, a, chunk, out + got);
        if (r < 0) return -1;
        char *nul = memchr(out + got, 0, (size_t)r);
        if (nul) return (ssize_t)(got + (size_t)(nul - (out + got)));
        got += (size_t)r;
        if ((size_t)r < chunk) return -1;
        a += chunk;
    }
    return (ssize_t)got;
}

static char *fmt_uint(char *p, unsigned long v) {
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

static ssize_t read_link(int32_t pid, const char *what, long fd, char *out, size_t cap) {
    char path[64];
    char *p = memcpy(path, "/proc/", 6) + 6;
    p = fmt_uint(p, (unsigned long)pid);
    size_t wl = strlen(what);
    memcpy(p, what, wl);
    p += wl;
    if (fd >= 0) p = fmt_uint(p, (unsigned long)fd);
    *p = 0;
    return readlink(path, out, cap);
}

/* ---- the fd-name cache ---- */

static FdTab *tab_find(Core *c, int32_t tgid) {
    size_t i = ((uint32_t)tgid * 2654435761u) & (c->tcap - 1);
    for (;;) {
        FdTab *t = &c->tabs[i];
        if (t->tgid == tgid) return t;
        if (t->tgid == 0) return NULL;
        i = (i + 1) & (c->tcap - 1);
    }
}

static void tab_clear(FdTab *t) {
    for (uint32_t i = 0; i < t->n; i++) free(t->ents[i].name);
    free(t->ents);
    t->ents = NULL;
    t->n = 0;
}

static int tabs_grow(Core *c);

static FdTab *tab_put(Core *c, int32_t tgid) {
    FdTab *t = tab_find(c, tgid);
    if (t) return t;
    if ((c->tused + 1) * 2 > c->tcap && tabs_grow(c) < 0) return NULL;
    size_t i = ((uint32_t)tgid * 2654435761u) & (c->tcap - 1);
    for (;;) {
        t = &c->tabs[i];
        if (t->tgid == 0 || t->tgid == -1) {
            if (t->tgid == 0) c->tused++;
            t->tgid = tgid;
            t->n = 0;
            t->ents = NULL;
            return t;
        }
        i = (i + 1) & (c->tcap - 1);
    }
}

static int tabs_grow(Core *c) {
    size_t old_cap = c->tcap;
    FdTab *old = c->tabs;
    FdTab *n = PyMem_RawCalloc(old_cap * 2, sizeof(FdTab));
    if (!n) return -1;
    c->tabs = n;
    c->tcap = old_cap * 2;
    c->tused = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].tgid > 0) {
            FdTab *t = tab_put(c, old[i].tgid);
            t->n = old[i].n;
            t->ents = old[i].ents;
        }
    }
    PyMem_RawFree(old);
    return 0;
}

static void fd_drop(Core *c, int32_t tgid, long fd) {
    FdTab *t = tab_find(c, tgid);
    if (t && fd >= 0 && (unsigned long)fd < t->n) {
        free(t->ents[fd].name);
        t->ents[fd].name = NULL;
        t->ents[fd].proto_known = 0;
    }
}

static void fd_clear(Core *c, int32_t tgid) {
    FdTab *t = tab_find(c, tgid);
    if (t) {
        tab_clear(t);
        t->tgid = -1;
    }
}

/* A new process starts with its parent's fds (names copied); -1 out of memory. */
static int fd_copy(Core *c, int32_t parent, int32_t child) {
    FdTab *p = tab_find(c, parent);
    fd_clear(c, child);
    if (!p || !p->n) return 0;
    FdTab *t = tab_put(c, child);
    if (!t) return -1;
    p = tab_find(c, parent); /* tab_put may have moved it */
    t->ents = calloc(p->n, sizeof(FdEnt));
    if (!t->ents) return -1;
    t->n = p->n;
    for (uint32_t i = 0; i < p->n; i++) {
        t->ents[i].proto_known = p->ents[i].proto_known;
        t->ents[i].proto_len = p->ents[i].proto_len;
        memcpy(t->ents[i].proto, p->ents[i].proto, sizeof p->ents[i].proto);
        if (p->ents[i].name) {
            t->ents[i].name = malloc(p->ents[i].len + 1);
            if (!t->ents[i].name) return -1;
            memcpy(t->ents[i].name, p->ents[i].name, p->ents[i].len);
            t->ents[i].len = p->ents[i].len;
        }
    }
    return 0;
}

static ssize_t read_link(int32_t pid, const char *what, long fd, char *out, size_t cap);

/* Make room for entry `fd` in the table; -1 out of memory. */
static int fd_room(FdTab *t, long fd) {
    if ((unsigned long)fd < t->n) return 0;
    uint32_t want = t->n ? t->n : 16;
    while (want <= (unsigned long)fd) want *= 2;
    FdEnt *e = realloc(t->ents, want * sizeof(FdEnt));
    if (!e) return -1;
    memset(e + t->n, 0, (want - t->n) * sizeof(FdEnt));
    t->ents = e;
    t->n = want;
    return 0;
}

/* The name of `fd` in process `tgid` (cached), or NULL; its length in *len. */
static const char *fd_name(Core *c, int32_t tgid, long fd, uint32_t *len) {
    if (fd < 0) return NULL;
    FdTab *t = NULL;
    if (c->fd_cache && fd < FD_CACHE_MAX) {
        t = tab_put(c, tgid);
        if (t && (unsigned long)fd < t->n && t->ents[fd].name) {
            *len = t->ents[fd].len;
            return t->ents[fd].name;
        }
    }
    ssize_t n = read_link(tgid, "/fd/", fd, c->scratch, READ_MAX);
    if (n < 0) return NULL;
    *len = (uint32_t)n;
    if (!t || fd_room(t, fd) < 0) return c->scratch;
    char *copy = malloc((size_t)n + 1);
    if (!copy) return c->scratch;
    memcpy(copy, c->scratch, (size_t)n);
    t->ents[fd].name = copy;
    t->ents[fd].len = (uint32_t)n;
    return copy;
}

/* ---- records ---- */

static int put_cap(Core *c, uint16_t *ncaps, uint8_t type, uint8_t op, int32_t aux,
                   const char *data, size_t len) {
    if (reserve(c, sizeof(CapHead) + len) < 0) return -1;
    CapHead h = {type, op, 0, aux, (uint32_t)len};
    memcpy(c->buf + c->len, &h, sizeof h);
    c->len += sizeof h;
    if (len) memcpy(c->buf + c->len, data, len);
    c->len += len;
    (*ncaps)++;
    return 0;
}

static int64_t op_size(const Op *op, const uint64_t *args, int64_t ret) {
    int64_t n;
    if (op->size_src == S_RET) n = ret;
    else if (op->size_src == S_ARG) {
        uint64_t u = args[op->size_arg];
        n = u > (uint64_t)INT64_MAX / 256 ? INT64_MAX / 256 : (int64_t)u;
    } else n = op->size;
    n *= op->scale;
    if (op->cap && n > op->cap) n = op->cap;
    return n;
}

static int run_strings_op(Core *c, uint16_t *ncaps, int idx, const Op *op, pid_t tid, uint64_t addr);
static int run_iov_op(Core *c, uint16_t *ncaps, int idx, const Op *op, pid_t tid,
                      const uint64_t *args, int64_t ret);

/* Run one op as capture.read_op does; appends its capture (or nothing for SKIP). */
/* capture.when_holds: (args[when_arg] & when_mask) is one of when_vals[0..when_n)
 * (any bit set when when_n is 0); when_arg 0xFF: always. */
static int when_holds(const Op *op, const uint64_t *args) {
    if (op->when_arg >= 6) return 1;
    uint64_t bits = args[op->when_arg] & op->when_mask;
    if (op->when_n == 0) return bits != 0;
    for (int i = 0; i < op->when_n && i < 6; i++)
        if (bits == op->when_vals[i]) return 1;
    return 0;
}

static int run_op(Core *c, uint16_t *ncaps, int idx, const Op *op, pid_t tid,
                  const uint64_t *args, uint64_t sp, int64_t ret) {
    if (op->kind == K_NOP) return 0;
    if (op->kind == K_CWD) {
        for (int i = 0; i < 6; i++) {
            if ((op->arg >> i) & 1) {
                if ((uint32_t)args[i] == 0xFFFFFF9Cu) {
                    ssize_t n = read_link(tid, "/cwd", -1, c->scratch, READ_MAX);
                    if (n >= 0) return put_cap(c, ncaps, C_CWD, (uint8_t)idx, 0, c->scratch, (size_t)n);
                    return 0;
                }
            }
        }
        return 0;
    }
    if (op->kind == K_PYTHON || op->kind == K_NEW_FD || op->kind == K_FDS || op->kind == K_PY_PROTO)
        return 0;
    if (op->kind == K_IOV) return run_iov_op(c, ncaps, idx, op, tid, args, ret);
    if (op->kind == K_FDNAME) {
        uint32_t fd = (uint32_t)args[op->arg];
        ssize_t n = fd < 0x80000000u ? read_link(tid, "/fd/", (long)fd, c->scratch, READ_MAX) : -1;
        if (n < 0) return put_cap(c, ncaps, C_NONE, (uint8_t)idx, 0, NULL, 0);
        return put_cap(c, ncaps, C_BYTES, (uint8_t)idx, 0, c->scratch, (size_t)n);
    }
    if ((op->flags & F_RET_POSITIVE) && ret <= 0) return 0;
    if (!when_holds(op, args)) return 0;
    uint64_t addr = (op->arg == ARG_SP ? sp : op->arg < 6 ? args[op->arg] : 0) + (int64_t)op->offset;
    if (op->deref >= 0) {
        uint64_t field;
        if (!addr || read_mem(tid, addr + (uint64_t)op->deref, 8, (char *)&field) != 8)
            return (op->flags & F_BAD_SKIP) ? 0 : put_cap(c, ncaps, C_NONE, (uint8_t)idx, 0, NULL, 0);
        addr = field;
    }
    if (op->kind == K_STRINGS) return run_strings_op(c, ncaps, idx, op, tid, addr);
    if (op->kind == K_CSTR) {
        if (!addr)
            return (op->flags & F_NULL_SKIP) ? 0 : put_cap(c, ncaps, C_NONE, (uint8_t)idx, 0, NULL, 0);
        ssize_t n = read_cstr(tid, addr, (size_t)op->size, c->scratch);
        if (n < 0) return put_cap(c, ncaps, C_NONE, (uint8_t)idx, 0, NULL, 0);
        return put_cap(c, ncaps, C_BYTES, (uint8_t)idx, 0, c->scratch, (size_t)n);
    }
    int64_t n;
    if (op->size_src == S_PTR) {
        uint64_t at = args[op->size_arg];
        int32_t v;
        if (!at || read_mem(tid, at, 4, (char *)&v) != 4) return 0;
        n = (int64_t)v * op->scale;
        if (op->cap && n > op->cap) n = op->cap;
    } else n = op_size(op, args, ret);
    int empty = op->flags & F_NONPOS_EMPTY;
    if (n <= 0 && (op->flags & F_NONPOS_FIRST))
        return put_cap(c, ncaps, empty ? C_BYTES : C_NONE, (uint8_t)idx, 0, NULL, 0);
    if (!addr)
        return (op->flags & F_NULL_SKIP) ? 0 : put_cap(c, ncaps, C_NONE, (uint8_t)idx, 0, NULL, 0);
    if (n <= 0) return put_cap(c, ncaps, empty ? C_BYTES : C_NONE, (uint8_t)idx, 0, NULL, 0);
    size_t want = (size_t)(n > READ_MAX ? READ_MAX : n);
    ssize_t got = read_mem(tid, addr, want, c->scratch);
    if (got < 0 || ((op->flags & F_EXACT) && (size_t)got < want))
        return (op->flags & F_BAD_SKIP) ? 0 : put_cap(c, ncaps, C_NONE, (uint8_t)idx, 0, NULL, 0);
    return put_cap(c, ncaps, C_BYTES, (uint8_t)idx, 0, c->scratch, (size_t)got);
}

/* A struct iovec array with its buffers' data, as capture.read_iovecs. op: arg the
 * array, size_arg its count, size_src the budget (IOV_ALL, IOV_NONE, else the return
 * value), size the elements kept at most, cap the data limit. The blob: u32 elements,
 * u8 the array's end unreadable, u64 that end, then per element u64 iov_base, u64
 * iov_len, i32 the data's length (-1: none) and the data. Nothing when the address is
 * NULL, no element is to be kept, or the array ends past the address space. */
static int run_iov_op(Core *c, uint16_t *ncaps, int idx, const Op *op, pid_t tid,
                      const uint64_t *args, int64_t ret) {
    uint64_t addr = args[op->arg], count = args[op->size_arg];
    uint64_t shown = count < (uint64_t)op->size ? count : (uint64_t)op->size;
    if (shown > IOV_SHOWN_MAX) shown = IOV_SHOWN_MAX;
    if (!addr || shown == 0) return 0;
    if ((unsigned __int128)count * 16 > (unsigned __int128)UINT64_MAX - addr + 1) return 0;
    uint64_t raw[2 * IOV_SHOWN_MAX];
    ssize_t got = read_mem(tid, addr, (size_t)shown * 16, (char *)raw);
    uint32_t n = got > 0 ? (uint32_t)((size_t)got / 16) : 0;
    uint8_t short_ = n < shown;
    uint64_t end = addr + 16ull * n;
    int64_t budget = op->size_src == IOV_ALL ? (int64_t)1 << 62 : op->size_src == IOV_NONE ? -1 : ret;
    size_t at = c->len;
    if (reserve(c, sizeof(CapHead) + 13) < 0) return -1;
    c->len += sizeof(CapHead);
    memcpy(c->buf + c->len, &n, 4);
    c->buf[c->len + 4] = (char)short_;
    memcpy(c->buf + c->len + 5, &end, 8);
    c->len += 13;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t base = raw[2 * i], len = raw[2 * i + 1];
        ssize_t r = -1;
        if (budget >= 0) {
            uint64_t take = len;
            if ((uint64_t)budget < take) take = (uint64_t)budget;
            if (op->cap >= 0 && (uint64_t)op->cap < take) take = (uint64_t)op->cap;
            r = take > 0 ? read_mem(tid, base, (size_t)take, c->scratch) : 0;
            if (op->size_src != IOV_ALL) budget -= len < (uint64_t)budget ? (int64_t)len : budget;
        }
        int32_t dlen = r < 0 ? -1 : (int32_t)r;
        if (reserve(c, 20 + (r > 0 ? (size_t)r : 0)) < 0) return -1;
        memcpy(c->buf + c->len, &base, 8);
        memcpy(c->buf + c->len + 8, &len, 8);
        memcpy(c->buf + c->len + 16, &dlen, 4);
        c->len += 20;
        if (r > 0) {
            memcpy(c->buf + c->len, c->scratch, (size_t)r);
            c->len += (size_t)r;
        }
    }
    CapHead h = {C_BYTES, (uint8_t)idx, 0, 0, (uint32_t)(c->len - at - sizeof(CapHead))};
    memcpy(c->buf + at, &h, sizeof h);
    (*ncaps)++;
    return 0;
}

/* A NULL-terminated pointer array (execve's argv, envp), as capture.Strings: at most
 * op->size pointers. The blob: u32 count, u8 complete, [count x u64 pointers with
 * F_PTRS], [with F_STRINGS, for the first min(count, op->cap) pointers: i32 length
 * (-1: unreadable) and the string, at most op->cap + 1 bytes]. Nothing when the
 * address is NULL or not even the first pointer is readable. */
static int run_strings_op(Core *c, uint16_t *ncaps, int idx, const Op *op, pid_t tid, uint64_t addr) {
    if (!addr) return 0;
    size_t limit = op->size > 0 ? (size_t)op->size : 0;
    size_t at = c->len; /* the capture header goes here once the length is known */
    if (reserve(c, sizeof(CapHead) + 5) < 0) return -1;
    c->len += sizeof(CapHead) + 5;
    size_t ptrs_at = c->len;
    uint32_t n = 0;
    uint8_t complete = 0;
    uint64_t chunk[64];
    while (n < limit) {
        size_t want = limit - n < 64 ? limit - n : 64;
        ssize_t got = read_mem(tid, addr + 8ull * n, want * 8, (char *)chunk);
        if (got < 8) break;
        size_t k = (size_t)got / 8, i = 0;
        for (; i < k; i++) {
            if (chunk[i] == 0) { complete = 1; break; }
            if (op->flags & F_PTRS) {
                if (reserve(c, 8) < 0) return -1;
                memcpy(c->buf + c->len, &chunk[i], 8);
                c->len += 8;
            }
            n++;
        }
        if (complete) break;
    }
    if (n == 0 && !complete) { c->len = at; return 0; }
    if ((op->flags & F_STRINGS) && (op->flags & F_PTRS)) {
        size_t strs = op->cap < (int64_t)n ? (size_t)op->cap : n;
        for (size_t i = 0; i < strs; i++) {
            uint64_t p;
            memcpy(&p, c->buf + ptrs_at + 8 * i, 8);
            ssize_t len = read_cstr(tid, p, (size_t)op->cap, c->scratch);
            int32_t l = len < 0 ? -1 : (int32_t)len;
            if (reserve(c, 4 + (len > 0 ? (size_t)len : 0)) < 0) return -1;
            memcpy(c->buf + c->len, &l, 4);
            c->len += 4;
            if (len > 0) {
                memcpy(c->buf + c->len, c->scratch, (size_t)len);
                c->len += (size_t)len;
            }
        }
    }
    CapHead h = {C_BYTES, (uint8_t)idx, 0, 0, (uint32_t)(c->len - at - sizeof(CapHead))};
    memcpy(c->buf + at, &h, sizeof h);
    memcpy(c->buf + at + sizeof h, &n, 4);
    c->buf[at + sizeof h + 4] = (char)complete;
    (*ncaps)++;
    return 0;
}

static int put_fdname(Core *c, uint16_t *ncaps, int32_t tgid, long fd) {
    uint32_t len = 0;
    const char *name = fd_name(c, tgid, fd, &len);
    if (!name) return 0;
    return put_cap(c, ncaps, C_FDNAME, 0, (int32_t)fd, name, len);
}

static size_t begin_record(Core *c, uint8_t kind, uint8_t flags, const Slot *s, uint32_t nr,
                           double t, size_t extra) {
    if (reserve(c, sizeof(RecHead) + extra) < 0) return (size_t)-1;
    size_t at = c->len;
    RecHead h = {kind, flags, 0, s->tid, s->tgid, (int32_t)nr, t};
    memcpy(c->buf + at, &h, sizeof h);
    c->len += sizeof h;
    return at;
}

/* Publish the record built in buf: append it to the shared buffer. */
static int end_record(Core *c, size_t at, uint16_t ncaps) {
    memcpy(c->buf + at + offsetof(RecHead, ncaps), &ncaps, sizeof ncaps);
    int r = 0;
    pthread_mutex_lock(&c->mu);
    if (c->olen + c->len > c->ocap && c->ohead >= (c->olen - c->ohead)) {
        /* Taken records are dropped from the front only once they outweigh the
         * waiting ones: each byte moves at most once on average, where moving the
         * rest at every take cost a full backlog's copy per batch (under the lock). */
        memmove(c->out, c->out + c->ohead, c->olen - c->ohead);
        c->olen -= c->ohead;
        c->ohead = 0;
    }
    if (c->olen + c->len > c->ocap) {
        size_t cap = c->ocap * 2;
        while (cap < c->olen + c->len) cap *= 2;
        char *n = realloc(c->out, cap);
        if (n) {
            c->out = n;
            c->ocap = cap;
        } else {
            r = -1;
        }
    }
    if (r == 0) {
        memcpy(c->out + c->olen, c->buf, c->len);
        c->olen += c->len;
        c->count++;
    }
    pthread_mutex_unlock(&c->mu);
    c->len = 0;
    return r;
}

static int is_socket(const char *name, uint32_t len) {
    return name && len > 8 && memcmp(name, "socket:[", 8) == 0;
}

/* Name the fds an array in memory holds, as capture.read_fds_in lists them for the
 * Python loop (poll's pollfd.fd). op: arg the array, size_arg the count (its low 32
 * bits; 0xFF: cap is the count), scale the element's size, offset the fd's place in it,
 * size the count at most. `fresh`: new fds (at exit: pipe's pair), whose numbers may
 * still carry an old name. The array is copied first: naming an fd reads its link into
 * c->scratch. */
static int name_fds_in(Core *c, uint16_t *ncaps, const Slot *s, const Op *op, const uint64_t *args,
                       int fresh) {
    char arr[FDS_IN_BYTES];
    uint64_t addr = args[op->arg];
    uint64_t n = op->size_arg == 0xFF ? (uint64_t)op->cap : args[op->size_arg] & 0xFFFFFFFFu;
    size_t stride = op->scale;
    if (n > (uint64_t)op->size) n = (uint64_t)op->size;
    if (!addr || n == 0 || stride < 4 || (size_t)op->offset + 4 > stride) return 0;
    if (n * stride > FDS_IN_BYTES) n = FDS_IN_BYTES / stride;
    ssize_t got = read_mem(s->tid, addr, (size_t)(n * stride), arr);
    for (size_t off = 0; got > 0 && off + stride <= (size_t)got; off += stride) {
        int32_t fd;
        memcpy(&fd, arr + off + op->offset, 4);
        if (fd < 0) continue;
        if (fresh) fd_drop(c, s->tgid, fd);
        if (put_fdname(c, ncaps, s->tgid, fd) < 0) return -1;
    }
    return 0;
}

/* capture.socket_proto: whether the task's fd is a socket whose protocol name (sockfs's
 * "system.sockprotoname" xattr, trailing NULs dropped) is the op's. Asked once per fd
 * while the fd cache is kept (no trace filter): a server looping on recv paid a getxattr
 * of /proc per call (a UDP send/recv loop 15-20% slower, 2-vCPU AMD EPYC VM). */
static int socket_proto_is(Core *c, const Slot *s, uint64_t fdarg, const Op *op) {
    uint32_t fd = (uint32_t)fdarg;
    char path[64], name[64];
    if (fd >= 0x80000000u) return 0;
    FdTab *t = NULL;
    if (c->fd_cache && fd < FD_CACHE_MAX) {
        t = tab_put(c, s->tgid);
        if (t && fd < t->n && t->ents[fd].proto_known)
            return t->ents[fd].proto_len == op->when_n
                   && memcmp(t->ents[fd].proto, op->when_vals, op->when_n) == 0;
    }
    snprintf(path, sizeof path, "/proc/%d/fd/%u", (int)s->tid, fd);
    ssize_t n = getxattr(path, "system.sockprotoname", name, sizeof name);
    if (n < 0) {
        /* Not a socket. No such fd (ENOENT) is not remembered: the number is free. */
        if (errno == ENOENT) t = NULL;
        n = 0;
    }
    while (n > 0 && name[n - 1] == 0) n--;
    if (t && n <= PROTO_MAX && fd_room(t, fd) == 0) {
        t->ents[fd].proto_known = 1;
        t->ents[fd].proto_len = (uint8_t)n;
        memcpy(t->ents[fd].proto, name, (size_t)n);
    }
    return n > 0 && (size_t)n == op->when_n && memcmp(name, op->when_vals, (size_t)n) == 0;
}

/* A syscall-entry stop C may take: capture, resume, record. 0 ok, -1 out of memory,
 * 1 when the call is Python's after all (a capture.Handoff holds; -yy: an fd argument
 * is a socket). */
static int take_entry(Core *c, Slot *s, uint32_t nr, const uint64_t *args, uint64_t sp) {
    const NrPlan *p = &c->plan[nr];
    if (p->flags & P_HANDOFF) {
        /* A capture.Handoff that holds for these arguments: the whole call is Python's. */
        for (int i = 0; i < p->n_entry; i++) {
            if (p->entry[i].kind == K_PYTHON && when_holds(&p->entry[i], args)) return 1;
            if (p->entry[i].kind == K_PY_PROTO && socket_proto_is(c, s, args[p->entry[i].arg], &p->entry[i]))
                return 1;
        }
        for (int i = 0; i < p->n_exit; i++) {
            if (p->exit[i].kind == K_PYTHON && when_holds(&p->exit[i], args)) return 1;
            if (p->exit[i].kind == K_PY_PROTO && socket_proto_is(c, s, args[p->exit[i].arg], &p->exit[i]))
                return 1;
        }
    }
    if (c->sockets) {
        /* -yy: fds in memory may be sockets, which Python describes (sock_diag) */
        for (int i = 0; i < p->n_entry; i++)
            if (p->entry[i].kind == K_FDS) return 1;
        for (int i = 0; i < p->n_exit; i++)
            if (p->exit[i].kind == K_FDS) return 1;
    }
    if (c->sockets && p->fdmask) {
        for (int i = 0; i < 6; i++) {
            uint32_t fd = (uint32_t)args[i];
            uint32_t len = 0;
            if (!((p->fdmask >> i) & 1) || fd >= 0x80000000u) continue;
            const char *name = fd_name(c, s->tgid, (long)fd, &len);
            if (is_socket(name, len)) return 1;
        }
    }
    double t = now_real();
    int quiet = p->n_entry == 0 && p->fdmask == 0;
    if (quiet) ptrace(PTRACE_SYSCALL, s->tid, 0, 0);
    uint8_t flags = p->fdmask ? RF_FDS : 0;
    size_t at = begin_record(c, R_ENTRY, flags, s, nr, t, 48);
    if (at == (size_t)-1) return -1;
    memcpy(c->buf + c->len, args, 48);
    c->len += 48;
    uint16_t ncaps = 0;
    for (int i = 0; i < p->n_entry; i++)
        if (run_op(c, &ncaps, i, &p->entry[i], s->tid, args, sp, 0) < 0) return -1;
    for (int i = 0; i < 6; i++) {
        if ((p->fdmask >> i) & 1) {
            uint32_t fd = (uint32_t)args[i];
            if (fd < 0x80000000u && put_fdname(c, &ncaps, s->tgid, (long)fd) < 0) return -1;
        }
    }
    for (int i = 0; i < p->n_entry; i++)
        if (p->entry[i].kind == K_FDS && name_fds_in(c, &ncaps, s, &p->entry[i], args, 0) < 0) return -1;
    if (!quiet) ptrace(PTRACE_SYSCALL, s->tid, 0, 0);
    if (end_record(c, at, ncaps) < 0) return -1;
    s->state = ST_CCALL;
    s->nr = nr;
    memcpy(s->args, args, sizeof s->args);
    return 0;
}

/* Whether the call's return value is a new fd (P_FD_RETURNS): always, unless an exit op
 * K_NEW_FD says for which arguments (fcntl: F_DUPFD, F_DUPFD_CLOEXEC). */
static int makes_fd(const NrPlan *p, const uint64_t *args) {
    for (int i = 0; i < p->n_exit; i++)
        if (p->exit[i].kind == K_NEW_FD) return when_holds(&p->exit[i], args);
    return 1;
}

/* Whether a successful exit reads memory (a K_NEW_FD op reads none). */
static int exit_reads(const NrPlan *p) {
    for (int i = 0; i < p->n_exit; i++)
        if (p->exit[i].kind != K_NEW_FD) return 1;
    return 0;
}

/* A syscall-exit stop of a call C took: 0 ok, -1 out of memory, 1 when the exit is
 * Python's (nothing is applied or recorded yet): -yy, the new fd is a socket; a call
 * interrupted with ERESTART_RESTARTBLOCK, which Python remembers for the task's
 * restart_syscall (strace names the call it resumes). */
static int take_exit(Core *c, Slot *s, int64_t ret, int is_error) {
    const NrPlan *p = &c->plan[s->nr];
    if (is_error && ret == -ERESTART_RESTARTBLOCK) return 1;
    int returns_fd = (p->flags & P_FD_RETURNS) && !is_error && ret >= 0 && ret < 0x80000000LL &&
                     makes_fd(p, s->args);
    if (returns_fd && c->sockets) {
        uint32_t len = 0;
        fd_drop(c, s->tgid, (long)ret);
        const char *name = fd_name(c, s->tgid, (long)ret, &len);
        if (is_socket(name, len)) return 1;
        returns_fd = 2; /* its name is already read */
    }
    double t = now_real();
    int quiet = is_error ? !(p->flags & P_ERROR_READS)
                         : (!exit_reads(p) && !returns_fd && !(p->flags & (P_CLOSE_ARG0 | P_DROP_ARG1 | P_CLEAR)));
    if (quiet) ptrace(PTRACE_SYSCALL, s->tid, 0, 0);
    size_t at = begin_record(c, R_EXIT, is_error ? RF_ERROR : 0, s, s->nr, t, 8);
    if (at == (size_t)-1) return -1;
    memcpy(c->buf + c->len, &ret, 8);
    c->len += 8;
    uint16_t ncaps = 0;
    if (is_error && (p->flags & P_ERROR_READS)) {
        for (int i = 0; i < p->n_exit; i++)
            if (p->exit[i].on_error && run_op(c, &ncaps, i, &p->exit[i], s->tid, s->args, 0, ret) < 0)
                return -1;
    }
    if (!is_error) {
        for (int i = 0; i < p->n_exit; i++)
            if (run_op(c, &ncaps, i, &p->exit[i], s->tid, s->args, 0, ret) < 0) return -1;
        /* Keep the fd names true, in the order the Python loop applies the effects. */
        if (p->flags & P_CLOSE_ARG0) fd_drop(c, s->tgid, (long)(uint32_t)s->args[0]);
        if (p->flags & P_DROP_ARG1) fd_drop(c, s->tgid, (long)(uint32_t)s->args[1]);
        if (p->flags & P_CLEAR) fd_clear(c, s->tgid);
        if (returns_fd) {
            if (returns_fd == 1) fd_drop(c, s->tgid, (long)ret);
            if (put_fdname(c, &ncaps, s->tgid, (long)ret) < 0) return -1;
        }
        for (int i = 0; i < p->n_exit; i++)
            if (p->exit[i].kind == K_FDS && name_fds_in(c, &ncaps, s, &p->exit[i], s->args, 1) < 0)
                return -1;
    }
    if (!quiet) ptrace(PTRACE_SYSCALL, s->tid, 0, 0);
    if (end_record(c, at, ncaps) < 0) return -1;
    s->state = ST_NONE;
    return 0;
}

/* A signal-delivery-stop: deliver the signal as Python would (unchanged) and record it
 * with its siginfo. Without siginfo (not a delivery after all) the task just goes on. */
static int take_signal(Core *c, Slot *s, int sig) {
    unsigned char info[SIGINFO_SIZE];
    if (ptrace(PTRACE_GETSIGINFO, s->tid, 0, info) == -1) {
        ptrace(PTRACE_SYSCALL, s->tid, 0, 0);
        return 0;
    }
    double t = now_real();
    ptrace(PTRACE_SYSCALL, s->tid, 0, (void *)(long)sig);
    size_t at = begin_record(c, R_SIGNAL, 0, s, (uint32_t)sig, t, SIGINFO_SIZE);
    if (at == (size_t)-1) return -1;
    memcpy(c->buf + c->len, info, SIGINFO_SIZE);
    c->len += SIGINFO_SIZE;
    return end_record(c, at, 0);
}

/* A capture holding a /proc file's contents (or a link's target); aux 0 when it cannot
 * be read. */
static int put_proc_file(Core *c, uint16_t *ncaps, uint8_t idx, const char *path, int link) {
    if (reserve(c, sizeof(CapHead)) < 0) return -1;
    size_t at = c->len;
    c->len += sizeof(CapHead);
    int32_t ok = 0;
    if (link) {
        if (reserve(c, PATH_MAX) < 0) return -1;
        ssize_t n = readlink(path, c->buf + c->len, PATH_MAX);
        if (n >= 0) c->len += (size_t)n, ok = 1;
    } else {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ok = 1;
            for (;;) {
                if (reserve(c, 65536) < 0) {
                    close(fd);
                    return -1;
                }
                ssize_t n = read(fd, c->buf + c->len, 65536);
                if (n <= 0) {
                    if (n < 0) ok = 0;
                    break;
                }
                c->len += (size_t)n;
            }
            close(fd);
        }
    }
    if (!ok) c->len = at + sizeof(CapHead);
    CapHead h = {C_BYTES, idx, 0, ok, (uint32_t)(c->len - at - sizeof(CapHead))};
    memcpy(c->buf + at, &h, sizeof h);
    (*ncaps)++;
    return 0;
}

/* The exec event of a leader whose execve C entered: the process's new image as Python
 * would read it (exe, argv, environment), its fd names forgotten, execve's return C's. */
static int take_exec(Core *c, Slot *s) {
    char path[64];
    double t = now_real();
    fd_clear(c, s->tgid);
    size_t at = begin_record(c, R_EXEC, 0, s, 0, t, 0);
    if (at == (size_t)-1) return -1;
    uint16_t ncaps = 0;
    snprintf(path, sizeof path, "/proc/%d/exe", s->tgid);
    if (put_proc_file(c, &ncaps, 0, path, 1) < 0) return -1;
    snprintf(path, sizeof path, "/proc/%d/cmdline", s->tgid);
    if (put_proc_file(c, &ncaps, 1, path, 0) < 0) return -1;
    snprintf(path, sizeof path, "/proc/%d/environ", s->tgid);
    if (put_proc_file(c, &ncaps, 2, path, 0) < 0) return -1;
    ptrace(PTRACE_SYSCALL, s->tid, 0, 0);
    return end_record(c, at, ncaps);
}

static int life_push(Core *c, int32_t kind, int32_t tid, int32_t tgid, int32_t other) {
    if (c->life_n == c->life_cap) {
        size_t cap = c->life_cap ? c->life_cap * 2 : 64;
        int32_t *n = realloc(c->life, cap * 4 * sizeof(int32_t));
        if (!n) return -1;
        c->life = n;
        c->life_cap = cap;
    }
    int32_t *q = c->life + 4 * c->life_n++;
    q[0] = kind, q[1] = tid, q[2] = tgid, q[3] = other;
    return 0;
}

/* The Tgid line of /proc/TID/status, or 0. */
static int32_t read_tgid(int32_t tid) {
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/status", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return 0;
    text[n] = 0;
    char *p = strstr(text, "\nTgid:");
    return p ? (int32_t)strtol(p + 6, NULL, 10) : 0;
}

/* A fork/vfork/clone event of a task C may take, as ProcessStops does it: the child
 * is announced (a record) and its fds copied, its first stop is C's, its creator goes
 * on; Python learns of it from take_tasks(). A child already known (its first stop came
 * first, and Python took it) needs nothing. */
static int take_fork(Core *c, Slot *s, int event) {
    unsigned long msg = 0;
    int32_t parent_tid = s->tid, parent = s->tgid;
    pid_t child = ptrace(PTRACE_GETEVENTMSG, parent_tid, 0, &msg) == 0 ? (pid_t)msg : 0;
    if (child <= 0 || slot_find(c, child)) {
        ptrace(PTRACE_SYSCALL, parent_tid, 0, 0);
        return 0;
    }
    int32_t tgid = child;
    if (event == PTRACE_EVENT_CLONE_ && read_tgid(child) == parent) tgid = parent;
    double t = now_real();
    char comm[COMM_SIZE] = {0};
    if (tgid == child) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/comm", child);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = read(fd, comm, COMM_SIZE - 1);
            close(fd);
            if (n > 0 && comm[n - 1] == '\n') comm[n - 1] = 0;
        }
        if (fd_copy(c, parent, child) < 0) return -1;
    }
    Slot *n = slot_put(c, child); /* (s may have moved) */
    if (!n) return -1;
    n->tgid = tgid;
    n->state = ST_NEWTASK;
    ptrace(PTRACE_SYSCALL, parent_tid, 0, 0);
    if (life_push(c, L_NEW, child, tgid, parent_tid) < 0) return -1;
    size_t at = begin_record(c, R_TASK, 0, n, (uint32_t)parent, t, COMM_SIZE);
    if (at == (size_t)-1) return -1;
    memcpy(c->buf + c->len, comm, COMM_SIZE);
    c->len += COMM_SIZE;
    return end_record(c, at, 0);
}

/* A task that exited or was killed: recorded (a call it was in never returns), its
 * process's fd names forgotten, its slot freed; Python learns of it from take_tasks(). */
static int take_gone(Core *c, Slot *s, int status) {
    double t = now_real();
    int32_t tid = s->tid, tgid = s->tgid;
    size_t at = begin_record(c, R_GONE, 0, s, (uint32_t)status, t, 0);
    if (at == (size_t)-1) return -1;
    if (end_record(c, at, 0) < 0) return -1;
    if (tid == tgid) fd_clear(c, tgid);
    s->tid = -1;
    return life_push(c, L_GONE, tid, tgid, status);
}

/* ---- the Python type ---- */

static int Core_init(Core *c, PyObject *args, PyObject *kw) {
    int max_polls = 30, fd_cache = 1, sockets = 0, warm = 0;
    if (!PyArg_ParseTuple(args, "|ippp", &max_polls, &fd_cache, &sockets, &warm)) return -1;
    c->warm = warm; /* Python's decision: spin.warm_cpu_allowed */
    c->fd_cache = fd_cache;
    c->sockets = sockets;
    c->tcap = 16;
    c->tabs = PyMem_RawCalloc(c->tcap, sizeof(FdTab));
    c->plan = PyMem_RawCalloc(NR_MAX, sizeof(NrPlan));
    c->cap = 64;
    c->slots = PyMem_RawCalloc(c->cap, sizeof(Slot));
    c->bufcap = 1 << 16;
    c->buf = PyMem_RawMalloc(c->bufcap);
    c->ocap = 1 << 20;
    c->out = malloc(c->ocap);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->scratch = PyMem_RawMalloc(READ_MAX + 16);
    if (!c->plan || !c->slots || !c->buf || !c->scratch || !c->tabs || !c->out) {
        PyErr_NoMemory();
        return -1;
    }
    c->max_polls = c->polls = max_polls < 0 ? 0 : max_polls;
    return 0;
}

static void Core_dealloc(Core *c) {
    Py_BEGIN_ALLOW_THREADS
    warm_stop(c);
    Py_END_ALLOW_THREADS
    if (c->tabs)
        for (size_t i = 0; i < c->tcap; i++)
            if (c->tabs[i].tgid > 0) tab_clear(&c->tabs[i]);
    PyMem_RawFree(c->tabs);
    PyMem_RawFree(c->plan);
    PyMem_RawFree(c->slots);
    PyMem_RawFree(c->buf);
    free(c->out);
    free(c->life);
    PyMem_RawFree(c->scratch);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

static PyObject *Core_set_plan(Core *c, PyObject *arg) {
    Py_buffer b;
    if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) return NULL;
    if ((size_t)b.len != NR_MAX * sizeof(NrPlan)) {
        PyBuffer_Release(&b);
        return PyErr_Format(PyExc_ValueError, "plan must be %zu bytes", NR_MAX * sizeof(NrPlan));
    }
    memcpy(c->plan, b.buf, b.len);
    PyBuffer_Release(&b);
    Py_RETURN_NONE;
}

static PyObject *Core_set_task(Core *c, PyObject *args) {
    int tid, tgid, state;
    if (!PyArg_ParseTuple(args, "iii", &tid, &tgid, &state)) return NULL;
    Slot *s = slot_find(c, tid);
    if (s && state == 0) { /* keep: a call C entered goes on in C */
        s->tgid = tgid;
        /* A stop of a new task reached Python (a group-stop came first): its first stop
         * is past, and a later PTRACE_EVENT_STOP (the end of a group-stop) is Python's. */
        if (s->state == ST_NEWTASK) s->state = ST_NONE;
        Py_RETURN_NONE;
    }
    s = slot_put(c, tid);
    if (!s) return PyErr_NoMemory();
    s->tgid = tgid;
    s->state = (uint32_t)(state ? state : ST_NONE);
    Py_RETURN_NONE;
}

static PyObject *Core_set_exec(Core *c, PyObject *arg) {
    int on = PyObject_IsTrue(arg);
    if (on < 0) return NULL;
    c->exec_in_c = on;
    Py_RETURN_NONE;
}

static PyObject *Core_forget(Core *c, PyObject *arg) {
    int tid = (int)PyLong_AsLong(arg);
    if (tid == -1 && PyErr_Occurred()) return NULL;
    Slot *s = slot_find(c, tid);
    if (s) s->tid = -1;
    Py_RETURN_NONE;
}

/* The call C entered for `tid` and has not seen return: (nr, args), handed to Python
 * (the task's state becomes Python's); None when there is none. */
static PyObject *Core_take_call(Core *c, PyObject *arg) {
    int tid = (int)PyLong_AsLong(arg);
    if (tid == -1 && PyErr_Occurred()) return NULL;
    Slot *s = slot_find(c, tid);
    if (!s || s->state != ST_CCALL) Py_RETURN_NONE;
    s->state = ST_PYCALL;
    return Py_BuildValue("I(KKKKKK)", s->nr, (unsigned long long)s->args[0],
                         (unsigned long long)s->args[1], (unsigned long long)s->args[2],
                         (unsigned long long)s->args[3], (unsigned long long)s->args[4],
                         (unsigned long long)s->args[5]);
}

/* Hand a call Python took over back to C (its exit is then C's): tid, nr, args. */
static PyObject *Core_give_call(Core *c, PyObject *args) {
    int tid;
    unsigned int nr;
    unsigned long long a[6];
    if (!PyArg_ParseTuple(args, "iI(KKKKKK)", &tid, &nr, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]))
        return NULL;
    Slot *s = slot_find(c, tid);
    if (!s || nr >= NR_MAX) Py_RETURN_FALSE;
    s->state = ST_CCALL;
    s->nr = nr;
    for (int i = 0; i < 6; i++) s->args[i] = (uint64_t)a[i];
    Py_RETURN_TRUE;
}

/* The byte length of the first `n` finished records (all of them when n covers them). */
static size_t prefix_len(Core *c, uint32_t n) {
    if (n >= c->count) return c->olen - c->ohead;
    size_t off = c->ohead;
    for (uint32_t i = 0; i < n; i++) {
        RecHead h;
        memcpy(&h, c->out + off, sizeof h);
        off += sizeof h + (h.kind == R_ENTRY    ? 48
                           : h.kind == R_SIGNAL ? SIGINFO_SIZE
                           : h.kind == R_TASK   ? COMM_SIZE
                           : h.kind == R_EXEC || h.kind == R_GONE ? 0
                                                : 8);
        for (uint16_t k = 0; k < h.ncaps; k++) {
            CapHead ch;
            memcpy(&ch, c->out + off, sizeof ch);
            off += sizeof ch + ch.len;
        }
    }
    return off - c->ohead;
}

/* Up to `max` finished records, oldest first, as (bytes, count); the rest stay.
 * Bounded so a consumer turns a batch into events in one short step. Needs the lock. */
static PyObject *take_locked(Core *c, uint32_t max) {
    uint32_t n = max < c->count ? max : c->count;
    size_t len = prefix_len(c, n);
    PyObject *data = PyBytes_FromStringAndSize(c->out + c->ohead, (Py_ssize_t)len);
    if (!data) return NULL;
    PyObject *res = Py_BuildValue("(NI)", data, n);
    c->ohead += len;
    if (c->ohead == c->olen) c->ohead = c->olen = 0;
    c->count -= n;
    pthread_cond_broadcast(&c->cv);
    return res;
}

/* Finished records, at most `max` (the worker's call, after run() returned). */
static PyObject *Core_take(Core *c, PyObject *args) {
    unsigned int max = 0xFFFFFFFFu;
    if (!PyArg_ParseTuple(args, "|I", &max)) return NULL;
    pthread_mutex_lock(&c->mu);
    PyObject *res = take_locked(c, max);
    pthread_mutex_unlock(&c->mu);
    return res;
}

/* A consumer's call: up to `max` records finished so far, but only while run() of
 * `epoch` still goes on (so nothing the worker queued since can be older than them);
 * None otherwise or when there are none. */
static PyObject *Core_take_running(Core *c, PyObject *args) {
    unsigned long epoch;
    unsigned int max = 0xFFFFFFFFu;
    if (!PyArg_ParseTuple(args, "k|I", &epoch, &max)) return NULL;
    PyObject *res = NULL;
    pthread_mutex_lock(&c->mu);
    if (c->running && c->epoch == epoch && c->count) res = take_locked(c, max);
    pthread_mutex_unlock(&c->mu);
    if (!res && !PyErr_Occurred()) Py_RETURN_NONE;
    return res;
}

/* The current run's epoch, read before a consumer drains its queue. */
static PyObject *Core_get_epoch(Core *c, void *unused) {
    pthread_mutex_lock(&c->mu);
    unsigned long e = c->epoch;
    pthread_mutex_unlock(&c->mu);
    return PyLong_FromUnsignedLong(e);
}

/* The trace is over: end the warm thread (run() would start it again). */
static PyObject *Core_stop_warm(Core *c, PyObject *unused) {
    Py_BEGIN_ALLOW_THREADS
    warm_stop(c);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* Make run() return (WHY_EINTR) soon, even while it waits for the consumer. */
static PyObject *Core_interrupt(Core *c, PyObject *unused) {
    pthread_mutex_lock(&c->mu);
    c->interrupt = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    Py_RETURN_NONE;
}

/* Wait until the consumer made room (or an interrupt came); 1 when interrupted. */
static int wait_for_room(Core *c, unsigned int max_records, size_t max_bytes) {
    int stop = 0;
    pthread_mutex_lock(&c->mu);
    while (!c->interrupt && (c->count >= max_records || c->olen - c->ohead >= max_bytes)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    if (c->interrupt) stop = 1, c->interrupt = 0;
    pthread_mutex_unlock(&c->mu);
    return stop;
}

static PyObject *Core_run(Core *c, PyObject *args) {
    unsigned int max_records;
    Py_ssize_t max_bytes;
    if (!PyArg_ParseTuple(args, "In", &max_records, &max_bytes)) return NULL;
    int why = WHY_EINTR, out_pid = 0, out_status = 0, oom = 0;
    Py_BEGIN_ALLOW_THREADS
    if (c->warm && !c->warm_started) {
        c->warm_sleeping = 1;
        c->warm_started = pthread_create(&c->warm_thread, NULL, warm_main, c) == 0;
    }
    pthread_mutex_lock(&c->mu);
    c->epoch++;
    c->running = 1;
    pthread_mutex_unlock(&c->mu);
    for (;;) {
        /* Backpressure: a consumer that falls behind makes the tracees wait, nothing is lost. */
        if (wait_for_room(c, max_records, (size_t)max_bytes)) { why = WHY_EINTR; break; }
        int status = 0;
        pid_t pid = 0;
        for (int i = 0; i < c->polls; i++) {
            pid = waitpid(-1, &status, WAIT_FLAGS | WNOHANG);
            if (pid) break;
            /* Give the CPU to the tracee if it waits for this one (a busy machine, or
             * both on one CPU); on an idle CPU this returns at once. */
            sched_yield();
        }
        if (pid == 0) {
            double t0 = now_mono();
            pid = waitpid(-1, &status, WAIT_FLAGS);
            /* A short sleep would have been caught by polling a little longer. */
            if (now_mono() - t0 < 0.0002) c->polls = c->max_polls, warm_wake(c);
            else c->polls >>= 2;
        } else {
            c->polls = c->max_polls;
            warm_wake(c);
        }
        if (pid < 0) {
            why = errno == EINTR ? WHY_EINTR : WHY_ERROR;
            out_pid = -errno;
            break;
        }
        __atomic_store_n(&c->stops, c->stops + 1, __ATOMIC_RELAXED);
        if (c->warm_started) { /* where the warm thread should be */
            __atomic_store_n(&c->last_tid, pid, __ATOMIC_RELAXED);
            __atomic_store_n(&c->tracer_cpu, sched_getcpu(), __ATOMIC_RELAXED);
        }
        Slot *s = slot_find(c, pid);
        if ((status & 0xFFFF) != 0x857F) {
            /* Two process stops that need no decision: a new task's first stop (Python
             * announced it at the fork/clone event), and a signal's delivery, which goes
             * on unchanged (Python takes a task's signals while it owns the task). */
            if (s && (status & 0xFF) == 0x7F && WSTOPSIG(status) == SIGTRAP
                && (status >> 16) == PTRACE_EVENT_STOP_ && s->state == ST_NEWTASK) {
                ptrace(PTRACE_SYSCALL, pid, 0, 0);
                s->state = ST_NONE;
                continue;
            }
            if (s && (status & 0xFF) == 0x7F && (status >> 16) == PTRACE_EVENT_EXEC_ && c->exec_in_c
                && s->state == ST_CCALL && (s->nr == NR_EXECVE || s->nr == NR_EXECVEAT)
                && s->tid == s->tgid) {
                unsigned long former = 0;
                if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &former) == 0 && (pid_t)former == pid) {
                    if (take_exec(c, s) < 0) { oom = 1; break; }
                    continue;
                }
            }
            int ev = (status >> 16) & 0xFF;
            if (s && c->tasks_in_c && (status & 0xFF) == 0x7F && WSTOPSIG(status) == SIGTRAP
                && (ev == PTRACE_EVENT_FORK_ || ev == PTRACE_EVENT_VFORK_ || ev == PTRACE_EVENT_CLONE_)
                && (s->state == ST_NONE || s->state == ST_CCALL || s->state == ST_UNTRACED)) {
                if (take_fork(c, s, ev) < 0) { oom = 1; break; }
                continue;
            }
            if (s && c->tasks_in_c && (status & 0xFF) != 0x7F && s->tid != c->main_pid
                && (s->state == ST_NONE || s->state == ST_CCALL || s->state == ST_UNTRACED)) {
                if (take_gone(c, s, status) < 0) { oom = 1; break; }
                continue;
            }
            if (s && (status & 0xFF) == 0x7F && (status >> 16) == 0 && s->state != ST_PYTASK
                && s->state != ST_NEWTASK) {
                if (take_signal(c, s, WSTOPSIG(status)) < 0) { oom = 1; break; }
                continue;
            }
            why = WHY_STOP; out_pid = pid; out_status = status; break;
        }
        if (!s || s->state == ST_PYTASK || s->state == ST_PYCALL) {
            why = WHY_STOP; out_pid = pid; out_status = status; break;
        }
        struct syscall_info info;
        if (ptrace(GET_SYSCALL_INFO, pid, (void *)sizeof info, &info) <= 0) {
            why = WHY_STOP; out_pid = pid; out_status = status; break;
        }
        int r = 0;
        if (info.op == 1 && info.arch == ARCH_X86_64 && s->state != ST_CCALL
            && info.entry.nr < NR_MAX) {
            const NrPlan *p = &c->plan[info.entry.nr];
            if (!(p->flags & P_TRACED)) {
                ptrace(PTRACE_SYSCALL, pid, 0, 0);
                s->state = ST_UNTRACED;
                continue;
            }
            if (!(p->flags & P_C_OK)) { why = WHY_STOP; out_pid = pid; out_status = status; break; }
            r = take_entry(c, s, (uint32_t)info.entry.nr, info.entry.args, info.sp);
        } else if (info.op == 2 && s->state != ST_CCALL) {
            /* the exit of an untraced call, or of none we saw enter (just attached) */
            ptrace(PTRACE_SYSCALL, pid, 0, 0);
            s->state = ST_NONE;
            continue;
        } else if (info.op == 2) {
            r = take_exit(c, s, info.exit.rval, info.exit.is_error != 0);
        } else {
            why = WHY_STOP; out_pid = pid; out_status = status; break;
        }
        if (r < 0) { oom = 1; break; }
        if (r > 0) { why = WHY_STOP; out_pid = pid; out_status = status; break; }
    }
    pthread_mutex_lock(&c->mu);
    c->running = 0;
    pthread_mutex_unlock(&c->mu);
    Py_END_ALLOW_THREADS
    if (oom) return PyErr_NoMemory();
    return Py_BuildValue("iii", why, out_pid, out_status);
}

static PyObject *Core_fd_lookup(Core *c, PyObject *args) {
    int tgid;
    long fd;
    if (!PyArg_ParseTuple(args, "il", &tgid, &fd)) return NULL;
    uint32_t len = 0;
    const char *name = fd_name(c, tgid, fd, &len);
    if (!name) Py_RETURN_NONE;
    return PyUnicode_DecodeFSDefaultAndSize(name, len);
}

static PyObject *Core_fd_drop(Core *c, PyObject *args) {
    int tgid;
    long fd;
    if (!PyArg_ParseTuple(args, "il", &tgid, &fd)) return NULL;
    fd_drop(c, tgid, fd);
    Py_RETURN_NONE;
}

static PyObject *Core_fd_clear(Core *c, PyObject *args) {
    int tgid;
    if (!PyArg_ParseTuple(args, "i", &tgid)) return NULL;
    fd_clear(c, tgid);
    Py_RETURN_NONE;
}

static PyObject *Core_fd_copy(Core *c, PyObject *args) {
    int parent, child;
    if (!PyArg_ParseTuple(args, "ii", &parent, &child)) return NULL;
    if (fd_copy(c, parent, child) < 0) return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* Let C take fork/clone events and the ends of tasks (not main_pid's): set_tasks(on, main_pid). */
static PyObject *Core_set_tasks(Core *c, PyObject *args) {
    int on, main_pid;
    if (!PyArg_ParseTuple(args, "pi", &on, &main_pid)) return NULL;
    c->tasks_in_c = on;
    c->main_pid = main_pid;
    Py_RETURN_NONE;
}

/* The tasks C saw begin and end since the last call, in order: a list of
 * (L_NEW, tid, tgid, creator tid) and (L_GONE, tid, tgid, wait status). */
static PyObject *Core_take_tasks(Core *c, PyObject *unused) {
    PyObject *out = PyList_New((Py_ssize_t)c->life_n);
    if (!out) return NULL;
    for (size_t i = 0; i < c->life_n; i++) {
        int32_t *q = c->life + 4 * i;
        PyObject *t = Py_BuildValue("iiii", q[0], q[1], q[2], q[3]);
        if (!t) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, (Py_ssize_t)i, t);
    }
    c->life_n = 0;
    return out;
}

static PyObject *Core_get_stops(Core *c, void *unused) {
    return PyLong_FromUnsignedLongLong(c->stops);
}

static PyMethodDef Core_methods[] = {
    {"set_plan", (PyCFunction)Core_set_plan, METH_O, "Replace the plan (bytes from core_plan)."},
    {"set_task", (PyCFunction)Core_set_task, METH_VARARGS, "set_task(tid, tgid, state)"},
    {"forget", (PyCFunction)Core_forget, METH_O, "Forget a task that is gone."},
    {"set_exec", (PyCFunction)Core_set_exec, METH_O, "Let C take plain exec events."},
    {"set_tasks", (PyCFunction)Core_set_tasks, METH_VARARGS,
     "set_tasks(on, main_pid): let C take fork/clone events and ends of tasks."},
    {"take_tasks", (PyCFunction)Core_take_tasks, METH_NOARGS,
     "take_tasks() -> [(kind, tid, tgid, creator tid | wait status)]: what C saw."},
    {"take_call", (PyCFunction)Core_take_call, METH_O, "Hand a call in progress to Python."},
    {"give_call", (PyCFunction)Core_give_call, METH_VARARGS, "Hand a call in progress back to C."},
    {"fd_lookup", (PyCFunction)Core_fd_lookup, METH_VARARGS, "fd_lookup(tgid, fd) -> str | None"},
    {"fd_drop", (PyCFunction)Core_fd_drop, METH_VARARGS, "fd_drop(tgid, fd)"},
    {"stop_warm", (PyCFunction)Core_stop_warm, METH_NOARGS, "end the warm thread"},
    {"fd_clear", (PyCFunction)Core_fd_clear, METH_VARARGS, "fd_clear(tgid)"},
    {"fd_copy", (PyCFunction)Core_fd_copy, METH_VARARGS, "fd_copy(parent, child)"},
    {"take", (PyCFunction)Core_take, METH_VARARGS,
     "take([max]) -> (bytes, count): the oldest finished records."},
    {"take_running", (PyCFunction)Core_take_running, METH_VARARGS,
     "take_running(epoch[, max]) -> (bytes, count) | None, while run() of that epoch goes on."},
    {"interrupt", (PyCFunction)Core_interrupt, METH_NOARGS, "Make run() return soon."},
    {"run", (PyCFunction)Core_run, METH_VARARGS,
     "run(max_records, max_bytes) -> (why, pid, status), without the GIL."},
    {NULL}};

static PyGetSetDef Core_getset[] = {{"stops", (getter)Core_get_stops, NULL, "stops seen", NULL},
                                    {"epoch", (getter)Core_get_epoch, NULL, "run() count", NULL},
                                    {NULL}};

static PyTypeObject CoreType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "_tracetui_core.Core",
    .tp_basicsize = sizeof(Core),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Core_init,
    .tp_dealloc = (destructor)Core_dealloc,
    .tp_methods = Core_methods,
    .tp_getset = Core_getset,
    .tp_doc = "The C capture loop of tracetui's ptrace worker.",
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_tracetui_core",
                                    "tracetui's C capture core.", -1, NULL};

PyMODINIT_FUNC PyInit__tracetui_core(void) {
    if (PyType_Ready(&CoreType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&CoreType);
    PyModule_AddObject(m, "Core", (PyObject *)&CoreType);
    PyModule_AddIntConstant(m, "VERSION", CORE_VERSION);
    PyModule_AddIntConstant(m, "OP_SIZE", sizeof(Op));
    PyModule_AddIntConstant(m, "NR_PLAN_SIZE", sizeof(NrPlan));
    PyModule_AddIntConstant(m, "NR_MAX", NR_MAX);
    PyModule_AddIntConstant(m, "OPS_MAX", OPS_MAX);
    PyModule_AddIntConstant(m, "L_NEW", L_NEW);
    PyModule_AddIntConstant(m, "L_GONE", L_GONE);
    return m;
}
