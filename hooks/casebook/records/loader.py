"""Load a project: read every file, check it against its schema and every cross-reference,
and build the Casebook only when nothing is wrong. One run reports every problem."""

from __future__ import annotations

import gc
import hashlib
import json
import marshal
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model import Case, Casebook, Collection, Framework, Places, Policy, SiteInfo, Source, Theme
from . import character_check, images, lesson_plan, markdown_safety, placeholders
from . import references as refs
from .check_cache import CheckCache, Entry, signature
from .diagnostics import Diagnostic, errors, field_path
from .schemas import SCHEMA_NAMES, SchemaSet
from .workers import MAX_TASKS, fork_map
from .yamlfile import NotRegular, YamlDocument, load_file

# Used with fullmatch: "$" alone also matches before a final line break ("x\n").
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
DATA_FILES = ("site", "framework", "policies", "places", "sources", "themes")


@dataclass(frozen=True)
class Project:
    """Where a casebook's files live. Everything else is relative to root."""

    root: Path

    @property
    def cases_dir(self) -> Path:
        return self.root / "cases"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def schema_dir(self) -> Path:
        return self.data_dir / "schema"

    def data_file(self, name: str) -> Path:
        return self.data_dir / f"{name}.yml"

    def display(self, path: Path) -> str:
        # The common case as a string test: relative_to() is slow, and this runs for every record.
        # A match means the same parts as relative_to() would find; anything else is left to it.
        root, text = self.root.as_posix().rstrip("/") + "/", path.as_posix()
        if text.startswith(root):
            return text[len(root) :]
        try:  # without touching the file system
            return path.relative_to(self.root).as_posix()
        except ValueError:
            pass
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def case_files(self) -> list[Path]:
        # By name: the order of sorting the paths themselves (they share a folder), without pathlib's slow __lt__.
        return sorted(self.cases_dir.glob("*.yml"), key=lambda p: p.name) if self.cases_dir.is_dir() else []

    @property
    def collections_dir(self) -> Path:
        return self.data_dir / "collections"

    def collection_files(self) -> list[Path]:
        return sorted(self.collections_dir.glob("*.yml")) if self.collections_dir.is_dir() else []


