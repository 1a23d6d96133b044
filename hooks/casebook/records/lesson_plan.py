"""The one rule of a teacher's guide that a schema cannot say: a suggested lesson plan names the
five stages in their order, and their minutes add up to the stated lesson length."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import LESSON_STAGES
from .diagnostics import Diagnostic, field_path
from .yamlfile import YamlDocument

PLAN = ("teaching", "plan")


def check(doc: YamlDocument) -> Iterator[Diagnostic]:
    """Runs on data that may have failed the schema: a wrong shape was reported there."""
    data = doc.data if isinstance(doc.data, dict) else {}
    teaching = data.get("teaching")
    plan = teaching.get("plan") if isinstance(teaching, dict) else None
    if not isinstance(plan, dict):
        return
    steps: Any = plan.get("steps")
    total: Any = plan.get("minutes")
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        return
    stages = [s.get("stage") for s in steps]
    if len(steps) == len(LESSON_STAGES) and stages != list(LESSON_STAGES) and set(stages) <= set(LESSON_STAGES):
        wrong = next(i for i, (a, b) in enumerate(zip(stages, LESSON_STAGES, strict=True)) if a != b)
        path = (*PLAN, "steps", wrong, "stage")
        pos = doc.value_at(path)
        yield Diagnostic(
            doc.display,
            pos.line,
            pos.column,
            field_path(path),
            f"第 {wrong + 1} 个环节应为“{LESSON_STAGES[wrong]}”，实际为“{stages[wrong]}”",
            "课堂计划的五个环节按顺序各写一次：" + " → ".join(LESSON_STAGES) + "。",
            "teaching.plan.order",
        )
    minutes = [s.get("minutes") for s in steps]
    if not isinstance(total, int) or not all(isinstance(m, int) and not isinstance(m, bool) for m in minutes):
        return
    if sum(minutes) != total:
        path = (*PLAN, "minutes")
        pos = doc.value_at(path)
        parts = " + ".join(f"{s.get('stage')} {m}" for s, m in zip(steps, minutes, strict=True))
        yield Diagnostic(
            doc.display,
            pos.line,
            pos.column,
            field_path(path),
            f"各环节合计 {sum(minutes)} 分钟，与课时长度 {total} 分钟不符",
            f"{parts} = {sum(minutes)}：请调整各环节的 minutes，或把 plan.minutes 改为 {sum(minutes)}。",
            "teaching.plan.minutes",
        )
