"""Shared helpers for the benchmarks: synthetic dossiers shaped like the real ones."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AGENCIES = [f"000.00.{i:02d}.H{40 + i % 20:02d}" for i in range(1, 41)]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Em", "Giang", "Hải", "Khải", "Lan", "Minh"]
PROCEDURES = ["Cấp giấy khai sinh", "Chứng thực bản sao", "Đăng ký kết hôn", "Cấp giấy phép xây dựng"]
STATUSES = ["received", "processing", "supplement_requested", "ready", "returned"]


def code_for(i: int) -> str:
    agency = AGENCIES[i % len(AGENCIES)]
    day = 1 + (i // len(AGENCIES)) % 28
    return f"{agency}-2611{day:02d}-{i:06d}"


def csv_row(i: int, rng: random.Random) -> list[str]:
    day = 1 + (i // len(AGENCIES)) % 28
    return [
        code_for(i), AGENCIES[i % len(AGENCIES)], rng.choice(PROCEDURES),
        f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}", f"09{rng.randrange(10**8):08d}",
        f"2026-11-{day:02d}", f"2026-12-{day:02d}", rng.choice(STATUSES),
    ]


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
