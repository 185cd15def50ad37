"""Known state-sector day swaps that the ``holidays`` package does not know.

Each year the government moves working days by notice. Operators add next year's in
``extra_days_off`` / ``makeup_working_days`` (TOML or environment).
"""

import datetime as dt

KNOWN_DAYS_OFF: tuple[dt.date, ...] = (
    dt.date(2025, 5, 2),  # 6150/TB-BLĐTBXH: Friday 02/05/2025 off, worked on 26/04
    dt.date(2026, 1, 2),  # 12729/VPCP-KGVX: Friday 02/01/2026 off, worked on 10/01
    dt.date(2026, 2, 16),  # 9441/TB-BNV: Tết 2026 off 16/02–20/02
    dt.date(2026, 2, 17),
    dt.date(2026, 2, 18),
    dt.date(2026, 2, 19),
    dt.date(2026, 2, 20),
)

KNOWN_MAKEUP_DAYS: tuple[dt.date, ...] = (
    dt.date(2025, 4, 26),  # Saturday worked instead of 02/05/2025
    dt.date(2026, 1, 10),  # Saturday worked instead of 02/01/2026
)
