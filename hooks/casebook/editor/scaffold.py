"""`casebook new`: a new record in cases/, made from the schema, after checking its id and the ids it names.

Values come from the options; when one is missing and stdin is a terminal, the editor is asked
for it (and asked again after a wrong answer). Without a terminal, what was given is used and
the rest is left as 待填写 placeholders. A refusal is a message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ..records import placeholders
from ..records.diagnostics import field_path
from ..records.loader import Loader, Project
from ..records.references import Vocabulary
from ..records.schemas import SchemaSet, formats
from ..records.yamlfile import YamlDocument
from . import template
from .additions import NotAdded, Step, append_item
from .project_root import NO_ROOT, locate
from .schemafields import Field, SchemaError, definition, field_named, load_schema

EXAMPLE_ID = "hongshan-jiexiao-qianshou"
# The reference data a new record names, as data/<name>.yml.
REFERENCE_FILES = ("framework", "themes", "sources", "places", "policies")
_SPLIT = re.compile(r"[\s,，、;；]+")
_INVISIBLE_NAMES = {
    "\u200b": "零宽空格",
    "\u200c": "零宽非连接符",
    "\u200d": "零宽连接符",
    "\u2060": "字连接符",
    "\ufeff": "字节顺序标记",
    "\u00a0": "不换行空格",
    "\u3000": "全角空格",
    "\u00ad": "软连字符",
}

Ask = Callable[[str], str]


class Refused(Exception):
    """A value that cannot be used; the message tells the editor why, in Chinese."""


# -- the schema's rules for a value --------------------------------------------------------


def failed(rule: Field, value: str) -> list[str]:
    """The keywords of the field's schema (pattern, minLength, not ...) that value fails: the
    rule `casebook validate` applies, resolved from the schema, never copied here."""
    return [str(error.validator) for error in Draft202012Validator(rule.schema).iter_errors(value)]


def length_words(rule: Field, unit: str) -> str:
    """The schema's length bounds of a field in words, e.g. "4 至 60 个字"."""
    low, high = rule.schema.get("minLength"), rule.schema.get("maxLength")
    if low is not None and high is not None:
        return f"{low} 至 {high} 个{unit}"
    return f"至少 {low} 个{unit}" if low is not None else f"最多 {high} 个{unit}" if high is not None else ""


# -- the id ------------------------------------------------------------------------------


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cf", "Cc", "Zl", "Zp") or (category == "Zs" and char != " ")


def slug_problem(rule: Field, shape: Field, value: str, what: str = "id") -> str:
    """Why value cannot be the id `rule` describes, in words an editor can act on; "" when it can.
    shape is the schema's slug, the form every id has. The usual slips (invisible or full-width
    characters, spaces, Chinese, capitals) are named first; then what the schema refuses."""
    if not value:
        return f"{what} 不能为空。"
    hidden = next((c for c in value if _invisible(c)), "")
    if hidden:
        name = _INVISIBLE_NAMES.get(hidden, "不可见字符")
        return (
            f"{what} 里有看不见的字符 U+{ord(hidden):04X}（{name}），通常是从网页、文档或聊天软件复制时带进来的。"
            f"请删掉整个 {what}，用键盘重新输入。"
        )
    if " " in value:
        return f"{what} 里不能有空格：拼音之间用短横线连接，例如 {EXAMPLE_ID}。"
    wide = next((c for c in value if unicodedata.east_asian_width(c) == "F"), "")
    if wide:
        half = unicodedata.normalize("NFKC", value).lower()
        tip = f"，应为 {half}" if not failed(rule, half) else ""
        return f"{what} 里有全角字符“{wide}”：请切换到半角（英文）输入法重新输入{tip}。"
    other = next((c for c in value if ord(c) > 127), "")
    if other:
        return f"{what} 要用汉语拼音（小写英文字母），不能有汉字或“{other}”这样的符号，例如 {EXAMPLE_ID}。"
    problems = failed(rule, value)
    if not problems:
        return ""
    if "pattern" in failed(shape, value):
        if "pattern" not in failed(shape, value.lower()):
            return f"{what} 只能用小写字母：请写 {value.lower()}。"
        return (
            f"{what}“{value}”的格式不对：只能用小写英文字母、数字和短横线，"
            f"短横线不能在开头、结尾或连着写两个，例如 {EXAMPLE_ID}。"
        )
    if "minLength" in problems or "maxLength" in problems:
        return f"{what} 要有 {length_words(rule, '字符')}，现在 {len(value)} 个。"
    # A well-formed slug the id rule still refuses: a name the site keeps for its own pages.
    hint = rule.schema.get("x-reserved-hint") or rule.schema.get("x-hint") or ""
    return f"“{value}”不能用作 {what}。{hint}".rstrip()


