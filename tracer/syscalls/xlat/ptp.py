"""PTP clock ioctl flag and enum names (linux/ptp_clock.h), as strace 6.1's xlat tables list them."""

PTP_EXTTS_FLAGS = [(0x1, "PTP_ENABLE_FEATURE"), (0x2, "PTP_RISING_EDGE"), (0x4, "PTP_FALLING_EDGE"), (0x8, "PTP_STRICT_FLAGS")]  # fmt: skip
PTP_PEROUT_FLAGS = [(0x1, "PTP_PEROUT_ONE_SHOT"), (0x2, "PTP_PEROUT_DUTY_CYCLE"), (0x4, "PTP_PEROUT_PHASE")]  # fmt: skip
PTP_PIN_FUNCS = {0: "PTP_PF_NONE", 1: "PTP_PF_EXTTS", 2: "PTP_PF_PEROUT", 3: "PTP_PF_PHYSYNC"}  # fmt: skip
