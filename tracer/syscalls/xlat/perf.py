"""perf_event_open(2): struct perf_event_attr's types, counters, sample and read
formats, branch sample types and breakpoint types, in strace 6.1's names."""

TYPES = {0: "PERF_TYPE_HARDWARE", 1: "PERF_TYPE_SOFTWARE", 2: "PERF_TYPE_TRACEPOINT",
         3: "PERF_TYPE_HW_CACHE", 4: "PERF_TYPE_RAW", 5: "PERF_TYPE_BREAKPOINT"}  # fmt: skip
HARDWARE, SOFTWARE, TRACEPOINT, HW_CACHE, BREAKPOINT = 0, 1, 2, 3, 5
ATTR_SIZES = {64: "PERF_ATTR_SIZE_VER0", 72: "PERF_ATTR_SIZE_VER1", 80: "PERF_ATTR_SIZE_VER2",
              96: "PERF_ATTR_SIZE_VER3", 104: "PERF_ATTR_SIZE_VER4", 112: "PERF_ATTR_SIZE_VER5",
              120: "PERF_ATTR_SIZE_VER6", 128: "PERF_ATTR_SIZE_VER7"}  # fmt: skip
HW_COUNTERS = dict(enumerate((
    "PERF_COUNT_HW_CPU_CYCLES", "PERF_COUNT_HW_INSTRUCTIONS", "PERF_COUNT_HW_CACHE_REFERENCES",
    "PERF_COUNT_HW_CACHE_MISSES", "PERF_COUNT_HW_BRANCH_INSTRUCTIONS", "PERF_COUNT_HW_BRANCH_MISSES",
    "PERF_COUNT_HW_BUS_CYCLES", "PERF_COUNT_HW_STALLED_CYCLES_FRONTEND",
    "PERF_COUNT_HW_STALLED_CYCLES_BACKEND", "PERF_COUNT_HW_REF_CPU_CYCLES",
)))  # fmt: skip
SW_COUNTERS = dict(enumerate((
    "PERF_COUNT_SW_CPU_CLOCK", "PERF_COUNT_SW_TASK_CLOCK", "PERF_COUNT_SW_PAGE_FAULTS",
    "PERF_COUNT_SW_CONTEXT_SWITCHES", "PERF_COUNT_SW_CPU_MIGRATIONS", "PERF_COUNT_SW_PAGE_FAULTS_MIN",
    "PERF_COUNT_SW_PAGE_FAULTS_MAJ", "PERF_COUNT_SW_ALIGNMENT_FAULTS",
    "PERF_COUNT_SW_EMULATION_FAULTS", "PERF_COUNT_SW_DUMMY", "PERF_COUNT_SW_BPF_OUTPUT",
    "PERF_COUNT_SW_CGROUP_SWITCHES",
)))  # fmt: skip
CACHE_IDS = dict(enumerate((
    "PERF_COUNT_HW_CACHE_L1D", "PERF_COUNT_HW_CACHE_L1I", "PERF_COUNT_HW_CACHE_LL",
    "PERF_COUNT_HW_CACHE_DTLB", "PERF_COUNT_HW_CACHE_ITLB", "PERF_COUNT_HW_CACHE_BPU",
    "PERF_COUNT_HW_CACHE_NODE",
)))  # fmt: skip
CACHE_OPS = {0: "PERF_COUNT_HW_CACHE_OP_READ", 1: "PERF_COUNT_HW_CACHE_OP_WRITE",
             2: "PERF_COUNT_HW_CACHE_OP_PREFETCH"}  # fmt: skip
CACHE_RESULTS = {0: "PERF_COUNT_HW_CACHE_RESULT_ACCESS", 1: "PERF_COUNT_HW_CACHE_RESULT_MISS"}
SAMPLE_TYPES = [(1 << i, "PERF_SAMPLE_" + n) for i, n in enumerate((
    "IP", "TID", "TIME", "ADDR", "READ", "CALLCHAIN", "ID", "CPU", "PERIOD", "STREAM_ID", "RAW",
    "BRANCH_STACK", "REGS_USER", "STACK_USER", "WEIGHT", "DATA_SRC", "IDENTIFIER", "TRANSACTION",
    "REGS_INTR", "PHYS_ADDR", "AUX", "CGROUP", "DATA_PAGE_SIZE", "CODE_PAGE_SIZE", "WEIGHT_STRUCT",
))]  # fmt: skip
SAMPLE_BRANCH_STACK, SAMPLE_STACK_USER = 1 << 11, 1 << 13
READ_FORMATS = [(1 << i, "PERF_FORMAT_" + n) for i, n in enumerate((
    "TOTAL_TIME_ENABLED", "TOTAL_TIME_RUNNING", "ID", "GROUP", "LOST",
))]  # fmt: skip
BRANCH_SAMPLE_TYPES = [(1 << i, "PERF_SAMPLE_BRANCH_" + n) for i, n in enumerate((
    "USER", "KERNEL", "HV", "ANY", "ANY_CALL", "ANY_RETURN", "IND_CALL", "ABORT_TX", "IN_TX",
    "NO_TX", "COND", "CALL_STACK", "IND_JUMP", "CALL", "NO_FLAGS", "NO_CYCLES", "TYPE_SAVE",
    "HW_INDEX", "PRIV_SAVE",
))]  # fmt: skip
BREAKPOINT_TYPES = {0: "HW_BREAKPOINT_EMPTY", 1: "HW_BREAKPOINT_R", 2: "HW_BREAKPOINT_W",
                    3: "HW_BREAKPOINT_RW", 4: "HW_BREAKPOINT_X"}  # fmt: skip
BREAKPOINT_INVALID = frozenset({5, 6, 7})  # execution with a read or a write
# The attr's one-bit flags, by bit (precise_ip, two bits at 15, is printed on its own).
FLAG_BITS = (
    "disabled", "inherit", "pinned", "exclusive", "exclude_user", "exclude_kernel", "exclude_hv",
    "exclude_idle", "mmap", "comm", "freq", "inherit_stat", "enable_on_exec", "task", "watermark",
    None, None, "mmap_data", "sample_id_all", "exclude_host", "exclude_guest",
    "exclude_callchain_kernel", "exclude_callchain_user", "mmap2", "comm_exec", "use_clockid",
    "context_switch", "write_backward", "namespaces", "ksymbol", "bpf_event", "aux_output", "cgroup",
    "text_poke", "build_id", "inherit_thread", "remove_on_exec", "sigtrap",
)  # fmt: skip
PRECISE_IP = ("arbitrary skid", "constant skid", "requested to have 0 skid", "must have 0 skid")