def taken_ids(cases: dict[str, YamlDocument]) -> dict[str, str]:
    """Every id in use, as a case or as an old id (alias) of one, with who uses it."""
    taken: dict[str, str] = {}
    for stem, doc in cases.items():
        taken.setdefault(stem, f"已有案例 {doc.display}")
        ident = doc.data.get("id") if isinstance(doc.data, dict) else None
        if isinstance(ident, str):
            taken.setdefault(ident, f"已有案例 {doc.display}")
    for alias, stem in Loader.alias_owner(cases).items():
        taken.setdefault(alias, f"{cases[stem].display} 改名前的旧 id（写在它的 aliases 中，旧网址会跳转到那个案例）")
    return taken


# -- reference data ----------------------------------------------------------------------


@dataclass
class Reference:
    """What a new record may name: the ids in data/, with Chinese names, and where each place belongs."""

    vocab: dict[str, Vocabulary]
    parent: dict[str, str] = field(default_factory=dict)

    def names(self, kind: str) -> dict[str, str]:
        return self.vocab[kind].names

    def options(self, kind: str, under: str | None = None) -> str:
        """The ids of one kind with their names, only those inside `under` when it is given."""
        ids = [k for k in self.names(kind) if under is None or self.parent.get(k) == under]
        shown = "、".join(f"{k}（{self.names(kind)[k]}）" for k in ids[:30])
        return shown + (" 等" if len(ids) > 30 else "")


def _unreadable(loader: Loader, data: dict[str, YamlDocument | None]) -> list[str]:
    """The reference files that are missing or could not be read as YAML: their ids are unknown.
    A file that reads but breaks a schema rule still names its ids; validate reports the rest."""
    broken = {d.file for d in loader.diagnostics if d.severity == "error" and d.code.startswith(("yaml.", "file."))}
    return [
        name
        for name in REFERENCE_FILES
        if data.get(name) is None or loader.project.display(loader.project.data_file(name)) in broken
    ]


def load_project(project: Project) -> tuple[Reference, dict[str, str]]:
    """The reference data and the ids in use, read by the loader as `casebook validate` reads
    them (the records on every core when there are many)."""
    loader = Loader(project)
    with loader.read_cases(project.case_files()) as reading:
        data = loader.load_data()
        cases = {path.stem: doc for path, doc, _ in reading if doc is not None}
    unreadable = _unreadable(loader, data)
    if unreadable:
        files = "、".join(f"data/{name}.yml" for name in unreadable)
        raise Refused(f"{files} 缺失或有错误：请先运行 casebook validate 查看并改正。")
    reference = Reference(loader.vocabularies(data), loader.place_parents(data["places"]))
    return reference, taken_ids(cases)


# -- answers -----------------------------------------------------------------------------


@dataclass
class Answers:
    id: str = ""
    title: str = ""
    district: str = ""
    street: str = ""
    community: str = ""
    pillars: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    # Entries the editor added while answering, written to data/ with the record.
    new_places: list[tuple[list[Step], dict[str, Any]]] = field(default_factory=list)
    new_sources: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Context:
    """Everything a check needs: the project's ids in use, its reference data, and the case
    schema's fields for the id and the title (their pattern and lengths)."""

    taken: dict[str, str]
    ref: Reference
    id_rule: Field
    slug_rule: Field
    title_rule: Field
    schemas: SchemaSet | None = None  # for a new source: the fields of its kind

    def words(self) -> dict[str, str]:
        """What a question's prompt may name: {title_length}."""
        return {"title_length": length_words(self.title_rule, "字")}


