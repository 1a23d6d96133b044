"""The `casebook` command: a thin shell over the core, like the MkDocs hook."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..options import BuildOptions, OptionError
from ..records.check_cache import CheckCache
from ..records.diagnostics import format_github, format_json, format_text, summary_line
from ..records.loader import load
from ..site.exports import cases_csv, cases_json
from . import fieldref, scaffold
from .project_root import NO_ROOT, locate


def _validate(args: argparse.Namespace) -> int:
    project = locate(args.root)
    if project is None:
        print(NO_ROOT, file=sys.stderr)
        return 2
    only = [Path(p) for p in args.paths] or None
    for p in only or []:
        if not p.exists():
            print(f"错误: 找不到 {p}", file=sys.stderr)
            return 2
    if only:
        expanded: list[Path] = []
        data_dir = project.data_dir.resolve()
        for p in only:
            expanded.extend(sorted(p.glob("*.yml")) if p.is_dir() and p.resolve() != data_dir else [p])
        only = expanded
    result = load(project, only, CheckCache.default())
    if args.format == "json":
        print(format_json(result.diagnostics, result.files_checked))
    elif args.format == "github":
        if result.diagnostics:
            print(format_github(result.diagnostics))
        print(summary_line(result.diagnostics, result.files_checked))
    else:
        if result.diagnostics:
            print(format_text(result.diagnostics))
            print()
        print(summary_line(result.diagnostics, result.files_checked))
    return 0 if result.ok else 1


def _export(args: argparse.Namespace) -> int:
    project = locate(args.root)
    if project is None:
        print(NO_ROOT, file=sys.stderr)
        return 2
    result = load(project, cache=CheckCache.default())
    if not result.ok or result.casebook is None:
        print(format_text(result.diagnostics), file=sys.stderr)
        print("案例记录有错误，没有导出。先运行 casebook validate 修正。", file=sys.stderr)
        return 1
    book = result.casebook
    try:
        options = BuildOptions.from_env(os.environ)
    except OptionError as exc:
        print(exc, file=sys.stderr)
        return 1
    problems = options.problems(project.schema_dir)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    book.site = options.apply(book.site)
    data = cases_json(book).encode("utf-8") if args.format == "json" else cases_csv(book)
    if args.output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(args.output).write_bytes(data)
        print(f"已导出 {len(book.cases)} 个案例到 {args.output}", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="casebook", description="基层治理案例库：校验和生成案例记录。")
    p.add_argument("--version", action="version", version=f"casebook {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")
    v = sub.add_parser(
        "validate",
        help="检查案例和参考数据（默认检查整个案例库）",
        description="检查案例和参考数据：YAML 格式、字段、引用。有错误时退出码为 1。",
    )
    v.add_argument("paths", nargs="*", metavar="PATH", help="只报告这些文件或文件夹的问题（仍按整个案例库核对引用）")
    v.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="输出格式：text（默认）、json（给程序读）、github（拉取请求中的标注）",
    )
    v.add_argument("--root", help="案例库所在文件夹（默认从当前文件夹向上查找）")
    v.set_defaults(func=_validate)
    e = sub.add_parser(
        "export",
        help="导出全部案例：json 或 csv（与站点 /data/ 下的文件相同）",
        description="导出全部案例。与站点的 /data/cases.json、/data/cases.csv 内容相同。",
    )
    e.add_argument(
        "--format", choices=("json", "csv"), default="json", help="json（默认）或 csv（UTF-8 带 BOM，Excel 可直接打开）"
    )
    e.add_argument("--output", "-o", help="写入这个文件（默认输出到屏幕）")
    e.add_argument("--root", help="案例库所在文件夹（默认从当前文件夹向上查找）")
    e.set_defaults(func=_export)
    scaffold.register(sub)
    fieldref.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours, never the editor's fault: say so instead of a traceback
        print(
            f"内部错误: {type(exc).__name__}: {exc}\n这是案例库程序的缺陷，不是你的记录的问题；"
            "请把这条信息和出错的文件一起报告给维护者。",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
