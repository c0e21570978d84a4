"""quotactl's commands, quota types, formats and the flags of its structures."""


def _old(n: int) -> int:
    return n


def _new(n: int) -> int:
    return 0x800000 + n


def _xqm(n: int) -> int:
    return (ord("X") << 8) + n


# The command part of QCMD(cmd, type): the argument shifted right by 8 bits.
Q_SYNC, Q_QUOTAON, Q_QUOTAOFF, Q_GETFMT, Q_GETINFO = (_new(n) for n in range(1, 6))
Q_SETINFO, Q_GETQUOTA, Q_SETQUOTA, Q_GETNEXTQUOTA = (_new(n) for n in range(6, 10))
Q_XQUOTAON, Q_XQUOTAOFF, Q_XGETQUOTA, Q_XSETQLIM, Q_XGETQSTAT = (_xqm(n) for n in range(1, 6))
Q_XQUOTARM, Q_XQUOTASYNC, Q_XGETQSTATV, Q_XGETNEXTQUOTA = (_xqm(n) for n in range(6, 10))

QUOTA_COMMANDS = {
    _old(0x1): "Q_V1_QUOTAON",
    _old(0x2): "Q_V1_QUOTAOFF",
    _old(0x3): "Q_V1_GETQUOTA",
    _old(0x4): "Q_V1_SETQUOTA",
    _old(0x5): "Q_V1_SETUSE",
    _old(0x6): "Q_V1_SYNC",
    _old(0x7): "Q_SETQLIM",
    _old(0x8): "Q_V1_GETSTATS",
    _old(0x10): "Q_V1_RSQUASH",
    _old(0xD): "Q_V2_GETQUOTA",
    _old(0xE): "Q_V2_SETQUOTA",
    _old(0xF): "Q_V2_SETUSE",
    _old(0x9): "Q_V2_GETINFO",
    _old(0xA): "Q_V2_SETINFO",
    _old(0xB): "Q_V2_SETGRACE",
    _old(0xC): "Q_V2_SETFLAGS",
    _old(0x11): "Q_V2_GETSTATS",
    Q_SYNC: "Q_SYNC",
    Q_QUOTAON: "Q_QUOTAON",
    Q_QUOTAOFF: "Q_QUOTAOFF",
    Q_GETFMT: "Q_GETFMT",
    Q_GETINFO: "Q_GETINFO",
    Q_SETINFO: "Q_SETINFO",
    Q_GETQUOTA: "Q_GETQUOTA",
    Q_SETQUOTA: "Q_SETQUOTA",
    Q_GETNEXTQUOTA: "Q_GETNEXTQUOTA",
    Q_XQUOTAON: "Q_XQUOTAON",
    Q_XQUOTAOFF: "Q_XQUOTAOFF",
    Q_XGETQUOTA: "Q_XGETQUOTA",
    Q_XSETQLIM: "Q_XSETQLIM",
    Q_XGETQSTAT: "Q_XGETQSTAT",
    Q_XQUOTARM: "Q_XQUOTARM",
    Q_XQUOTASYNC: "Q_XQUOTASYNC",
    Q_XGETQSTATV: "Q_XGETQSTATV",
    Q_XGETNEXTQUOTA: "Q_XGETNEXTQUOTA",
}
QUOTA_TYPES = {0: "USRQUOTA", 1: "GRPQUOTA", 2: "PRJQUOTA"}
QUOTA_FORMATS = {1: "QFMT_VFS_OLD", 2: "QFMT_VFS_V0", 3: "QFMT_OCFS2", 4: "QFMT_VFS_V1"}
IF_DQBLK_VALID = [
    (1 << 0, "QIF_BLIMITS"),
    (1 << 1, "QIF_SPACE"),
    (1 << 2, "QIF_ILIMITS"),
    (1 << 3, "QIF_INODES"),
    (1 << 4, "QIF_BTIME"),
    (1 << 5, "QIF_ITIME"),
]
IF_DQINFO_FLAGS = [(1 << 0, "DQF_ROOT_SQUASH"), (1 << 16, "DQF_SYS_FILE")]
IF_DQINFO_VALID = [(1 << 0, "IIF_BGRACE"), (1 << 1, "IIF_IGRACE"), (1 << 2, "IIF_FLAGS")]
XFS_DQBLK_FLAGS = [(1, "FS_USER_QUOTA"), (2, "FS_PROJ_QUOTA"), (4, "FS_GROUP_QUOTA")]
XFS_QUOTA_FLAGS = [
    (0x1, "FS_QUOTA_UDQ_ACCT"),
    (0x2, "FS_QUOTA_UDQ_ENFD"),
    (0x4, "FS_QUOTA_GDQ_ACCT"),
    (0x8, "FS_QUOTA_GDQ_ENFD"),
    (0x10, "FS_QUOTA_PDQ_ACCT"),
    (0x20, "FS_QUOTA_PDQ_ENFD"),
]