def split(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text.strip()) if part]


def check_id(ctx: Context, _: Answers, value: str) -> str:
    problem = slug_problem(ctx.id_rule, ctx.slug_rule, value)
    if problem:
        return problem
    if value in ctx.taken:
        return f"id“{value}”已被使用：{ctx.taken[value]}。请换一个 id；如果是同一个案例，请直接编辑那个文件。"
    return ""


def check_title(ctx: Context, _: Answers, value: str) -> str:
    problems = failed(ctx.title_rule, value)
    if "minLength" in problems or "maxLength" in problems:
        return f"标题要有 {length_words(ctx.title_rule, '字')}，现在 {len(value)} 个。"
    if problems:
        return f"标题“{value}”不能使用。{ctx.title_rule.schema.get('x-hint', '')}".rstrip()
    return ""


def _known(ctx: Context, kind: str, value: str) -> str:
    vocab = ctx.ref.vocab[kind]
    if value in vocab.names:
        return ""
    add = f"新的{vocab.what}：在提问时输入 {ADD} 当场添加。" if kind in ("street", "community", "source") else ""
    return f"没有{vocab.what}“{value}”。{vocab.suggest(value)}{add}"


def check_district(ctx: Context, _: Answers, value: str) -> str:
    return _known(ctx, "district", value)


def check_street(ctx: Context, answers: Answers, value: str) -> str:
    problem = _known(ctx, "street", value)
    owner = ctx.ref.parent.get(value, "")
    if problem or not answers.district or owner == answers.district:
        return problem
    districts = ctx.ref.names("district")
    streets = ctx.ref.options("street", answers.district) or "（data/places.yml 中没有列出）"
    return (
        f"街道“{value}”不属于区“{answers.district}”，而属于 {owner}（{districts.get(owner, owner)}）。"
        f"{answers.district} 的街道：{streets}。"
    )


def check_community(ctx: Context, answers: Answers, value: str) -> str:
    problem = _known(ctx, "community", value)
    expected = answers.street or answers.district
    owner = ctx.ref.parent.get(value, "")
    if problem or not expected or owner == expected:
        return problem
    level = "street" if owner in ctx.ref.names("street") else "district"
    return (
        f"社区“{value}”不属于“{expected}”：在 data/places.yml 中它属于 {owner}，"
        f"请写 --{level} {owner}{'' if level == 'street' else '，不写街道'}。"
    )


def check_many(kind: str) -> Callable[[Context, Answers, str], str]:
    def check(ctx: Context, _: Answers, value: str) -> str:
        return _known(ctx, kind, value)

    return check


def all_options(kind: str) -> Callable[[Context, Answers], str]:
    def options(ctx: Context, _: Answers) -> str:
        return ctx.ref.options(kind)

    return options


def street_options(ctx: Context, answers: Answers) -> str:
    return ctx.ref.options("street", answers.district) if answers.district else ""


def community_options(ctx: Context, answers: Answers) -> str:
    parent = answers.street or answers.district
    return ctx.ref.options("community", parent) if parent else ""


# What an editor types to add a street, community or source that data/ does not hold yet.
ADD = "+"
ADDABLE = {"street", "community", "sources"}


@dataclass(frozen=True)
class Question:
    key: str
    prompt: str
    check: Callable[[Context, Answers, str], str]
    options: Callable[[Context, Answers], str] | None = None
    many: bool = False
    skip: str = "（直接回车则留到文件里再填）"


