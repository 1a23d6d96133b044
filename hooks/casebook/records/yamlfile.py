"""Read one YAML file into plain data plus the line and column of every key and value.

PyYAML's C composer builds the node tree (fast, and it never constructs arbitrary
objects); the walk below turns nodes into data itself so that it can record positions,
catch duplicate keys (PyYAML keeps the last one silently), refuse anchors and aliases
(the road to "billion laughs"), and keep dates as the strings the editor wrote.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.constructor import SafeConstructor

from .characters import describe
from .diagnostics import Diagnostic, field_path

try:  # The C loader is 7x faster; fall back only where libyaml is missing.
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on the wheel
    from yaml import SafeLoader as Loader  # type: ignore[assignment]


# Tags of plain scalars already resolved by Resolver.resolve: keys such as title and text come back
# in every record, and each would otherwise be tried against the boolean and null patterns again.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 4096


class _Composer(Loader):
    """The C loader, with a quicker answer to the one question it asks Python for every scalar.

    Resolver.resolve tries the regular expressions registered for a plain scalar's first character
    (y/n/t/f/o for booleans, digits for numbers and dates, ~ for null ...). Most of a record's
    scalars are Chinese text, for which there are none: this says "string" for those at once, and
    remembers its answer for short ones that it had to ask Resolver.resolve about. With no path
    resolvers, that answer depends on the value alone, so each scalar gets the tag it always got."""

    # Its own copy of the safe loader's patterns, so that what _PLAIN_TAGS remembers stays true even
    # if some other code adds a resolver to the shared loader classes later on.
    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {
        first: list(pairs) for first, pairs in Loader.yaml_implicit_resolvers.items()
    }

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value and not self.yaml_path_resolvers:
            table = self.yaml_implicit_resolvers
            if value[0] not in table and None not in table:
                return self.DEFAULT_SCALAR_TAG
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 32 and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                    _PLAIN_TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


def _compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=_Composer)


MAX_BYTES = 512 * 1024
MAX_NODES = 50_000
MAX_DEPTH = 40

KeyPath = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_constructor = SafeConstructor()


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class Index:
    """Where each value and key of a document stands, and what YAML did to its scalars."""

    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    # Plain (unquoted) scalars that YAML turned into something other than a string.
    coerced: dict[KeyPath, str] = field(default_factory=dict)
    # Literal blocks (|): their text starts on the line after the key.
    literal_blocks: set[KeyPath] = field(default_factory=set)


@dataclass
class YamlDocument:
    """Parsed data of one file. Positions are worked out only when something needs one (a
    valid record never does), by walking the file's nodes again."""

    display: str
    data: Any
    text: str = ""
    _index: Index | None = None

    @property
    def index(self) -> Index:
        if self._index is None:
            walker = _Walker(self, Index())
            walker.walk(_compose(self.text), (), 0)
            self._index = walker.index
        return self._index

    @property
    def values(self) -> dict[KeyPath, Position]:
        return self.index.values

    @property
    def coerced(self) -> dict[KeyPath, str]:
        return self.index.coerced

    @property
    def literal_blocks(self) -> set[KeyPath]:
        return self.index.literal_blocks

    def value_at(self, path: KeyPath) -> Position:
        """Position of the value at path, or of its nearest ancestor that exists."""
        values = self.index.values
        p = tuple(path)
        while p:
            if p in values:
                return values[p]
            p = p[:-1]
        return values.get((), Position(1, 1))

    def key_at(self, path: KeyPath) -> Position:
        return self.index.keys.get(tuple(path)) or self.value_at(path)


class _Problem(Exception):
    def __init__(self, position: Position, path: KeyPath, message: str, hint: str, code: str):
        self.position, self.path, self.message, self.hint, self.code = position, path, message, hint, code


