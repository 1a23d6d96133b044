"""A corpus of faulty case records, each run through the real command line.

Every tests/corpus/<stem>.yml is a complete record (made from a real one) with its expected
diagnostics in its own leading comment lines:

    # expect: LINE[:COL] FIELD WORDS   one line per diagnostic; FIELD is - when it has none,
                                       WORDS (may be empty) must be part of the message
    # hint: WORDS                      words of the hint of the expect line just above
    # photo: NAME                      a real PNG is put at cases/<stem>/NAME
    # companion: NAME                  tests/corpus/companions/NAME is added to cases/ too
    # xfail: REASON                    a validator bug: the expect lines say what should happen
    # corpus: / # note:                what the file is about

The file is dropped into a copy of the project as cases/<stem>.yml (its id is <stem>, so only the
intended fault is reported). Faults a UTF-8 text file cannot carry (other encodings, a BOM, CRLF,
NUL and control characters, size, a .yaml extension) are generated from a real record below.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import Run, casebook

CORPUS = Path(__file__).resolve().parent / "corpus"
SEED = "cases/hongshan-jiexiao-qianshou.yml"
_EXPECT = re.compile(r"^(\d+)(?::(\d+))? (\S+)(?: (.*))?$")


@dataclass(frozen=True)
class Expect:
    line: int
    column: int | None
    field: str
    words: str = ""
    hint: str = ""

    def matches(self, d: dict) -> bool:
        return (
            d["line"] == self.line
            and (self.column is None or d["column"] == self.column)
            and d["field"] == self.field
            and self.words in d["message"]
            and self.hint in d["hint"]
        )

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}" if self.column else f"{self.line}"
        return f"{where} {self.field or '-'} {self.words!r} (hint {self.hint!r})"


@dataclass(frozen=True)
class Entry:
    stem: str
    expects: tuple[Expect, ...]
    xfail: str = ""
    photo: str = ""
    companion: str = ""


def parse_header(path: Path) -> Entry:
    """The directives in the leading comment lines of a corpus file."""
    expects: list[Expect] = []
    fields: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(": ")
        if key == "expect":
            m = _EXPECT.match(value)
            assert m, f"{path.name}: bad expect line {line!r}"
            field = "" if m[3] == "-" else m[3]
            expects.append(Expect(int(m[1]), int(m[2]) if m[2] else None, field, (m[4] or "").strip()))
        elif key == "hint":
            assert expects, f"{path.name}: a hint line must follow an expect line"
            last = expects.pop()
            expects.append(Expect(last.line, last.column, last.field, last.words, value.strip()))
        elif key in ("xfail", "photo", "companion"):
            fields[key] = value.strip()
    assert expects, f"{path.name} has no '# expect:' line"
    return Entry(path.stem, tuple(expects), **fields)


def tiny_png() -> bytes:
    """A real 1x1 PNG, so that the photo check has something to open."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def validate_both(project: Path) -> tuple[Run, Run]:
    """`casebook validate --format json` and the text format, run side by side."""
    with ThreadPoolExecutor(2) as pool:
        as_json = pool.submit(casebook, "validate", "--format", "json", cwd=project)
        as_text = pool.submit(casebook, "validate", cwd=project)
        return as_json.result(), as_text.result()