QUESTIONS = (
    Question("id", f"案例 id（小写拼音，用短横线连接，例如 {EXAMPLE_ID}）", check_id, skip=""),
    Question("title", "案例标题（{title_length}）", check_title),
    Question("district", "区的 id", check_district, all_options("district")),
    Question("street", "街道的 id", check_street, street_options, skip=f"（来源未写就直接回车；新的街道输入 {ADD}）"),
    Question(
        "community", "社区的 id", check_community, community_options, skip=f"（来源未写就直接回车；新的输入 {ADD}）"
    ),
    Question("pillars", "所属支柱的 id，多个用空格隔开", check_many("pillar"), all_options("pillar"), True),
    Question("themes", "主题的 id，多个用空格隔开", check_many("theme"), all_options("theme"), True),
    Question(
        "policies",
        "落实的政策或工程的 id，多个用空格隔开；写下级政策即可，上级政策自动包括",
        check_many("policy"),
        all_options("policy"),
        True,
        skip="（来源没有说明就直接回车）",
    ),
    Question(
        "sources",
        "来源的 id，多个用空格隔开",
        check_many("source"),
        all_options("source"),
        True,
        skip=f"（新的来源输入 {ADD}，逐项填写；直接回车则留到文件里再填）",
    ),
)


# -- adding a street, a community or a source while answering --------------------------

LEVEL_WORDS = {"street": "街道", "community": "社区"}


def _ask_checked(ask: Ask, prompt: str, check: Callable[[str], str]) -> str:
    """Ask until the reply passes `check` ("" = good); each refusal is said at once."""
    while True:
        reply = ask(prompt).strip()
        problem = check(reply)
        if not problem:
            return reply
        print(f"错误: {problem}", file=sys.stderr)


def add_place(ctx: Context, answers: Answers, level: str, ask: Ask) -> str:
    """A street of the district, or a community of the street (or of the district), asked for
    and kept to be appended to data/places.yml. Its id must be new among all places."""
    word = LEVEL_WORDS[level]
    parent = answers.district if level == "street" else (answers.street or answers.district)
    if not parent:
        raise Refused(f"先回答区（和街道），再添加{word}。")
    places = ctx.ref.vocab["_all_places"]

    def check_id(value: str) -> str:
        problem = slug_problem(ctx.slug_rule, ctx.slug_rule, value, f"{word} id")
        if problem:
            return problem
        if value in places.names:
            return f"data/places.yml 中已有 id“{value}”（{places.names[value]}）：请换一个，例如加上区或街道的拼音。"
        return ""

    def check_name(value: str) -> str:
        return "" if 2 <= len(value) <= 40 else f"名称要有 2 至 40 个字，现在 {len(value)} 个。"

    ident = _ask_checked(ask, f"新{word}的 id（小写拼音，例如 nanhu）：", check_id)
    name = _ask_checked(ask, f"新{word}的名称（照录来源，例如 南湖街道、某某社区）：", check_name)
    if level == "street":
        steps: list[Step] = [("cities", _city_of(ctx, parent)), ("districts", parent), ("streets", None)]
    elif parent in ctx.ref.names("street"):
        district = ctx.ref.parent[parent]
        steps = [("cities", _city_of(ctx, district)), ("districts", district), ("streets", parent)]
        steps.append(("communities", None))
    else:
        steps = [("cities", _city_of(ctx, parent)), ("districts", parent), ("communities", None)]
    answers.new_places.append((steps, {"id": ident, "name": name}))
    # known from now on: the next questions accept it and place it under its parent
    ctx.ref.vocab[level].names[ident] = name
    places.names[ident] = name
    ctx.ref.parent[ident] = parent
    print(f"将在 data/places.yml 中添加{word} {ident}（{name}），属于 {parent}。")
    return ident


def _city_of(ctx: Context, district: str) -> str:
    return ctx.ref.parent.get(district) or next(iter(ctx.ref.names("city")), "")


def _kind_choices(sources_schema: dict[str, Any]) -> dict[str, str]:
    """The kinds a case can cite, with their names (outlet only names a photo's credit)."""
    defs = sources_schema["$defs"]
    kinds = sources_schema["properties"]["sources"]["items"]["properties"]["kind"]["enum"]
    return {k: defs[k]["title"] for k in kinds if k != "outlet"}