def _pos(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


_SYNTAX_HINTS: list[tuple[str, str, str]] = [
    (
        "found character '\\t'",
        "用了 Tab 字符缩进",
        "YAML 只能用空格缩进：把 Tab 换成两个空格（编辑器里可以设置“用空格代替 Tab”）。",
    ),
    (
        "mapping values are not allowed",
        "此处不能出现“: ”",
        '值里有英文冒号加空格时，请给整个值加引号，例如 title: "做法: 敲门"；或者检查上一行的缩进。',
    ),
    (
        "could not find expected ':'",
        "找不到键后面的冒号“:”",
        "每一行应写成“字段名: 值”，冒号是英文冒号，后面跟一个空格；多行文字请用 | 块。",
    ),
    ("found undefined alias", "用了未定义的别名", "不要使用 YAML 的 & 锚点和 * 别名，直接把内容写出来。"),
    ("found unexpected end of stream", "文件意外结束", "检查引号和括号是否成对。"),
    (
        "found unknown escape character",
        "双引号字符串里有无法识别的反斜杠转义",
        "把 \\ 写成 \\\\，或改用单引号。",
    ),
    (
        "expected <block end>, but found",
        "缩进不一致",
        "同一层级的字段必须左对齐；列表项的“- ”要对齐。",
    ),
    (
        "did not find expected '-' indicator",
        "缩进不一致",
        "同一层级的字段必须左对齐；列表项的“- ”要对齐。",
    ),
    ("but found another document", "文件里有多个 YAML 文档（---）", "一个文件只写一个案例，删除多余的 ---。"),
    ("found a tab character", "用了 Tab 字符", "YAML 只能用空格缩进：把 Tab 换成空格。"),
]


def _syntax_message(problem: str) -> tuple[str, str]:
    for needle, message, hint in _SYNTAX_HINTS:
        if needle in problem:
            return message, hint
    return "YAML 格式有误", "检查这一行及上一行的缩进、冒号和引号。"


def decode(raw: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text: UTF-8 (a BOM is fine); other encodings get a pointed error."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [
            Diagnostic(display, 1, 1, "", "文件是 UTF-16 编码", "请用 UTF-8 编码另存这个文件。", "file.encoding")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = ""
        try:
            raw.decode("gb18030")
            guess = "（看起来是 GBK/GB18030，常见于 Windows 中文系统）"
        except UnicodeDecodeError:
            pass
        return None, [
            Diagnostic(
                display,
                line,
                column,
                "",
                f"文件不是 UTF-8 编码{guess}",
                "用编辑器把文件另存为 UTF-8 编码（VS Code：右下角点编码 → 通过编码保存 → UTF-8）。",
                "file.encoding",
            )
        ]
    if "\x85" in text or "\u2028" in text or "\u2029" in text:  # substring tests: a regex costs ten times more
        # YAML counts these as line breaks and editors do not: every line number after one would be
        # off, and the parser's complaint would point at the wrong line.
        breaks = _ODD_BREAK.search(text)
        assert breaks is not None
        at = breaks.start()
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        return None, [_character_problem(display, line, column, breaks.group())]
    if "\x00" in text:
        at = text.index("\x00")
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        hint = "文件可能已损坏，或者不是文本文件：删除这个字符，或从模板重新开始。"
        return None, [Diagnostic(display, line, column, "", "文件含有空字符（U+0000）", hint, "file.binary")]
    return text, []


_QUOTED_VALUE = re.compile(r'^\s*(?:-\s+)?(?:[^\s:#"\'][^:#]*:\s+)?"')


def _open_quote(lines: list[str], first: int, last: int) -> Position | None:
    """The line, between two marks, whose double-quoted value is never closed."""
    for number in range(max(first, 1), min(last, len(lines)) + 1):
        line = lines[number - 1]
        if _QUOTED_VALUE.match(line) and line.replace('\\"', "").count('"') % 2 == 1:
            return Position(number, line.index('"') + 1)
    return None


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, display: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    pos = _pos(mark) if mark else Position(1, 1)
    problem = f"{exc.context or ''} {exc.problem or ''}"
    message, hint = _syntax_message(problem)
    detail = (exc.problem or "").strip()
    lines = text.splitlines()
    line = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    if "\t" in line[: len(line) - len(line.lstrip())]:
        message, hint = _syntax_message("found character '\\t'")
    elif "\t" in problem or "'\\t'" in problem:
        message, hint = "值里有 Tab 字符", "把 Tab 换成空格，或给整个值加上引号。"
    if any(k in problem for k in ("expected key", "end of stream", "expected ':'", "quoted scalar")):
        start = _pos(exc.context_mark).line if exc.context_mark else 1
        opened = _open_quote(lines, start, pos.line)
        if opened is not None:
            return Diagnostic(
                display,
                opened.line,
                opened.column,
                "",
                "引号没有配对：这里开始的双引号没有结束",
                "值里要用引号时，请用中文引号“”；或者给整个值加上英文引号，并把值里的英文双引号删掉。",
                "yaml.syntax",
            )
    return Diagnostic(display, pos.line, pos.column, "", f"{message}（{detail}）", hint, "yaml.syntax")


def _reader_error(exc: yaml.reader.ReaderError, text: str, display: str) -> Diagnostic:
    # libyaml counts the position in bytes of UTF-8, not in characters.
    before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return _character_problem(display, line, column, char)


_ODD_BREAK = re.compile("[\x85\u2028\u2029]")


def _character_problem(display: str, line: int, column: int, char: str) -> Diagnostic:
    """A character the YAML reader refuses, or that would shift its line count, named as the
    record check names it in a value."""

    what, hint = describe(char)
    return Diagnostic(display, line, column, "", f"文件含有{what}", hint, "yaml.syntax")


def parse(text: str, display: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, text, display)]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_error(exc, text, display)]
    except yaml.YAMLError as exc:
        return None, [
            Diagnostic(display, 1, 1, "", f"无法读取 YAML（{exc}）", "删除文件里的不可见控制字符。", "yaml.syntax")
        ]
    except RecursionError:
        return None, [Diagnostic(display, 1, 1, "", "嵌套层数过多", "", "yaml.depth")]
    if root is None:
        return None, [Diagnostic(display, 1, 1, "", "文件是空的", "从模板复制一个案例开始。", "yaml.empty")]
    doc = YamlDocument(display, None, text)
    try:
        doc.data = _construct(root, set(), 0)
        return doc, []
    except _Unusual:
        pass  # something to report: walk again, noting where everything stands
    walker = _Walker(doc, Index())
    doc._index = walker.index
    try:
        doc.data = walker.walk(root, (), 0)
    except _Problem as p:  # too big or too deep: nothing after it can be trusted
        walker.problems.append(p)
        return None, walker.diagnostics()
    if walker.problems:
        return doc, walker.diagnostics()
    return doc, []


