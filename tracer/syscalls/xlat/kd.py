"""Console and keyboard ioctl names (linux/kd.h, linux/keyboard.h), as strace 6.1's xlat
tables list them."""

LED_FLAGS = [(0x1, "LED_SCR"), (0x2, "LED_NUM"), (0x4, "LED_CAP")]  # fmt: skip
DEFAULT_LED_FLAGS = [*LED_FLAGS, (0x10, "LED_SCR<<4"), (0x20, "LED_NUM<<4"), (0x40, "LED_CAP<<4")]  # fmt: skip
KBD_TYPES = {1: "KB_84", 2: "KB_101", 3: "KB_OTHER"}  # fmt: skip
MODES = {0: "KD_TEXT", 1: "KD_GRAPHICS", 2: "KD_TEXT0", 3: "KD_TEXT1"}  # fmt: skip
KBD_MODES = {0: "K_RAW", 1: "K_XLATE", 2: "K_MEDIUMRAW", 3: "K_UNICODE", 4: "K_OFF"}  # fmt: skip
META_VALS = {3: "K_METABIT", 4: "K_ESCPREFIX"}  # fmt: skip
KEY_TABLES = {0: "K_NORMTAB", 1: "K_SHIFTTAB", 2: "K_ALTTAB", 3: "K_ALTSHIFTTAB"}  # fmt: skip
KEYMAP_FLAGS = [(1 << 0, "1<<KG_SHIFT"), (1 << 1, "1<<KG_ALTGR"), (1 << 2, "1<<KG_CTRL"), (1 << 3, "1<<KG_ALT"), (1 << 4, "1<<KG_SHIFTL"), (1 << 5, "1<<KG_SHIFTR"), (1 << 6, "1<<KG_CTRLL"), (1 << 7, "1<<KG_CTRLR")]  # fmt: skip
KEY_TYPES = {0: "KT_LATIN", 1: "KT_FN", 2: "KT_SPEC", 3: "KT_PAD", 4: "KT_DEAD", 5: "KT_CONS", 6: "KT_CUR", 7: "KT_SHIFT", 8: "KT_META", 9: "KT_ASCII", 10: "KT_LOCK", 11: "KT_LETTER", 12: "KT_SLOCK", 13: "KT_DEAD2", 14: "KT_BRL"}  # fmt: skip
FONT_OPS = {0: "KD_FONT_OP_SET", 1: "KD_FONT_OP_GET", 2: "KD_FONT_OP_SET_DEFAULT", 3: "KD_FONT_OP_COPY"}  # fmt: skip
FONT_FLAGS = [(0x1, "KD_FONT_FLAG_DONT_RECALC"), (0x80000000, "KD_FONT_FLAG_OLD")]  # fmt: skip

# Function keys by KVAL: F1..F20, the editing keys, F21..F245, UNDO.
_FN_EDIT = ["FIND", "INSERT", "REMOVE", "SELECT", "PGUP", "PGDN", "MACRO", "HELP", "DO", "PAUSE"]
FN_KEYS = {
    i: "K_" + name
    for i, name in enumerate(
        [f"F{n}" for n in range(1, 21)] + _FN_EDIT + [f"F{n}" for n in range(21, 246)] + ["UNDO"]
    )
}
_SHIFTS = ["SHIFT", "ALTGR", "CTRL", "ALT", "SHIFTL", "SHIFTR", "CTRLL", "CTRLR", "CAPSSHIFT"]
_SPEC = ["HOLE", "ENTER", "SH_REGS", "SH_MEM", "SH_STAT", "BREAK", "CONS", "CAPS", "NUM", "HOLD",
         "SCROLLFORW", "SCROLLBACK", "BOOT", "CAPSON", "COMPOSE", "SAK", "DECRCONSOLE",
         "INCRCONSOLE", "SPAWNCONSOLE", "BARENUMLOCK"]  # fmt: skip
_PAD = ["P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "PPLUS", "PMINUS", "PSTAR",
        "PSLASH", "PENTER", "PCOMMA", "PDOT", "PPLUSMINUS", "PPARENL", "PPARENR"]  # fmt: skip
_DEAD = ["DGRAVE", "DACUTE", "DCIRCM", "DTILDE", "DDIERE", "DCEDIL", "DMACRON", "DBREVE",
         "DABDOT", "DABRING", "DDBACUTE", "DCARON", "DOGONEK", "DIOTA", "DVOICED", "DSEMVOICED",
         "DBEDOT", "DHOOK", "DHORN", "DSTROKE", "DABCOMMA", "DABREVCOMMA", "DDBGRAVE",
         "DINVBREVE", "DBECOMMA", "DCURRENCY", "DGREEK"]  # fmt: skip
_ASCII = [f"ASC{n}" for n in range(10)] + [f"HEX{c}" for c in "0123456789abcdef"]
_BRL = ["BRL_BLANK"] + [f"BRL_DOT{n}" for n in range(1, 11)]


def _keys(ktype: int, names: list[str], suffix: str = "") -> dict[int, str]:
    return {ktype << 8 | i: f"K_{name}{suffix}" for i, name in enumerate(names)}


# Named key values (K(type, value)) by key type, for kb_value's comment.
KEYS_BY_TYPE = {
    1: {0x100 | i: name for i, name in FN_KEYS.items()},
    2: {**_keys(2, _SPEC), 0x27E: "K_ALLOCATED", 0x27F: "K_NOSUCHMAP"},
    3: _keys(3, _PAD),
    4: _keys(4, _DEAD),
    6: _keys(6, ["DOWN", "LEFT", "RIGHT", "UP"]),
    7: _keys(7, _SHIFTS),
    9: _keys(9, _ASCII),
    10: _keys(10, _SHIFTS, "LOCK"),
    12: _keys(12, _SHIFTS, "_SLOCK"),
    14: _keys(14, _BRL),
}