def add_source(ctx: Context, answers: Answers, ask: Ask) -> str:
    """A source of any kind, its fields asked one by one as the sources schema lists them (the
    required ones until answered), each checked as it is typed; kept to be appended to
    data/sources.yml."""
    assert ctx.schemas is not None
    schema = ctx.schemas.documents["sources"]
    kinds = _kind_choices(schema)
    print("来源类型：" + "、".join(f"{k}（{v}）" for k, v in kinds.items()))

    def check_kind(value: str) -> str:
        if value in kinds:
            return ""
        close = difflib.get_close_matches(value, list(kinds), n=1, cutoff=0.5)
        by_name = next((k for k, v in kinds.items() if value and value in v), "")
        guess = close[0] if close else by_name
        tip = f"你是不是想写 {guess}（{kinds[guess]}）？" if guess else ""
        return f"没有来源类型“{value}”。{tip}可选：{'、'.join(kinds)}。"

    kind = _ask_checked(ask, "来源类型：", check_kind)
    branch = schema["$defs"][kind]
    sources = ctx.ref.vocab["outlet"]  # every source id, of any kind

    def check_id(value: str) -> str:
        problem = slug_problem(ctx.slug_rule, ctx.slug_rule, value, "来源 id")
        if problem:
            return problem
        if value in sources.names:
            return f"data/sources.yml 中已有来源 id“{value}”（{sources.names[value]}）：请换一个。"
        return ""

    item: dict[str, Any] = {"id": _ask_checked(ask, "来源 id（小写拼音，例如 jingchu-wang-2026-02-13）：", check_id)}
    item["kind"] = kind
    required = set(branch["required"])
    for name, rule in branch["properties"].items():
        if name in ("id", "kind"):
            continue
        needed = name in required or (name == "accessed" and "url" in item)
        value = _ask_field(ctx.schemas, name, rule, needed, ask)
        if value is not None:
            item[name] = value
    answers.new_sources.append(item)
    ctx.ref.vocab["source"].names[item["id"]] = item["title"]
    sources.names[item["id"]] = item["title"]
    print(f"将在 data/sources.yml 中添加来源 {item['id']}（{kind}）。")
    return str(item["id"])


def _ask_field(schemas: SchemaSet, name: str, rule: dict[str, Any], needed: bool, ask: Ask) -> Any:
    """One field of a new source: its description as the prompt, its schema as the check."""
    described = rule.get("description", name)
    is_list = rule.get("type") == "array"
    how = "，多个用顿号隔开" if is_list else ""
    prompt = f"{name}：{described}{how}{'（必填）' if needed else '（没有就直接回车）'}："
    validator = Draft202012Validator(rule, registry=schemas.registry, format_checker=formats)

    def convert(reply: str) -> Any:
        if is_list:
            return [part.strip() for part in re.split(r"[、,，;；]", reply) if part.strip()]
        if rule.get("type") == "integer" and reply.isdigit():
            return int(reply)
        return reply

    def check(reply: str) -> str:
        if not reply:
            return f"{name} 是必填的。" if needed else ""
        errors = list(validator.iter_errors(convert(reply)))
        if not errors:
            return ""
        resolved = rule
        if "$ref" in rule:
            resolved = schemas.registry.resolver().lookup(rule["$ref"]).contents
        hint = rule.get("x-hint") or resolved.get("x-hint") or described
        return f"{name} 不符合要求：{hint}"

    reply = _ask_checked(ask, prompt, check)
    return convert(reply) if reply else None


def infer_places(ctx: Context, answers: Answers) -> None:
    """A known street or community names its district: fill in what the editor left out."""
    parent, streets = ctx.ref.parent, ctx.ref.names("street")
    above = parent.get(answers.community, "")
    if above in streets and not answers.street and answers.district in ("", parent[above]):
        answers.street = above
    if above and not answers.street and not answers.district:
        answers.district = above
    if answers.street in streets and not answers.district:
        answers.district = parent[answers.street]


def _values(answers: Answers, key: str) -> list[str]:
    value = getattr(answers, key)
    return list(value) if isinstance(value, list) else [value] if value else []


def _first_problem(ctx: Context, answers: Answers, q: Question, values: list[str]) -> str:
    return next((p for p in (q.check(ctx, answers, v) for v in values) if p), "")