def load_file(path: Path, display: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    try:
        raw = read_regular(path)
    except TooBig as big:
        return None, [
            Diagnostic(
                display,
                1,
                1,
                "",
                f"文件太大（{big.size // 1024} KB，上限 {MAX_BYTES // 1024} KB）",
                "一个案例不应这么长；图片请放在 cases/<id>/ 文件夹中，不要写进 YAML。",
                "file.size",
            )
        ]
    except NotRegular as odd:
        return None, [Diagnostic(display, 1, 1, "", odd.message, odd.hint, "file.special")]
    except OSError as exc:
        return None, [Diagnostic(display, 1, 1, "", f"无法读取文件（{exc.strerror}）", "", "file.read")]
    text, problems = decode(raw, display)
    if text is None:
        return None, problems
    return parse(text, display)


class TooBig(Exception):
    def __init__(self, size: int):
        self.size = size


class NotRegular(Exception):
    """A symbolic link, a folder, a FIFO, a device: never opened for reading, never echoed."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


SYMLINK = NotRegular(
    "是符号链接，不会读取",
    "仓库里的记录、参考数据和图片都必须是普通文件：符号链接可能指向仓库以外的文件。请换成文件本身。",
)
_NOT_A_FILE = "不是普通文件（是文件夹、管道或设备），不会读取"
_NOT_A_FILE_HINT = "这里只能放普通的 .yml 文本文件。"


def read_regular(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; else TooBig or NotRegular, judged
    before the file is opened.

    lstat() says what the name is without following it: a symbolic link (cases/leak.yml pointing
    at a secret, whose first characters a syntax error would quote, or at /dev/zero, which would be
    read until memory runs out), a FIFO (whose open would wait for a writer), a device or a folder
    is refused unopened. The open then repeats the judgement on what it really opened, should the
    name have changed in between: O_NOFOLLOW refuses a link, O_NONBLOCK keeps a FIFO from
    blocking, fstat() on the descriptor says what it is."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        mode = 0  # missing or unreadable: the open below says which, in its own words
    if stat.S_ISLNK(mode):
        raise SYMLINK
    if mode and not stat.S_ISREG(mode):
        raise NotRegular(_NOT_A_FILE, _NOT_A_FILE_HINT)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # Windows would otherwise turn \r\n into \n
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if path.is_symlink():  # ELOOP from O_NOFOLLOW: it became a link since lstat()
            raise SYMLINK from None
        if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket
            raise NotRegular(_NOT_A_FILE, _NOT_A_FILE_HINT) from None
        size = path.stat().st_size if exc.errno == errno.EACCES else 0
        if size > limit:  # too big is said first, even of a file that cannot be read
            raise TooBig(size) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(_NOT_A_FILE, _NOT_A_FILE_HINT)
        if info.st_size > limit:
            raise TooBig(info.st_size)
        chunks: list[bytes] = []
        got = 0
        # To the end, should the file have grown, but never past the limit.
        while chunk := os.read(fd, max(info.st_size + 1, 65536)):
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:
                raise TooBig(got)
        return b"".join(chunks)
    finally:
        os.close(fd)


_YAML11_HINT = (
    "YAML 会把不加引号的 yes/no/on/off 读成真假值，把 0123、1_000 读成数字，把 2018-09-18 读成日期："
    '这里要的是文字，请给值加上引号，例如 "no"。'
)


class _Walker:
    """Nodes to data. Problems are collected, not raised, so one run reports them all."""

    def __init__(self, doc: YamlDocument, index: Index):
        self.doc = doc
        self.index = index
        self.seen: set[int] = set()
        self.problems: list[_Problem] = []

    def diagnostics(self) -> list[Diagnostic]:
        d = self.doc.display
        return [
            Diagnostic(d, p.position.line, p.position.column, field_path(p.path), p.message, p.hint, p.code)
            for p in self.problems
        ]

    def walk(self, node: yaml.Node, path: KeyPath, depth: int) -> Any:
        if id(node) in self.seen:
            # An alias: report the first, and never expand any (that is how "billion laughs" explodes).
            if not any(p.code == "yaml.alias" for p in self.problems):
                # The alias node is the anchored node itself, so its mark is the anchor's: point at
                # the key that holds it, or at the list that does.
                where = self.index.keys.get(path) or self.index.values.get(path[:-1], _pos(node.start_mark))
                self.index.values[path] = where
                self.problems.append(
                    _Problem(
                        where,
                        path,
                        "使用了 YAML 锚点/别名（& 和 *）",
                        "不支持锚点和别名：请把内容直接写出来。",
                        "yaml.alias",
                    )
                )
            return None
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES or depth > MAX_DEPTH:
            raise _Problem(
                _pos(node.start_mark), path, "内容层数或条目过多", "检查是否粘贴了不相关的内容。", "yaml.size"
            )
        self.index.values[path] = _pos(node.start_mark)
        try:
            if isinstance(node, yaml.ScalarNode):
                if node.style == "|":
                    self.index.literal_blocks.add(path)
                value = _scalar(node, path)
                if not node.style and not isinstance(value, str):
                    self.index.coerced[path] = node.value
                return value
            if isinstance(node, yaml.SequenceNode):
                _plain_tag(node, "tag:yaml.org,2002:seq", path)
                return [self.walk(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
            _plain_tag(node, "tag:yaml.org,2002:map", path)
        except _Problem as p:
            self.problems.append(p)
            return None
        return self.mapping(node, path, depth)

    def mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    _Problem(
                        _pos(key_node.start_mark),
                        path,
                        "使用了 YAML 合并键（<<）",
                        "请把字段直接写出来。",
                        "yaml.alias",
                    )
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(_Problem(_pos(key_node.start_mark), path, "字段名必须是文字", "", "yaml.key"))
                continue
            key = key_node.value
            if key in out:
                first = self.index.keys[(*path, key)]
                self.problems.append(
                    _Problem(
                        _pos(key_node.start_mark),
                        (*path, key),
                        f"字段重复出现（第一次在第 {first.line} 行）",
                        "同一个字段只能写一次：删掉其中一个，或者把内容合并。",
                        "yaml.duplicate-key",
                    )
                )
                continue  # the first one stands; its position stays the one recorded
            self.index.keys[(*path, key)] = _pos(key_node.start_mark)
            out[key] = self.walk(value_node, (*path, key), depth + 1)
        return out


def _plain_tag(node: yaml.Node, expected: str, path: KeyPath) -> None:
    if node.tag != expected:
        raise _Problem(
            _pos(node.start_mark),
            path,
            f"不支持的 YAML 标签 {node.tag}",
            "删除 !! 或 ! 开头的标签。",
            "yaml.tag",
        )


def _scalar(node: yaml.ScalarNode, path: KeyPath) -> Any:
    tag = node.tag
    if tag not in _SCALAR_TAGS:
        raise _Problem(
            _pos(node.start_mark), path, f"不支持的 YAML 标签 {tag}", "删除 !! 或 ! 开头的标签。", "yaml.tag"
        )
    if tag in (_STR, "tag:yaml.org,2002:timestamp"):
        # Dates stay the text the editor wrote; the schema's date format judges them.
        return node.value
    try:
        if tag == "tag:yaml.org,2002:int":
            value: Any = _constructor.construct_yaml_int(node)
        elif tag == "tag:yaml.org,2002:float":
            value = _constructor.construct_yaml_float(node)
        elif tag == "tag:yaml.org,2002:bool":
            value = _constructor.construct_yaml_bool(node)
        else:
            value = None
    except Exception:
        return node.value
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return node.value  # .nan and .inf are no figure: let the schema say it wants a number
    return value


class _Unusual(Exception):
    """The fast construction met something to report; the walker will say what and where."""


def _construct(node: yaml.Node, seen: set[int], depth: int) -> Any:
    """Nodes to data with no bookkeeping: the path every valid record takes. Anything the walker
    could have something to say about raises _Unusual, so the walker's limits are checked here too."""
    if id(node) in seen or depth > MAX_DEPTH or len(seen) > MAX_NODES:
        raise _Unusual
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise _Unusual
        return node.value if node.tag in (_STR, _TIMESTAMP) else _scalar(node, ())
    # Most children are plain text: those are taken here, with the same checks, rather than by a
    # call each. The limits are checked again once all are in.
    inline = depth < MAX_DEPTH
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _Unusual
        items: list[Any] = []
        for child in node.value:
            if inline and child.__class__ is yaml.ScalarNode and child.tag == _STR:
                if id(child) in seen:
                    raise _Unusual
                seen.add(id(child))
                items.append(child.value)
            else:
                items.append(_construct(child, seen, depth + 1))
        if len(seen) > MAX_NODES:
            raise _Unusual
        return items
    if node.tag != _MAP:
        raise _Unusual
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR or key_node.value in out:
            raise _Unusual
        if inline and value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR:
            if id(value_node) in seen:
                raise _Unusual
            seen.add(id(value_node))
            out[key_node.value] = value_node.value
        else:
            out[key_node.value] = _construct(value_node, seen, depth + 1)
    if len(seen) > MAX_NODES:
        raise _Unusual
    return out


def coercion_hint(doc: YamlDocument, path: KeyPath) -> str:
    """A hint for a string field that YAML 1.1 silently turned into a number, boolean or null."""
    return _YAML11_HINT if tuple(path) in doc.coerced else ""


__all__ = [
    "MAX_BYTES",
    "NotRegular",
    "Position",
    "TooBig",
    "YamlDocument",
    "coercion_hint",
    "load_file",
    "parse",
    "read_regular",
]