def check(project: Path, rel: str, expects: tuple[Expect, ...], *, clean: tuple[str, ...] = ()) -> None:
    """The real command finds exactly the expected errors in rel, at their lines, in both formats."""
    as_json, as_text = validate_both(project)
    for run in (as_json, as_text):
        assert "Traceback" not in run.text, run.text
        assert "内部错误" not in run.text, run.text
        assert run.code == 1, f"exit {run.code}, expected 1\n{run.text}"
    payload = json.loads(as_json.out)
    found = [d for d in payload["diagnostics"] if d["file"] == rel]
    shown = "\n".join(f"  {d['line']}:{d['column']} {d['field'] or '-'} {d['message']} | {d['hint']}" for d in found)
    left = list(found)
    for e in expects:
        hit = next((d for d in left if e.matches(d)), None)
        assert hit is not None, f"{rel}: expected {e}\nfound:\n{shown}"
        left.remove(hit)
    unexpected = [d for d in left if d["severity"] == "error"]
    assert not unexpected, f"{rel}: unexpected errors besides the expected ones:\n{shown}"
    for other in clean:
        assert not [d for d in payload["diagnostics"] if d["file"] == other], as_json.out

    # The text format: the file's first line is its first diagnostic, as file:line:column: 错误: field message.
    first = next((ln for ln in as_text.out.splitlines() if ln.startswith(f"{rel}:") and ": 错误: " in ln), None)
    assert first is not None, as_text.out
    d = next(d for d in found if d["severity"] == "error")
    head = f"{d['field']} {d['message']}" if d["field"] else d["message"]
    assert first == f"{rel}:{d['line']}:{d['column']}: 错误: {head.splitlines()[0]}", as_text.out
    top = min(expects, key=lambda e: (e.line, e.column or 0))
    assert first.startswith(f"{rel}:{top.line}:" + (f"{top.column}:" if top.column else "")), first


# -- the corpus files --------------------------------------------------------------------------


def _corpus_params() -> list:
    params = []
    for path in sorted(CORPUS.glob("*.yml")):
        entry = parse_header(path)
        marks = [pytest.mark.xfail(strict=True, reason=entry.xfail)] if entry.xfail else []
        params.append(pytest.param(entry, id=entry.stem, marks=marks))
    return params


CORPUS_PARAMS = _corpus_params()