def settle(ctx: Context, answers: Answers, q: Question, ask: Ask | None) -> None:
    """Keep a good given value; otherwise ask (at a terminal) or refuse, or leave it to be filled in."""
    values = _values(answers, q.key)
    problem = _first_problem(ctx, answers, q, values)
    if values and not problem:
        return
    if ask is None:
        if problem:
            raise Refused(problem)
        if q.key == "id":
            raise Refused(f"缺少案例 id：用 --id 指定，例如 casebook new --id {EXAMPLE_ID}。")
        return
    if problem:
        print(f"错误: {problem}", file=sys.stderr)
    options = q.options(ctx, answers) if q.options else ""
    if q.options and not options and q.key not in ADDABLE:  # nothing to choose from, nothing to add
        setattr(answers, q.key, [] if q.many else "")
        return
    if q.key in ("street", "community") and not options:
        options = f"（data/places.yml 中这里还没有{'街道' if q.key == 'street' else '社区'}，可输入 {ADD} 添加）"
    _ask_until_good(ctx, answers, q, ask, options)


def _ask_until_good(ctx: Context, answers: Answers, q: Question, ask: Ask, options: str) -> None:
    if options:
        print(f"可选：{options}")
    while True:
        reply = ask(f"{q.prompt.format_map(ctx.words())}{q.skip}：")
        if reply.strip() == ADD and q.key in ADDABLE:
            added = add_source(ctx, answers, ask) if q.key == "sources" else add_place(ctx, answers, q.key, ask)
            setattr(answers, q.key, [added] if q.many else added)
            return
        values = split(reply) if q.many else [reply.strip()] if reply.strip() else []
        problem = _first_problem(ctx, answers, q, values)
        if not values and q.key == "id":
            problem = "id 不能为空：它是文件名，也是案例的永久网址。"
        if not problem:
            setattr(answers, q.key, values if q.many else (values[0] if values else ""))
            return
        print(f"错误: {problem}", file=sys.stderr)


def collect(ctx: Context, given: Answers, ask: Ask | None) -> Answers:
    answers = given
    infer_places(ctx, answers)
    for q in QUESTIONS:
        settle(ctx, answers, q, ask)
    return answers


# -- the file ----------------------------------------------------------------------------


def record_values(answers: Answers, today: str) -> dict[str, Any]:
    place = {k: getattr(answers, k) for k in ("district", "street", "community") if getattr(answers, k)}
    values: dict[str, Any] = {
        "id": answers.id,
        "title": answers.title,
        "place": place,
        "pillars": answers.pillars,
        "themes": answers.themes,
        "policies": answers.policies,
        "sources": [{"ref": s} for s in answers.sources],
        "added": today,
        "updated": today,
    }
    return {k: v for k, v in values.items() if v}


def write_record(cases_dir: Path, ident: str, text: str) -> Path:
    yaml.safe_load(text)  # a template that does not parse would be our bug: fail before writing
    cases_dir.mkdir(parents=True, exist_ok=True)
    path = cases_dir / f"{ident}.yml"
    try:
        with path.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except FileExistsError:
        raise Refused(f"cases/{ident}.yml 已经存在：请换一个 id，或直接编辑那个文件。") from None
    return path


def report(ident: str, text: str) -> str:
    todo = [field_path(p) for p in placeholders.find(yaml.safe_load(text))]
    lines = [f"已创建 cases/{ident}.yml。"]
    if todo:
        lines.append(f"还要填写（文件中标着“{placeholders.MARKER}”）：" + "、".join(todo))
    lines += [
        "下一步：",
        f"  1. 用编辑器打开 cases/{ident}.yml，按每个字段上方的说明填写；",
        "  2. 运行 .venv/bin/casebook validate 检查，直到没有错误；",
        f"  3. 运行 make serve，在浏览器打开 http://127.0.0.1:8000/cases/{ident}/ 预览。",
    ]
    return "\n".join(lines)


def _terminal_ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        raise Refused("已取消，没有创建文件。") from None


