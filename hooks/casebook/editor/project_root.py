"""Which casebook a command works on: the folder given with --root, or the nearest one at or above
the current folder. Every command of the editor side finds its project here, and says the same
thing when there is none."""

from __future__ import annotations

from pathlib import Path

from ..records.loader import Project

# What makes a folder a casebook: the case schema, which every command reads first.
MARKER = Path("data", "schema", "case.schema.json")
NO_ROOT = "错误: 找不到案例库（没有 data/schema/case.schema.json）。请在项目文件夹里运行，或用 --root 指定。"


def is_root(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def find_root(start: Path) -> Path | None:
    """The nearest casebook at or above start."""
    return next((folder for folder in (start, *start.parents) if is_root(folder)), None)


def locate(given: str | None, start: Path | None = None) -> Project | None:
    """The project named by --root (when given), else the one around start (the current folder);
    None when that folder is no casebook, for the caller to print NO_ROOT."""
    root = Path(given) if given else find_root(start or Path.cwd())
    return Project(root) if root is not None and is_root(root) else None