@dataclass
class LoadResult:
    casebook: Casebook | None
    diagnostics: list[Diagnostic]
    files_checked: int
    documents: dict[str, YamlDocument] = field(default_factory=dict)
    # load(keep_going=True) only: the cases left out for their errors, by id (the file's stem).
    broken: dict[str, list[Diagnostic]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not errors(self.diagnostics)


def _items(doc: YamlDocument | None, *keys: str) -> list[tuple[tuple, Any]]:
    """(path, item) for each dict in the list at doc.data[keys...]."""
    if doc is None:
        return []
    node: Any = doc.data
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    if not isinstance(node, list):
        return []
    return [((*keys, i), item) for i, item in enumerate(node) if isinstance(item, dict)]


def _vocab(what: str, where: str, pairs: Iterable[tuple[tuple, Any]], label: str = "name") -> refs.Vocabulary:
    v = refs.Vocabulary(what, where)
    for _, item in pairs:
        if isinstance(item.get("id"), str):
            v.names.setdefault(item["id"], str(item.get(label, item["id"])))
    return v


PARALLEL_FROM = 400  # below this, starting workers costs more than it saves
CaseResult = tuple[YamlDocument | None, list[Diagnostic]]
ReadCase = tuple[Path, YamlDocument | None, list[Diagnostic]]  # the record, as read, and its problems


def check_file(
    schemas: SchemaSet, path: Path, display: str, schema: str
) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Everything that can be said of one file on its own: YAML, schema, characters, Markdown safety."""
    doc, problems = load_file(path, display)
    if doc is None:
        return None, problems
    # A case's Markdown may show photos of its own folder, cases/<id>/; reference data none.
    media = (path.parent / path.stem, path.stem) if schema == "case" else None
    problems = (
        problems
        + schemas.check(schema, doc)
        + character_check.check(doc, schemas.markdown_tries[schema])
        + markdown_safety.check(doc, schemas.markdown_fields[schema], media)
    )
    return doc, problems


def _check_case_files(
    schemas: SchemaSet, jobs: list[tuple[Path, str, bytes | None]], span: tuple[int, int], cache: CheckCache | None
) -> bytes:
    """A range of the records, each read and checked on its own in a worker.

    What goes back is plain: each record's text and data, and its problems as tuples, in marshal's
    format (both ends are the same interpreter): pickling the YamlDocument and Diagnostic objects
    took three times as long in the worker, and unpickling them almost twice as long in the parent.
    Positions a worker may have worked out are not sent; the parent finds them again from the text
    should it need one."""
    return marshal.dumps(
        [_checked_case(schemas, path, display, cache, key) for path, display, key in jobs[span[0] : span[1]]]
    )


def _checked_case(schemas: SchemaSet, path: Path, display: str, cache: CheckCache | None, key: bytes | None) -> Entry:
    doc, problems = check_file(schemas, path, display, "case")
    plain = [astuple(d) for d in problems]
    entry: Entry = (None, None, plain) if doc is None else (doc.text, doc.data, plain)
    if cache is not None and key is not None:
        cache.put(key, entry)
    return entry


def _case_result(display: str, entry: Entry) -> CaseResult:
    text, data, plain = entry
    return (None if text is None else YamlDocument(display, data, text)), [Diagnostic(*fields) for fields in plain]


class Loader:
    """Reads and checks one project's files, collecting every problem as a Diagnostic: `load()`
    runs it over the whole project, and `casebook new` (editor/scaffold.py) uses its parts to
    read the reference data and the vocabularies the way a build does."""

    def __init__(self, project: Project, cache: CheckCache | None = None):
        self.project = project
        self.cache = cache
        self.schemas = SchemaSet(project.schema_dir)
        self.diagnostics: list[Diagnostic] = []
        self.docs: dict[str, YamlDocument] = {}
        self.files_checked = 0
        self.place_parent: dict[str, str] = {}
        # Each case file's check key (check_cache), by its display name: the digest of its bytes
        # and of all its check reads, which the Casebook keeps as the record's digest.
        self.record_keys: dict[str, bytes] = {}
        self._data_digest: bytes | None = None  # data/ as read, for check_case_kept

    # -- files ---------------------------------------------------------------------------
    def read(self, path: Path, schema: str) -> YamlDocument | None:
        self.files_checked += 1
        doc, problems = check_file(self.schemas, path, self.project.display(path), schema)
        return self._keep(doc, problems)

    def _keep(self, doc: YamlDocument | None, problems: list[Diagnostic]) -> YamlDocument | None:
        self.diagnostics.extend(problems)
        if doc is not None:
            self.docs[doc.display] = doc
        return doc

    @contextmanager
    def read_cases(self, paths: list[Path]) -> Iterator[Iterator[ReadCase]]:
        """Each case file read and checked on its own, on every core when there are many.

        Workers start at once, so that the caller can load the reference data while they read;
        their results come in file order as the iterator given is consumed, each with its problems,
        which are already counted in self.diagnostics. On leaving, the workers are stopped, also
        when the caller did not read everything (an exception)."""
        self.files_checked += len(paths)
        cache = self.cache
        if cache is not None:
            cache.bind(self.schemas.documents)
        jobs = [
            (path, display, None if cache is None else cache.key(path, display, "case"))
            for path, display in ((path, self.project.display(path)) for path in paths)
        ]
        # A record whose check is cached is not checked again; the others are, and their answers kept.
        cached = {
            i: e
            for i, (_, _, key) in enumerate(jobs)
            if key is not None and cache is not None and (e := cache.get(key)) is not None
        }
        todo = [job for i, job in enumerate(jobs) if i not in cached]
        if len(todo) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or sys.platform != "linux":
            fresh: Iterator[Entry] = (
                _checked_case(self.schemas, path, display, cache, key) for path, display, key in todo
            )
            yield self._collect(jobs, cached, fresh)
            return
        _ = self.schemas.fast["case"], self.schemas.validators, self.schemas.markdown_tries  # before the fork
        workers = min(os.cpu_count() or 2, 4)
        # Small enough that the first results come soon and the last ones leave little to do after the
        # workers finish; large enough that sending them back costs little.
        size = max(8, min(32, len(todo) // (workers * 8)), -(-len(todo) // MAX_TASKS))
        spans = [(start, min(start + size, len(todo))) for start in range(0, len(todo), size)]
        # The workers inherit the schemas, compiled validators and all, and the list of files:
        # only a task's number goes to a worker.
        with fork_map(
            lambda task: _check_case_files(self.schemas, todo, spans[task], cache), len(spans), workers
        ) as chunks:
            yield self._collect(jobs, cached, (entry for chunk in chunks for entry in marshal.loads(chunk)))

    def _collect(
        self, jobs: list[tuple[Path, str, bytes | None]], cached: dict[int, Entry], fresh: Iterator[Entry]
    ) -> Iterator[ReadCase]:
        """The records in file order, each from the cache or, in turn, from the fresh checks."""
        for i, (path, display, key) in enumerate(jobs):
            if key is not None:
                self.record_keys[display] = key
            if i in cached:
                entry = cached[i]
            else:
                entry = next(fresh)
                if key is not None and self.cache is not None:
                    # A worker's answer, kept in the worker's memory only: without this a
                    # preview's first save read all 5,000 back from disk (its rebuild took
                    # 2.3-2.8 s against 1.6-1.7 s with it).
                    self.cache.remember(key, entry)
            yield self._keep_case(path, _case_result(display, entry))

    def _keep_case(self, path: Path, result: CaseResult) -> ReadCase:
        doc, problems = result
        return path, self._keep(doc, problems), problems

    def schemas_ok(self) -> bool:
        try:
            _ = self.schemas.validators
        except FileNotFoundError as exc:
            self.diagnostics.append(
                Diagnostic(
                    self.project.display(Path(exc.filename)),
                    1,
                    1,
                    "",
                    "缺少 schema 文件",
                    "",
                    "schema.missing",
                )
            )
            return False
        except NotRegular as odd:
            self.diagnostics.append(Diagnostic("data/schema", 1, 1, "", odd.message, odd.hint, "file.special"))
            return False
        except json.JSONDecodeError as exc:
            self.diagnostics.append(
                Diagnostic(
                    "data/schema",
                    exc.lineno,
                    exc.colno,
                    "",
                    f"schema 不是有效的 JSON：{exc.msg}",
                    "",
                    "schema.json",
                )
            )
            return False
        return True

    # -- reference data ------------------------------------------------------------------
    def load_data(self) -> dict[str, YamlDocument | None]:
        data: dict[str, YamlDocument | None] = {}
        for name in DATA_FILES:
            path = self.project.data_file(name)
            if not path.exists():
                self.files_checked += 1
                self.diagnostics.append(
                    Diagnostic(self.project.display(path), 1, 1, "", "缺少参考数据文件", "", "file.missing")
                )
                data[name] = None
                continue
            data[name] = self.read(path, name)
        return data

    def vocabularies(self, data: dict[str, YamlDocument | None]) -> dict[str, refs.Vocabulary]:
        places = data["places"]
        levels: dict[str, list] = {"city": [], "district": [], "street": [], "community": []}
        for cpath, city in _items(places, "cities"):
            levels["city"].append((cpath, city))
            for dpath, district in _items_in(city, cpath, "districts"):
                levels["district"].append((dpath, district))
                for spath, street in _items_in(district, dpath, "streets"):
                    levels["street"].append((spath, street))
                    levels["community"].extend(_items_in(street, spath, "communities"))
                levels["community"].extend(_items_in(district, dpath, "communities"))
        sources = _items(data["sources"], "sources")
        vocab = {
            "pillar": _vocab("支柱", "data/framework.yml", _items(data["framework"], "pillars"), "short"),
            "policy": _vocab("政策", "data/policies.yml", _items(data["policies"], "policies")),
            "theme": _vocab("主题", "data/themes.yml", _items(data["themes"], "themes")),
            # A case or policy cites a source of any kind but outlet; a photo credit names any.
            "source": _vocab("来源", "data/sources.yml", [s for s in sources if s[1].get("kind") != "outlet"], "title"),
            "outlet": _vocab("来源", "data/sources.yml", sources, "title"),
            "city": _vocab("城市", "data/places.yml", levels["city"]),
            "district": _vocab("区", "data/places.yml", levels["district"]),
            "street": _vocab("街道", "data/places.yml", levels["street"]),
            "community": _vocab("社区", "data/places.yml", levels["community"]),
            "_all_places": _vocab("地区", "data/places.yml", [p for lv in levels.values() for p in lv]),
        }
        self.unusable(vocab)
        return vocab

    def unusable(self, vocab: dict[str, refs.Vocabulary]) -> None:
        """A reference file that did not load, or whose ids could not be read for its errors, has
        said what is wrong with it: judging every case against it would only repeat that once per
        reference ("现有的区：。"). Its references are left unchecked, with one note saying so."""
        failed = {d.file for d in self.diagnostics if d.severity == "error"}
        noted: set[str] = set()
        for v in vocab.values():
            if not v.names and v.where in failed:
                v.broken = True
                if v.where not in noted:
                    noted.add(v.where)
                    self.diagnostics.append(
                        Diagnostic(
                            v.where,
                            1,
                            1,
                            "",
                            "这个文件有错误，案例中对它的引用暂不检查",
                            "先改正这个文件里的错误，再运行 casebook validate。",
                            "ref.skipped",
                            "warning",
                        )
                    )

    def check_data(self, data: dict[str, YamlDocument | None], vocab: dict[str, refs.Vocabulary]) -> None:
        out = self.diagnostics
        fw = data["framework"]
        if fw is not None:
            out.extend(refs.duplicate_ids(fw, _items(fw, "pillars"), "支柱"))
            out.extend(refs.duplicate_ids(fw, _items(fw, "elements"), "框架要素"))
            for path, el in _items(fw, "elements"):
                out.extend(refs.unknown(fw, (*path, "pillar"), el.get("pillar"), vocab["pillar"]))
            out.extend(self._source_refs(fw, _items(fw, "sources"), vocab))
        pol = data["policies"]
        if pol is not None:
            items = _items(pol, "policies")
            out.extend(refs.duplicate_ids(pol, items, "政策"))
            for path, p in items:
                out.extend(self._source_refs(pol, _items_in(p, path, "sources"), vocab))
                parent = p.get("parent")
                if parent is not None:
                    out.extend(refs.unknown(pol, (*path, "parent"), parent, vocab["policy"]))
                    if parent == p.get("id"):
                        pos = pol.value_at((*path, "parent"))
                        out.append(
                            Diagnostic(
                                pol.display,
                                pos.line,
                                pos.column,
                                field_path((*path, "parent")),
                                "不能以自己为上级政策",
                                "删除 parent 或改为另一个政策的 id。",
                                "ref.self",
                            )
                        )
            out.extend(refs.policy_cycles(pol, items))
        for name, what in (("sources", "来源"), ("themes", "主题")):
            doc = data[name]
            if doc is not None:
                out.extend(refs.duplicate_ids(doc, _items(doc, name), what))
        places = data["places"]
        if places is not None:
            every: list[tuple[tuple, Any]] = []
            for cpath, city in _items(places, "cities"):
                every.append((cpath, city))
                for dpath, district in _items_in(city, cpath, "districts"):
                    every.append((dpath, district))
                    for spath, street in _items_in(district, dpath, "streets"):
                        every.append((spath, street))
                        every.extend(_items_in(street, spath, "communities"))
                    every.extend(_items_in(district, dpath, "communities"))
            out.extend(refs.duplicate_ids(places, every, "地区"))

    def _source_refs(
        self, doc: YamlDocument, items: list[tuple[tuple, Any]], vocab: dict[str, refs.Vocabulary]
    ) -> Iterator[Diagnostic]:
        for path, item in items:
            yield from refs.cited_source(doc, (*path, "ref"), item.get("ref"), vocab["source"], vocab["outlet"])

    # -- cases ---------------------------------------------------------------------------
    def stray_files(self, case_files: list[Path] | None = None) -> None:
        """Anything in cases/ that is not a record or a record's media folder would be dropped
        silently; a symbolic link or a special file would reach outside the repository."""
        if not self.project.cases_dir.is_dir() or self.project.cases_dir.is_symlink():
            return
        stems = {p.stem for p in (self.project.case_files() if case_files is None else case_files)}
        # os.scandir knows from the listing itself which entries are folders: no stat() for each record.
        with os.scandir(self.project.cases_dir) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for found in entries:
            name = found.name
            if name.startswith(".") or name == "README.md":
                continue
            if name.endswith(".yml"):
                continue  # read as a record, which refuses a link or a special file in its own words
            if found.is_symlink():
                self._unsafe(Path(found.path), LINK)
            elif _is_dir(found):
                if name not in stems:
                    self.diagnostics.append(
                        Diagnostic(
                            self.project.display(self.project.cases_dir / name),
                            1,
                            1,
                            "",
                            "文件夹没有对应的案例文件",
                            f"案例图片的文件夹名必须与案例 id 相同：应有 cases/{name}.yml。",
                            "file.stray",
                        )
                    )
                self.inside_case_folder(Path(found.path))
            elif not _is_file(found):
                self._unsafe(Path(found.path), SPECIAL)
            else:  # for a name not starting with ".": suffix != ".yml"
                entry = self.project.cases_dir / name
                hint = (
                    f"把文件改名为 {entry.stem}.yml。"
                    if entry.suffix in (".yaml", ".YML", ".Yml", ".txt")
                    else "cases/ 里只放 .yml 案例文件和与案例同名的图片文件夹。"
                )
                self.diagnostics.append(
                    Diagnostic(
                        self.project.display(entry), 1, 1, "", "不是 .yml 案例文件，不会被收录", hint, "file.stray"
                    )
                )

    def inside_case_folder(self, folder: Path, depth: int = 0) -> None:
        """A photo folder holds photos: a record put there would be dropped without a word, and a
        link or a special file would reach outside the repository. Links are reported, never followed."""
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            return
        for found in entries:
            path = Path(found.path)
            if found.is_symlink():
                self._unsafe(path, LINK)
            elif _is_dir(found):
                if depth < 8:  # deeper than any photo folder is: what is there is reported above
                    self.inside_case_folder(path, depth + 1)
            elif not _is_file(found):
                self._unsafe(path, SPECIAL)
            elif found.name.endswith((".yml", ".yaml", ".YML")):
                case = self.project.cases_dir / f"{path.stem}.yml"
                self.diagnostics.append(
                    Diagnostic(
                        self.project.display(path),
                        1,
                        1,
                        "",
                        "案例文件夹里的 .yml 文件不会被收录",
                        f"案例记录只能放在 cases/ 下面（例如 {self.project.display(case)}）；"
                        f"{self.project.display(folder)}/ 里只放图片。",
                        "file.stray",
                    )
                )

    def data_tree(self) -> None:
        """Links and special files anywhere under data/, except the files read as records or
        schemas (reading refuses those, in its own words)."""
        data = self.project.data_dir
        if not data.is_dir() or data.is_symlink():
            return
        read = {data / f"{name}.yml" for name in DATA_FILES}
        read |= {self.project.schema_dir / f"{name}.schema.json" for name in SCHEMA_NAMES}
        for folder, dirs, files in os.walk(data):  # does not follow links: each is reported here
            here = Path(folder)
            for name in sorted(dirs):
                linked = here / name
                if linked.is_symlink() and linked not in (self.project.schema_dir, self.project.collections_dir):
                    self._unsafe(linked, LINK)  # those two: linked_folders() has said so
            for name in sorted(files):
                path = here / name
                if path in read or (here == self.project.collections_dir and name.endswith(".yml")):
                    continue
                if path.is_symlink():
                    self._unsafe(path, LINK)
                elif not path.is_file():
                    self._unsafe(path, SPECIAL)

    def linked_folders(self) -> set[Path]:
        """cases/, data/ and the folders the loader reads that are symbolic links: reported, and
        nothing is read through them."""
        p = self.project
        linked = {d for d in (p.cases_dir, p.data_dir, p.schema_dir, p.collections_dir) if d.is_symlink()}
        for folder in sorted(linked):
            self._unsafe(folder, LINK)
        return linked

    def _unsafe(self, path: Path, what: tuple[str, str]) -> None:
        self.diagnostics.append(Diagnostic(self.project.display(path), 1, 1, "", what[0], what[1], "file.special"))

    def check_case(self, path: Path, doc: YamlDocument, vocab: dict[str, refs.Vocabulary]) -> None:
        out = self.diagnostics
        data = doc.data if isinstance(doc.data, dict) else {}
        stem = path.stem
        ident = data.get("id")
        if not SLUG.fullmatch(stem):
            out.append(
                Diagnostic(
                    doc.display,
                    1,
                    1,
                    "",
                    f"文件名“{path.name}”不是有效的 id",
                    "文件名只能用小写字母、数字和短横线（汉语拼音），例如 hongshan-jiexiao-qianshou.yml。",
                    "id.filename",
                )
            )
        elif ident != stem and not self.schemas.id_ok(stem):  # when id says the same, the schema has said it
            out.append(self.reserved_name(doc, path))
        if isinstance(ident, str) and ident != stem and SLUG.fullmatch(ident):
            pos = doc.value_at(("id",))
            out.append(
                Diagnostic(
                    doc.display,
                    pos.line,
                    pos.column,
                    "id",
                    f"“{ident}”与文件名“{stem}”不一致",
                    f"id 必须与文件名相同：把 id 改为 {stem}，或把文件改名为 {ident}.yml。"
                    "改名时把旧 id 写进 aliases，旧链接才不会失效。",
                    "id.filename",
                )
            )
        for i, v in enumerate(refs.list_at(data, "pillars")):
            out.extend(refs.unknown(doc, ("pillars", i), v, vocab["pillar"]))
        for i, v in enumerate(refs.list_at(data, "policies")):
            out.extend(refs.unknown(doc, ("policies", i), v, vocab["policy"]))
        for i, v in enumerate(refs.list_at(data, "themes")):
            out.extend(refs.unknown(doc, ("themes", i), v, vocab["theme"]))
        out.extend(self._source_refs(doc, _items(doc, "sources"), vocab))
        for path_, item in _items(doc, "media"):
            credit = item.get("credit")
            # A credit in pinyin names a source; any other is the credit line as the source printed it.
            if isinstance(credit, str) and SLUG.fullmatch(credit):
                out.extend(refs.unknown(doc, (*path_, "credit"), credit, vocab["outlet"]))
            if isinstance(item.get("file"), str):
                self.check_photo(doc, (*path_, "file"), stem, item["file"])
        teaching = data.get("teaching")
        followup = teaching.get("followup") if isinstance(teaching, dict) else None
        source = followup.get("source") if isinstance(followup, dict) else None
        if isinstance(source, dict) and "ref" in source:
            out.extend(refs.unknown(doc, ("teaching", "followup", "source", "ref"), source["ref"], vocab["source"]))
        out.extend(lesson_plan.check(doc))
        self.check_place(doc, data.get("place"), vocab)
        out.extend(placeholders.check(doc))
        out.extend(
            refs.date_order(
                doc,
                ("added",),
                ("updated",),
                "早于收录日期 added",
                "updated 是最后修改日期，不能早于 added。",
            )
        )
        out.extend(
            refs.date_order(
                doc,
                ("period", "start"),
                ("period", "end"),
                "早于开始时间 period.start",
                "检查开始和结束时间是否写反。",
            )
        )

    def check_case_kept(
        self, path: Path, doc: YamlDocument, vocab: dict[str, refs.Vocabulary], data: dict[str, YamlDocument | None]
    ) -> None:
        """check_case, whose answer a preview server keeps: it depends on the record (its check
        key: bytes, schemas, code, photo folder), the reference data (data/), and the files of
        the photos it names (check_photo opens them), and on nothing else. At 5,000 records it
        was a seventh of a save."""
        memory = self.cache.memory if self.cache is not None else None
        record = self.record_keys.get(doc.display)
        if memory is None or record is None:
            self.check_case(path, doc, vocab)
            return
        if self._data_digest is None:
            h = hashlib.blake2b(digest_size=20)
            for name, d in sorted(data.items()):
                h.update(f"{name}\n{d.display if d else ''}\n{len(d.text) if d else -1}\n".encode())
                h.update(d.text.encode() if d else b"")
            self._data_digest = h.digest()
        h = hashlib.blake2b(record + self._data_digest, digest_size=20)
        media = doc.data.get("media") if isinstance(doc.data, dict) else None
        for item in media if isinstance(media, list) else ():
            if isinstance(item, dict) and isinstance(item.get("file"), str):
                h.update(repr((item["file"], signature(path.parent / path.stem / item["file"]))).encode())
        key = h.digest()
        kept = memory.cross.get(key)
        if kept is None:
            before = len(self.diagnostics)
            self.check_case(path, doc, vocab)
            memory.cross[key] = kept = self.diagnostics[before:]
        else:
            self.diagnostics.extend(kept)

    def reserved_name(self, doc: YamlDocument, path: Path) -> Diagnostic:
        """A file whose name is its id, and a name the site keeps for its own pages (index ...)."""
        return Diagnostic(
            doc.display,
            1,
            1,
            "",
            f"文件名“{path.name}”是网站保留的名字，不能用作 id",
            str(self.schemas.documents["case"].get("$defs", {}).get("id", {}).get("x-reserved-hint", "")),
            "id.reserved",
        )

    def check_photo(self, doc: YamlDocument, path: tuple, stem: str, name: str) -> None:
        """The photo exists inside cases/<id>/, and is a real, sane JPEG, PNG or WebP."""
        media = self.schemas.documents["case"]["properties"]["media"]["items"]["properties"]["file"]
        if not re.match(media["pattern"], name):
            return  # the schema's pattern has already said what is wrong with the name
        folder = self.project.cases_dir / stem
        try:
            photo = images.safe_path(folder, name)
            if not photo.is_file():
                raise images.ImageProblem(
                    f"找不到图片文件 cases/{stem}/{name}",
                    f"把图片放进 cases/{stem}/ 文件夹，文件名与这里一致（区分大小写）。",
                )
            images.inspect(photo)
        except images.ImageProblem as problem:
            where = f"cases/{stem}/{name}"
            message = problem.message if where in problem.message else f"{problem.message}：{where}"
            self.diagnostics.append(located(doc, path, message, problem.hint, "media.file"))

    def check_place(self, doc: YamlDocument, place: Any, vocab: dict[str, refs.Vocabulary]) -> None:
        if not isinstance(place, dict) or vocab["_all_places"].broken:
            return
        out = self.diagnostics
        before = len(out)
        for level in ("district", "street", "community"):
            if isinstance(place.get(level), str):
                out.extend(refs.unknown(doc, ("place", level), place[level], vocab[level]))
        if len(out) > before:
            return
        parents = self.place_parent
        district, street, community = place.get("district"), place.get("street"), place.get("community")
        if not isinstance(district, str) or not all(isinstance(v, str) for v in (street or "", community or "")):
            return  # a missing or mistyped part: the schema has said so already
        if street and parents.get(street) != district:
            pos = doc.value_at(("place", "street"))
            owner = vocab["district"].names.get(parents.get(street, ""), "?")
            out.append(
                Diagnostic(
                    doc.display,
                    pos.line,
                    pos.column,
                    "place.street",
                    f"街道“{street}”不属于区“{district}”，而属于{owner}",
                    "检查 place.district 和 place.street 是否对应（见 data/places.yml）。",
                    "ref.place",
                )
            )
        if community:
            expected = street or district
            if parents.get(community) != expected:
                pos = doc.value_at(("place", "community"))
                parent_id = parents.get(community, "")
                parent_name = vocab["_all_places"].names.get(parent_id, parent_id)
                tip = (
                    f"这个社区在 data/places.yml 中属于 {parent_id}（{parent_name}）："
                    f"place 中应写 {'street' if vocab['street'].names.get(parent_id) else 'district'}: {parent_id}。"
                )
                out.append(
                    Diagnostic(
                        doc.display,
                        pos.line,
                        pos.column,
                        "place.community",
                        f"社区“{community}”不属于{'街道' if street else '区'}“{expected}”",
                        tip,
                        "ref.place",
                    )
                )

    @staticmethod
    def place_parents(places: YamlDocument | None) -> dict[str, str]:
        """Each street's district and each community's street (or district)."""
        parents: dict[str, str] = {}
        for cpath, city in _items(places, "cities"):
            for dpath, district in _items_in(city, cpath, "districts"):
                for spath, street in _items_in(district, dpath, "streets"):
                    parents[str(street.get("id"))] = str(district.get("id"))
                    for _, com in _items_in(street, spath, "communities"):
                        parents[str(com.get("id"))] = str(street.get("id"))
                for _, com in _items_in(district, dpath, "communities"):
                    parents[str(com.get("id"))] = str(district.get("id"))
        return parents

    def load_collections(self, cases: dict[str, YamlDocument]) -> dict[str, YamlDocument]:
        """Lesson collections: each must name cases by their current ids."""
        out: dict[str, YamlDocument] = {}
        folder = self.project.collections_dir
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                if entry.suffix != ".yml" and not entry.name.startswith("."):
                    self.diagnostics.append(
                        Diagnostic(
                            self.project.display(entry),
                            1,
                            1,
                            "",
                            "不是 .yml 课程包文件，不会被收录",
                            "data/collections/ 里只放 .yml 文件。",
                            "file.stray",
                        )
                    )
        titles = {s: str(d.data.get("title", s)) if isinstance(d.data, dict) else s for s, d in cases.items()}
        current = refs.Vocabulary("案例", "cases/", titles)
        aliases = self.alias_owner(cases)
        for path in self.project.collection_files():
            doc = self.read(path, "collection")
            if doc is None:
                continue
            if not SLUG.fullmatch(path.stem):
                self.diagnostics.append(
                    Diagnostic(
                        doc.display,
                        1,
                        1,
                        "",
                        f"文件名“{path.name}”不是有效的 id",
                        "文件名只能用小写字母、数字和短横线，例如 dangjian-yinling.yml。",
                        "id.filename",
                    )
                )
            elif not self.schemas.id_ok(path.stem):
                self.diagnostics.append(self.reserved_name(doc, path))
            for item_path, item in _items(doc, "cases"):
                cid = item.get("case")
                if isinstance(cid, str) and cid not in cases and cid in aliases:
                    pos = doc.value_at((*item_path, "case"))
                    self.diagnostics.append(
                        Diagnostic(
                            doc.display,
                            pos.line,
                            pos.column,
                            field_path((*item_path, "case")),
                            f"“{cid}”是旧 id，案例现在的 id 是 {aliases[cid]}",
                            f"改为 {aliases[cid]}。",
                            "ref.alias",
                        )
                    )
                else:
                    self.diagnostics.extend(refs.unknown(doc, (*item_path, "case"), cid, current))
            out[path.stem] = doc
        return out

    @staticmethod
    def alias_owner(cases: dict[str, YamlDocument]) -> dict[str, str]:
        owner: dict[str, str] = {}
        for stem, doc in cases.items():
            aliases = doc.data.get("aliases") if isinstance(doc.data, dict) else None
            for alias in aliases if isinstance(aliases, list) else []:
                if isinstance(alias, str):
                    owner.setdefault(alias, stem)
        return owner

    def check_across_cases(self, cases: dict[str, YamlDocument]) -> None:
        """Ids, aliases and related links that involve more than one record."""
        out = self.diagnostics
        owner: dict[str, tuple[str, YamlDocument, tuple]] = {stem: (stem, doc, ("id",)) for stem, doc in cases.items()}
        for stem, doc in cases.items():
            aliases = doc.data.get("aliases") if isinstance(doc.data, dict) else None
            for i, alias in enumerate(aliases if isinstance(aliases, list) else []):
                if not isinstance(alias, str):
                    continue
                if alias == stem:
                    out.append(
                        located(
                            doc,
                            ("aliases", i),
                            "别名与案例自己的 id 相同",
                            "删除这一项：aliases 只写旧 id。",
                            "id.alias",
                        )
                    )
                elif alias in owner:
                    other = owner[alias]
                    kind = "id" if other[2] == ("id",) else "别名"
                    out.append(
                        located(
                            doc,
                            ("aliases", i),
                            f"别名“{alias}”已被 {other[1].display} 用作{kind}",
                            "一个旧网址只能跳转到一个案例：删除或更换这个别名。",
                            "id.duplicate",
                        )
                    )
                else:
                    owner[alias] = (stem, doc, ("aliases", i))
        titles = {s: str(d.data.get("title", s)) if isinstance(d.data, dict) else s for s, d in cases.items()}
        current = refs.Vocabulary("案例", "cases/", titles)
        for stem, doc in cases.items():
            related = doc.data.get("related") if isinstance(doc.data, dict) else None
            for i, rid in enumerate(related if isinstance(related, list) else []):
                if not isinstance(rid, str):
                    continue
                if rid == stem:
                    out.append(located(doc, ("related", i), "相关案例不能是自己", "删除这一项。", "ref.self"))
                elif rid not in cases and rid in owner:
                    new = owner[rid][0]
                    out.append(
                        located(
                            doc, ("related", i), f"“{rid}”是旧 id，案例现在的 id 是 {new}", f"改为 {new}。", "ref.alias"
                        )
                    )
                else:
                    out.extend(refs.unknown(doc, ("related", i), rid, current))


def located(doc: YamlDocument, path: tuple, message: str, hint: str, code: str) -> Diagnostic:
    """A diagnostic at a field; the position is looked up only now, when there is something to say."""
    pos = doc.value_at(path)
    return Diagnostic(doc.display, pos.line, pos.column, field_path(path), message, hint, code)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


LINK = (
    "是符号链接，不会读取，也不会发布",
    "仓库里的记录、参考数据和图片都必须是普通文件和文件夹：符号链接可能指向仓库以外的内容。请换成文件本身。",
)
SPECIAL = ("不是普通文件（是管道、设备或套接字），不会读取", "仓库里只放普通文件：删除它。")


def _items_in(parent: dict[str, Any], base: tuple, key: str) -> list[tuple[tuple, Any]]:
    node = parent.get(key)
    if not isinstance(node, list):
        return []
    return [((*base, key, i), item) for i, item in enumerate(node) if isinstance(item, dict)]


def _drop_shadowed(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A Chinese name where an id belongs fails both the slug pattern and the reference check;
    keep only the reference error, whose hint names the right id."""
    refs_at = {(d.file, d.line, d.column) for d in diagnostics if d.code == "ref.unknown"}
    # A scaffold's 待填写 placeholder is reported once, as unwritten, not also as a bad id or short text.
    unwritten = {(d.file, d.line, d.column) for d in diagnostics if d.code == placeholders.CODE}
    # A refused alias or tag leaves nothing behind; "应为文字，实际为空值" there would only confuse.
    refused = {(d.file, d.line, d.column) for d in diagnostics if d.code in ("yaml.alias", "yaml.tag")}
    # A value with a control or invisible character, or blank but for them: that is the problem to
    # fix; its length or pattern error at the same place would only be a consequence of it.
    refused |= {(d.file, d.line, d.column) for d in diagnostics if d.code.startswith("text.")}
    return [
        d
        for d in diagnostics
        if not (d.code == "schema.pattern" and (d.file, d.line, d.column) in refs_at)
        and not (d.code != placeholders.CODE and (d.file, d.line, d.column) in unwritten)
        and not (d.code.startswith("schema.") and (d.file, d.line, d.column) in refused)
    ]


def load(
    project: Project,
    only: Iterable[Path] | None = None,
    cache: CheckCache | None = None,
    *,
    keep_going: bool = False,
) -> LoadResult:
    """Check everything; return the Casebook only when there is no error.

    With `only`, the whole project is still loaded (a reference can only be judged
    against all of it) but only problems in those files and in data/ are reported;
    files outside cases/ are checked as extra case records.

    With `cache`, a record whose own check was done before on the same bytes, schemas and code is
    not checked again (see check_cache); the cross-record checks always run.

    With `keep_going` (a preview), errors that belong to cases leave those cases out: the
    Casebook holds the others, and `broken` says which were left out and why. An error anywhere
    else still gives no Casebook.
    """
    with _collector_paused():
        return _load(project, only, cache, keep_going)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off the cycle collector while load() runs.

    load() makes a few hundred thousand objects that all live on (the records' data, then the
    Casebook) and form no cycles; the collector, set off by allocation counts, would walk them
    again and again and find nothing: a tenth of the time of a load.

    Afterwards they are moved to the oldest generation, where a full collection still looks at
    them; otherwise the first young collection after load() would walk them all at once.
    freeze() then unfreeze() does that move without walking anything, but would also thaw what
    the caller froze (freeze_kept), so it is done only when the caller froze nothing."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if not _FROZEN:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


_FROZEN: list[int] = []  # how many objects freeze_kept() froze, once it has


def freeze_kept() -> int:
    """For a process that keeps what it loaded for as long as it runs (a preview server), once
    it has let go of the rest: collect that once, then freeze what is left, which the collector
    then never walks again. Kept things replaced later are still freed by their reference counts.

    load() must then not thaw them, and learns it here: asking the collector how many objects
    are frozen walks all of them (20 ms a save at 5,000 records). Returns that number."""
    gc.collect()
    gc.freeze()
    _FROZEN[:] = [gc.get_freeze_count()]
    return _FROZEN[0]


def _load(
    project: Project, only: Iterable[Path] | None, cache: CheckCache | None, keep_going: bool = False
) -> LoadResult:
    loader = Loader(project, cache)
    linked = loader.linked_folders()
    if linked & {project.data_dir, project.schema_dir} or not loader.schemas_ok():
        return LoadResult(None, loader.diagnostics, 0)
    case_files = [] if project.cases_dir in linked else project.case_files()
    paths = list(case_files)
    wanted = [Path(p) for p in only] if only is not None else None
    if wanted:
        known = {p.resolve() for p in paths}
        paths += [p for p in wanted if p.resolve() not in known]
    with loader.read_cases(paths) as reading:  # with many records, workers start reading now
        data = loader.load_data()
        vocab = loader.vocabularies(data)
        loader.place_parent = loader.place_parents(data["places"])
        loader.check_data(data, vocab)
        loader.stray_files(case_files)
        loader.data_tree()

        case_docs: dict[str, YamlDocument] = {}
        case_paths: dict[str, Path] = {}
        # Each clean record's Case, made while the workers still read: only the last would be left to
        # make once the last record is in. Used only if nothing at all is wrong.
        prebuilt: dict[str, Case] = {}
        for path, doc, problems in reading:
            if doc is None:
                continue
            if path.stem in case_docs:
                loader.diagnostics.append(
                    Diagnostic(
                        doc.display,
                        1,
                        1,
                        "id",
                        f"案例 id“{path.stem}”重复：{case_docs[path.stem].display} 已使用",
                        "每个案例的文件名（即 id）必须唯一。",
                        "id.duplicate",
                    )
                )
                continue
            case_docs[path.stem] = doc
            case_paths[path.stem] = path
            before = len(loader.diagnostics)
            loader.check_case_kept(path, doc, vocab, data)
            if not errors(problems) and not errors(loader.diagnostics[before:]):
                with suppress(Exception):  # build() makes it again, and fails there as it always did
                    prebuilt[path.stem] = _built_case(doc, loader.record_keys.get(doc.display), cache)
    loader.check_across_cases(case_docs)
    collection_docs = {} if project.collections_dir in linked else loader.load_collections(case_docs)

    diagnostics = _drop_shadowed(loader.diagnostics)
    if wanted is not None:
        keep = {project.display(p) for p in wanted} | {project.display(project.data_file(n)) for n in DATA_FILES}
        dirs = [project.display(p).rstrip("/") + "/" for p in wanted if p.is_dir()]
        diagnostics = [d for d in diagnostics if d.file in keep or d.file.startswith(("data/", *dirs))]
        files_checked = len(
            {
                project.display(p)
                for p in case_paths.values()
                if project.display(p) in keep or project.display(p).startswith(tuple(dirs))
            }
        )
        files_checked += len(DATA_FILES)
    else:
        files_checked = loader.files_checked
    diagnostics.sort()
    if errors(loader.diagnostics):
        broken = _broken_cases(diagnostics, case_docs) if keep_going else None
        if broken is None:
            return LoadResult(None, diagnostics, files_checked, loader.docs)
        kept = {stem: doc for stem, doc in case_docs.items() if stem not in broken}
        casebook = _without(
            build(data, kept, {}, loader.schemas.version(), prebuilt, loader.record_keys), collection_docs
        )
        casebook.schemas = loader.schemas.documents
        return LoadResult(casebook, diagnostics, files_checked, loader.docs, broken)
    casebook = build(data, case_docs, collection_docs, loader.schemas.version(), prebuilt, loader.record_keys)
    casebook.schemas = loader.schemas.documents  # the exports take their fields from the schema
    return LoadResult(casebook, diagnostics, files_checked, loader.docs)


def _broken_cases(diagnostics: list[Diagnostic], cases: dict[str, YamlDocument]) -> dict[str, list[Diagnostic]] | None:
    """The errors by the case they belong to (its record or a file in its folder); None when an
    error belongs to no case (reference data, a collection, a stray file)."""
    broken: dict[str, list[Diagnostic]] = {}
    for d in errors(diagnostics):
        parts = d.file.split("/")
        stem = ""
        if parts[0] == "cases" and len(parts) == 2 and parts[1].endswith(".yml"):
            stem = parts[1].removesuffix(".yml")
        elif parts[0] == "cases" and len(parts) > 2 and parts[1] in cases:
            stem = parts[1]
        if not stem:
            return None
        broken.setdefault(stem, []).append(d)
    return broken


def _without(book: Casebook, collections: dict[str, YamlDocument]) -> Casebook:
    """A casebook some cases were left out of: no case or collection points to them any more;
    a collection left with no case is left out too."""
    for stem, case in book.cases.items():
        if any(r not in book.cases for r in case.related):
            book.cases[stem] = replace(case, related=tuple(r for r in case.related if r in book.cases))
    for stem, doc in collections.items():
        with suppress(Exception):  # a collection with errors of its own has made load() give up
            raw = dict(doc.data)
            raw["cases"] = [i for i in raw["cases"] if i.get("case") in book.cases]
            if raw["cases"]:
                book.collections[stem] = Collection.build(stem, doc.display, raw)
    return book


def _built_case(doc: YamlDocument, key: bytes | None, cache: CheckCache | None) -> Case:
    """The record's Case; a preview server keeps it by the record's check key (a Case is made
    from the record alone, and is immutable), and a save makes only the saved one again."""
    kept = cache.memory.cases if cache is not None and cache.memory is not None and key is not None else None
    case = kept.get(key) if kept is not None and key is not None else None
    if case is None:
        case = Case.build(doc.data, doc.display)
        if kept is not None and key is not None:
            kept[key] = case
    return case


def _case(stem: str, doc: YamlDocument, prebuilt: dict[str, Case]) -> Case:
    return prebuilt[stem] if stem in prebuilt else Case.build(doc.data, doc.display)


def build(
    data: dict[str, YamlDocument | None],
    cases: dict[str, YamlDocument],
    collections: dict[str, YamlDocument],
    schema_version: str,
    prebuilt: dict[str, Case] | None = None,
    record_keys: Mapping[str, bytes] | None = None,
) -> Casebook:
    """The Casebook of loaded documents. `record_keys`: each case file's check key by its display
    name, kept as the record's digest (it covers the record's text and more); a record without
    one is digested from its text."""
    keys = record_keys or {}

    def raw(name: str) -> dict[str, Any]:
        doc = data[name]
        assert doc is not None  # load() only builds when every data file loaded cleanly
        return doc.data

    return Casebook(
        framework=Framework.build(raw("framework")),
        policies={p["id"]: Policy.build(p) for p in raw("policies")["policies"]},
        places=Places.build(raw("places")),
        sources={s["id"]: Source.build(s) for s in raw("sources")["sources"]},
        themes={t["id"]: Theme(t["id"], t["name"], t["description"]) for t in raw("themes")["themes"]},
        cases={stem: _case(stem, doc, prebuilt or {}) for stem, doc in sorted(cases.items())},
        site=SiteInfo.build(raw("site")),
        collections={stem: Collection.build(stem, doc.display, doc.data) for stem, doc in collections.items()},
        schema_version=schema_version,
        record_digests={
            stem: keys.get(doc.display)
            or hashlib.blake2b(f"{doc.display}\n{doc.text}".encode(), digest_size=20).digest()
            for stem, doc in cases.items()
        },
    )