def given_answers(args: argparse.Namespace) -> Answers:
    def one(value: str | None) -> str:
        return (value or "").strip()

    def many(values: list[str] | None) -> list[str]:
        return [v for value in values or [] for v in split(value)]

    return Answers(
        one(args.id),
        one(args.title),
        one(args.district),
        one(args.street),
        one(args.community),
        many(args.pillars),
        many(args.themes),
        many(args.sources),
        many(args.policies),
    )


def create(project: Project, given: Answers, ask: Ask | None, today: str) -> tuple[Path, str]:
    schema = load_schema(project.root)
    ref, taken = load_project(project)
    ctx = Context(
        taken,
        ref,
        field_named(schema, "id"),
        definition(schema, "slug"),
        field_named(schema, "title"),
        SchemaSet(project.schema_dir),
    )
    answers = collect(ctx, given, ask)
    text = template.render(schema, record_values(answers, today))
    if (project.cases_dir / f"{answers.id}.yml").exists():
        raise Refused(f"cases/{answers.id}.yml 已经存在：请换一个 id，或直接编辑那个文件。")
    write_additions(project, answers)
    return write_record(project.cases_dir, answers.id, text), text


def write_additions(project: Project, answers: Answers) -> None:
    """The new places and sources, appended as text to data/places.yml and data/sources.yml (the
    files keep their comments and layout), both files worked out before either is written."""
    changes: dict[Path, str] = {}
    for name, entries in (
        ("places", answers.new_places),
        ("sources", [([("sources", None)], item) for item in answers.new_sources]),
    ):
        if not entries:
            continue
        path = project.data_file(name)
        text = path.read_text(encoding="utf-8")
        try:
            for steps, item in entries:
                text = append_item(text, steps, item)
        except NotAdded as why:
            raise Refused(f"无法自动添加到 data/{name}.yml（{why}）：请按 docs/contributing.md 手动添加。") from None
        changes[path] = text
    for path, text in changes.items():
        path.write_text(text, encoding="utf-8", newline="\n")


def run(args: argparse.Namespace) -> int:
    project = locate(args.root)
    if project is None:
        print(NO_ROOT, file=sys.stderr)
        return 2
    ask = _terminal_ask if sys.stdin is not None and sys.stdin.isatty() else None
    try:
        path, text = create(project, given_answers(args), ask, dt.date.today().isoformat())
    except (Refused, SchemaError) as refusal:
        print(f"错误: {refusal}", file=sys.stderr)
        return 1
    print(report(path.stem, text))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "new",
        help="新建一个案例文件：按 schema 列出全部字段，逐项注释",
        description=(
            "在 cases/ 中新建 <id>.yml：schema 的全部字段按顺序列出，每个字段上方注明说明和是否必填，"
            "要写的地方标着“待填写”。在终端中运行时，没有给出的项会逐一询问。"
        ),
    )
    p.add_argument("--id", help=f"案例 id：小写拼音，用短横线连接，例如 {EXAMPLE_ID}")
    # The length is the schema's; the parser is made before the project is found, so it is not repeated here.
    p.add_argument("--title", help="案例标题（字数要求见 data/schema/case.schema.json 的 title）")
    p.add_argument("--district", help="区的 id（见 data/places.yml），例如 hongshan")
    p.add_argument("--street", help="街道的 id（来源未写时省略）")
    p.add_argument("--community", help="社区的 id（来源未写时省略）")
    p.add_argument("--pillar", dest="pillars", action="append", metavar="ID", help="支柱的 id，可重复，如 dadangwei")
    p.add_argument("--theme", dest="themes", action="append", metavar="ID", help="主题的 id（data/themes.yml），可重复")
    p.add_argument(
        "--source", dest="sources", action="append", metavar="ID", help="来源的 id（data/sources.yml），可重复"
    )
    p.add_argument(
        "--policy", dest="policies", action="append", metavar="ID", help="政策的 id（data/policies.yml），可重复"
    )
    p.add_argument("--root", help="案例库所在文件夹（默认从当前文件夹向上查找）")
    p.set_defaults(func=run)
