"""Dates as records write them (2017, 2017-09, 2017-09-18) and as readers read them."""

from __future__ import annotations

UNITS = ("年", "月", "日")


def parts(value: str) -> tuple[int, ...]:
    """2017-09-18 -> (2017, 9, 18); 2018 -> (2018,). Records are checked before they get here."""
    return tuple(int(p) for p in str(value).split("-")[:3])


def date_zh(value: str) -> str:
    """2017-09-18 -> 2017年9月18日; 2018 -> 2018年; 2018-06 -> 2018年6月."""
    return "".join(f"{n}{u}" for n, u in zip(parts(value), UNITS, strict=False))


def year(value: str) -> int:
    return parts(value)[0]
