"""NUMA memory-policy constants (mbind, set_mempolicy, get_mempolicy, move_pages)."""

MPOL_MODES = {
    0: "MPOL_DEFAULT",
    1: "MPOL_PREFERRED",
    2: "MPOL_BIND",
    3: "MPOL_INTERLEAVE",
    4: "MPOL_LOCAL",
    5: "MPOL_PREFERRED_MANY",
}
# Mode flags ORed into the mode argument.
MPOL_MODE_FLAGS = [
    (0x8000, "MPOL_F_STATIC_NODES"),
    (0x4000, "MPOL_F_RELATIVE_NODES"),
    (0x2000, "MPOL_F_NUMA_BALANCING"),
]
MPOL_MODE_FLAGS_MASK = 0xE000
# get_mempolicy's flags.
MPOL_GET_FLAGS = [(1, "MPOL_F_NODE"), (2, "MPOL_F_ADDR"), (4, "MPOL_F_MEMS_ALLOWED")]
# mbind's and move_pages' flags.
MPOL_MF_FLAGS = [(1, "MPOL_MF_STRICT"), (2, "MPOL_MF_MOVE"), (4, "MPOL_MF_MOVE_ALL")]
