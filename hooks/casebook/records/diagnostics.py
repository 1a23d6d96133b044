"""Located problems found in records, and the three ways of printing them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

from .characters import visible

Severity = Literal["error", "warning"]
SEVERITY_LABEL = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, pinned to a file, line and column (1-based) and a field path like figures[0].value."""

    file: str
    line: int
    column: int
    field: str
    message: str
    hint: str = ""
    code: str = ""
    severity: Severity = "error"

    def shown(self) -> Diagnostic:
        """The same, fit to print: what a message quotes from a record (a value, a field name, a
        file name) may hold a line break, a bidi override or an invisible character, which in a
        terminal or a pull-request log would forge or hide lines. Each is written as \\uXXXX."""

        return replace(
            self,
            file=visible(self.file),
            field=visible(self.field),
            message=visible(self.message),
            hint=visible(self.hint),
        )

    def text(self) -> str:
        d = self.shown()
        where = f"{d.file}:{d.line}:{d.column}"
        head = f"{where}: {SEVERITY_LABEL[d.severity]}: "
        head += f"{d.field} {d.message}" if d.field else d.message
        return head + (f"\n    提示: {d.hint}" if d.hint else "")


class CasebookError(Exception):
    """Raised by callers that need to stop on diagnostics (the MkDocs hook, for one)."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(format_text(self.diagnostics))


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]


def field_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def summary_line(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    n_err = len(errors(diagnostics))
    n_warn = len(diagnostics) - n_err
    files = len({d.file for d in diagnostics})
    if not diagnostics:
        return f"检查了 {files_checked} 个文件，没有发现问题。"
    parts = [f"{n_err} 个错误"] + ([f"{n_warn} 个警告"] if n_warn else [])
    return f"检查了 {files_checked} 个文件，其中 {files} 个有问题：" + "，".join(parts) + "。"


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    return "\n".join(d.text() for d in sorted(diagnostics))


def format_json(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    payload = {
        "ok": not errors(diagnostics),
        "files_checked": files_checked,
        "errors": len(errors(diagnostics)),
        "warnings": len(diagnostics) - len(errors(diagnostics)),
        "diagnostics": [asdict(d.shown()) for d in sorted(diagnostics)],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _gh_escape(value: str, *, prop: bool = False) -> str:
    # GitHub's workflow-command encoding: data escapes %, CR, LF; properties also : and ,
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for d in (d.shown() for d in sorted(diagnostics)):
        title = f"{d.field}" if d.field else "casebook"
        body = d.message + (f"\n提示: {d.hint}" if d.hint else "")
        props = ",".join(
            [
                f"file={_gh_escape(d.file, prop=True)}",
                f"line={d.line}",
                f"col={d.column}",
                f"title={_gh_escape(title, prop=True)}",
            ]
        )
        lines.append(f"::{d.severity} {props}::{_gh_escape(body)}")
    return "\n".join(lines)