def test_the_corpus_is_big_enough_and_self_consistent() -> None:
    assert len(CORPUS_PARAMS) >= 45
    for path in sorted(CORPUS.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        ids = re.findall(r"^id: (.*)$", text, flags=re.MULTILINE)
        # The id is the file's stem, so that no "id does not match the file name" error creeps in,
        # except in the records whose fault is the id itself.
        if ids and not path.stem.startswith("id-"):
            assert ids[0] == path.stem, path.name


@pytest.mark.parametrize("entry", CORPUS_PARAMS)
def test_corpus_record(project: Path, entry: Entry) -> None:
    rel = f"cases/{entry.stem}.yml"
    (project / rel).write_bytes((CORPUS / f"{entry.stem}.yml").read_bytes())
    clean: tuple[str, ...] = ()
    if entry.photo:
        (project / "cases" / entry.stem).mkdir()
        (project / "cases" / entry.stem / entry.photo).write_bytes(tiny_png())
    if entry.companion:
        (project / "cases" / entry.companion).write_bytes((CORPUS / "companions" / entry.companion).read_bytes())
        clean = (f"cases/{entry.companion}",)
    check(project, rel, entry.expects, clean=clean)
    assert not (project / "casebook-pwned").exists(), "a YAML tag ran a command"


# -- faults a UTF-8 text file with comments cannot carry: generated from a real record -----------


def seed(project: Path, stem: str) -> str:
    """The real seed record with its id set to stem."""
    text = (project / SEED).read_text(encoding="utf-8")
    return re.sub(r"^id: .*$", f"id: {stem}", text, count=1, flags=re.MULTILINE)


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column (in characters) of the first occurrence of needle."""
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _first_non_ascii(text: str) -> tuple[int, int]:
    return position(text, next(ch for ch in text if ord(ch) > 127))


def gbk(text: str) -> tuple[bytes, list[Expect]]:
    line, col = _first_non_ascii(text)
    return text.encode("gb18030"), [Expect(line, col, "", "文件不是 UTF-8 编码（看起来是 GBK/GB18030", "另存为 UTF-8")]


def utf16(text: str) -> tuple[bytes, list[Expect]]:
    return text.encode("utf-16"), [Expect(1, 1, "", "文件是 UTF-16 编码", "UTF-8")]


def nul_at_start(text: str) -> tuple[bytes, list[Expect]]:
    return b"\x00" + text.encode("utf-8"), [Expect(1, 1, "", "文件含有空字符")]


def nul_in_title(text: str) -> tuple[bytes, list[Expect]]:
    text = text.replace("title: 洪山区", "title: 洪山\x00区", 1)
    line, col = position(text, "\x00")
    return text.encode("utf-8"), [Expect(line, col, "", "空字符")]


def control_character(text: str) -> tuple[bytes, list[Expect]]:
    text = text.replace("title: 洪山区", "title: 洪山\x07区", 1)
    line, col = position(text, "\x07")
    return text.encode("utf-8"), [Expect(line, col, "", "控制字符 U+0007", "删除这个字符")]


def oversized(text: str) -> tuple[bytes, list[Expect]]:
    data = (text + "# " + "长" * 200_000 + "\n").encode("utf-8")  # a 600 KB comment
    return data, [Expect(1, 1, "", f"文件太大（{len(data) // 1024} KB，上限 512 KB）", "cases/<id>/")]


def crlf_with_fault(text: str) -> tuple[bytes, list[Expect]]:
    text = text.replace("    value: 458", '    value: "四百五十八"', 1)
    line, col = position(text, '"四百五十八"')
    body = text.replace("\n", "\r\n").encode("utf-8")
    return body, [Expect(line, col, "figures[0].value", '应为数字，实际为 "四百五十八"', "阿拉伯数字")]


Maker = Callable[[str], tuple[bytes, list[Expect]]]
GENERATED = [
    pytest.param("gbk-encoded", gbk, id="gbk-encoded"),
    pytest.param("utf16-with-bom", utf16, id="utf16-with-bom"),
    pytest.param("nul-byte-at-start", nul_at_start, id="nul-byte-at-start"),
    pytest.param("nul-byte-in-title", nul_in_title, id="nul-byte-in-title"),
    pytest.param("control-character", control_character, id="control-character"),
    pytest.param("oversized-file", oversized, id="oversized-file"),
    pytest.param("crlf-with-fault", crlf_with_fault, id="crlf-with-fault"),
]


@pytest.mark.parametrize(("stem", "make"), GENERATED)
def test_generated_record(project: Path, stem: str, make: Maker) -> None:
    data, expects = make(seed(project, stem))
    rel = f"cases/{stem}.yml"
    (project / rel).write_bytes(data)
    check(project, rel, tuple(expects))


def test_yaml_extension_is_a_stray_file(project: Path) -> None:
    (project / "cases" / "stray-extension.yaml").write_text(seed(project, "stray-extension"), encoding="utf-8")
    check(
        project,
        "cases/stray-extension.yaml",
        (Expect(1, 1, "", "不是 .yml 案例文件，不会被收录", "把文件改名为 stray-extension.yml"),),
    )


@pytest.mark.parametrize(
    ("stem", "make"),
    [
        pytest.param(
            "bom-and-crlf",
            lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
            id="bom-and-crlf",
        ),
        pytest.param(
            "title-sixty-characters",
            lambda text: re.sub(r"^title: .*$", "title: " + "街校牵手" * 15, text, count=1, flags=re.M).encode(),
            id="title-sixty-characters",
        ),
    ],
)
def test_valid_variants_pass(project: Path, stem: str, make: Callable[[str], bytes]) -> None:
    """Not faults: a BOM with CRLF line ends, and a title of exactly 60 characters (180 bytes)."""
    (project / f"cases/{stem}.yml").write_bytes(make(seed(project, stem)))
    run = casebook("validate", "--format", "json", cwd=project)
    assert "Traceback" not in run.text
    assert run.code == 0, run.text
    assert json.loads(run.out)["diagnostics"] == []
