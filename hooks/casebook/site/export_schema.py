"""The schema of `cases.json`, made from the case schema at build time and published beside it.

A field that `cases.json` carries as the record wrote it is a `$ref` into `case.schema.json`
(or the reference data's schemas: a pillar's title, a district's name), so that the record
schema stays the one place that defines it. Only what the export adds is written here: the
wrapper object, `url`, `year`, `record`, the names that ids are resolved to, and each resolved
list's export-only keys (a figure's `display`, a source's `citation`). The property order and
the sub-properties a resolved list carries come from `exports.plan()`, so a field added to the
case schema reaches this schema the same way it reaches the data.

Generated, not committed: a committed copy could drift from the case schema or the export
code, and nothing would notice until a reader's validator did.

Every value that a record may leave out is in the export anyway, as null (a scalar or an
object) or as an empty list (a list), and this schema says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..model import Casebook
from .exports import EXPORT_SCHEMA, RESOLVED, TRAILER, ExportError, Rule, _Schema, plan

NAME = EXPORT_SCHEMA.rsplit("/", 1)[1]  # cases.export.schema.json, beside case.schema.json
CASE = "case.schema.json#"
Node = dict[str, Any]


def ref(pointer: str, title: str = "", description: str = "") -> Node:
    """A $ref, with the title and description that the export's reader needs where the target
    (a shared definition such as a slug) has none of its own."""
    node: Node = {"$ref": pointer}
    if title:
        node["title"] = title
    if description:
        node["description"] = description
    return node


def prop(name: str) -> str:
    return f"{CASE}/properties/{name}"


def nullable(node: Node) -> Node:
    return {"anyOf": [node, {"type": "null"}]}


def optional(node: Node, is_list: bool) -> Node:
    """A value a record may leave out: null, or for a list also an empty one."""
    alternatives = [node, {"type": "null"}]
    if is_list:
        alternatives.append({"type": "array", "maxItems": 0})
    return {"anyOf": alternatives}


def strict_object(properties: Mapping[str, Node], required: list[str] | None = None, **meta: Any) -> Node:
    """An object with no other keys than these, and every one of them unless `required` says
    which (the export writes every key, but for the levels of a place that a record has)."""
    return {
        **meta,
        "type": "object",
        "additionalProperties": False,
        "required": list(properties) if required is None else required,
        "properties": dict(properties),
    }


def named(id_node: Node, name_pointer: str, what: str, **meta: Any) -> Node:
    """{id, name}: a reference resolved to the name the reference data gives it."""
    return strict_object(
        {"id": id_node, "name": ref(name_pointer, f"{what}名称", f"{what}的名称，取自参考数据。")}, **meta
    )


def _sub_nodes(node: Mapping[str, Any]) -> tuple[Node, Mapping[str, Node], list[str]]:
    """The case schema's object for a property (its items for a list), its sub-properties and
    the ones a record must write."""
    inner = node.get("items", node) if node.get("type") == "array" else node
    return inner, inner.get("properties", {}), list(inner.get("required", ()))


def _carried(name: str, record_node: Node, rule: Rule, extra: Mapping[str, Node], replaced: Mapping[str, Node]) -> Node:
    """The object a resolved list or object is exported as: the sub-properties the rule reads, by
    $ref (null or empty when a record may leave them out), then the keys only the export has."""
    _, subs, required = _sub_nodes(record_node)
    is_array = record_node.get("type") == "array"
    base = f"{prop(name)}/items/properties" if is_array else f"{prop(name)}/properties"
    out: dict[str, Node] = {}
    for sub in subs:
        if rule.reads is not None and sub not in rule.reads:
            continue
        if sub in replaced:
            out[sub] = replaced[sub]
            continue
        node = ref(f"{base}/{sub}")
        out[sub] = node if sub in required else optional(node, subs[sub].get("type") == "array")
    return strict_object({**out, **extra})


def _resolved(properties: Mapping[str, Node]) -> dict[str, dict[str, Node]]:
    """The keys each hand-written rule of `exports.RESOLVED` adds, as schemas."""
    places = "places.schema.json#/properties/cities/items"
    district = f"{places}/properties/districts/items"
    figures_rule, sources_rule = RESOLVED["figures"], RESOLVED["sources"]
    out: dict[str, dict[str, Node]] = {
        "id": {
            "id": ref(prop("id")),
            "url": {
                "type": "string",
                "format": "uri-reference",
                "title": "网址",
                "description": "案例页面的永久网址；引用、二维码和订阅源用的是同一个网址。",
            },
        },
        "pillars": {
            "pillars": {
                "type": "array",
                "minItems": 1,
                "title": "所属支柱",
                "description": "案例所属的“1314”框架支柱：id、序号和名称。",
                "items": strict_object(
                    {
                        "id": ref(f"{prop('pillars')}/items", "支柱 id", "支柱的 id，见 data/framework.yml。"),
                        "number": ref(
                            "framework.schema.json#/properties/pillars/items/properties/number",
                            "支柱序号",
                            "支柱在“1314”中的序号，如“1”“3”。",
                        ),
                        "title": ref(
                            "framework.schema.json#/properties/pillars/items/properties/title",
                            "支柱名称",
                            "支柱的名称。",
                        ),
                    }
                ),
            }
        },
        "policies": {
            "policies": {
                "type": "array",
                "title": "政策与工程",
                "description": "案例所落实的政策或工程：id 和名称；来源没有说明时为空列表。",
                "items": named(
                    ref(f"{prop('policies')}/items", "政策 id", "政策或工程的 id，见 data/policies.yml。"),
                    "policies.schema.json#/properties/policies/items/properties/name",
                    "政策或工程",
                ),
            }
        },
        "place": {
            "place": strict_object(
                {
                    "city": named(
                        ref(f"{places}/properties/id", "市 id", "市的 id，见 data/places.yml。"),
                        f"{places}/properties/name",
                        "市",
                        title="市",
                        description="案例所在的市。",
                    ),
                    "district": named(
                        ref(f"{prop('place')}/properties/district", "区 id"),
                        f"{district}/properties/name",
                        "区",
                        title="区",
                        description="案例所在的区。",
                    ),
                }
                | {
                    level: named(
                        ref(f"{prop('place')}/properties/{level}", f"{what} id"),
                        name_pointer,
                        what,
                        title=what,
                        description=f"案例所在的{what}；来源没有写时没有这个键。",
                    )
                    for level, what, name_pointer in (
                        ("street", "街道", f"{district}/properties/streets/items/properties/name"),
                        ("community", "社区", "places.schema.json#/$defs/communities/items/properties/name"),
                    )
                },
                required=["city", "district"],
                title="地点",
                description="案例发生地，从市到社区，每一级给出 id 和名称。",
            )
        },
        "period": {
            "period": nullable(
                strict_object(
                    {
                        "start": ref(f"{prop('period')}/properties/start"),
                        "end": nullable(ref(f"{prop('period')}/properties/end")),
                    },
                    title="实施时间",
                    description="实施时间：开始和结束（YYYY、YYYY-MM 或 YYYY-MM-DD，只写来源给出的精度）；"
                    "来源没有写开始时间时为 null，仍在进行时 end 为 null。",
                )
            ),
            "year": {
                "type": ["integer", "null"],
                "title": "年份",
                "description": "案例归入的年份：实施开始的年份，没有时取第一个来源的出版年份；都没有时为 null。",
            },
        },
        "themes": {
            "themes": {
                "type": "array",
                "minItems": 1,
                "title": "主题",
                "description": "案例的主题：id 和名称。",
                "items": named(
                    ref(f"{prop('themes')}/items", "主题 id", "主题的 id，见 data/themes.yml。"),
                    "themes.schema.json#/properties/themes/items/properties/name",
                    "主题",
                ),
            }
        },
        "figures": {
            "figures": {
                "type": "array",
                "title": "关键数字",
                "description": "关键数字：数值是数字，限定词（余、多、约、近、逾）单独给出，display 是页面上的写法。",
                "items": _carried(
                    "figures",
                    properties["figures"],
                    figures_rule,
                    extra={
                        "display": {
                            "type": "string",
                            "title": "显示写法",
                            "description": "页面上的写法：数值、限定词和单位，例如“180余次”。",
                        }
                    },
                    # Records may leave the id out: the export then gives the page's anchor, figure-<n>.
                    replaced={
                        "id": {
                            "title": "数字锚点",
                            "description": "数字在案例页面上的锚点：记录写的 id，没写时为 figure-序号。",
                            "anyOf": [ref(f"{prop('figures')}/items/properties/id"), {"pattern": "^figure-[0-9]+$"}],
                            "type": "string",
                        }
                    },
                ),
            }
        },
        "quotes": {
            "quotes": {
                "type": "array",
                "title": "原话",
                "description": "来源中的原话：内容、说话人和身份。",
                "items": _carried("quotes", properties["quotes"], RESOLVED["quotes"], {}, {}),
            }
        },
        "people": {
            "people": {
                "type": "array",
                "title": "人物",
                "description": "来源中出现的人物：姓名和身份。",
                "items": _carried("people", properties["people"], RESOLVED["people"], {}, {}),
            }
        },
        "media": {
            "media": {
                "type": "array",
                "title": "图片",
                "description": "图片及说明；file 是记录里的文件名（网站上的图片另有尺寸版本）。",
                "items": _carried(
                    "media",
                    properties["media"],
                    RESOLVED["media"],
                    {},
                    {
                        "credit": {
                            "type": ["string", "null"],
                            "title": "图片来源",
                            "description": "图片来源的标题（记录写的是来源 id，这里换成了标题）；未注明时为 null。",
                        }
                    },
                ),
            }
        },
        "sources": {
            "sources": {
                "type": "array",
                "minItems": 1,
                "title": "来源",
                "description": "案例所依据的来源，每个附 GB/T 7714 著录。",
                "items": _carried(
                    "sources",
                    properties["sources"],
                    sources_rule,
                    extra={
                        "citation": {
                            "type": "string",
                            "title": "著录",
                            "description": "来源的 GB/T 7714 参考文献著录。",
                        }
                    },
                    replaced={},
                ),
            }
        },
        "teaching": {
            "teaching": nullable(
                {
                    **_carried(
                        "teaching",
                        properties["teaching"],
                        RESOLVED["teaching"],
                        extra={
                            "author": {
                                "const": "编者",
                                "title": "撰写者",
                                "description": "教学参考由本案例库编者撰写，不是来源原文。",
                            }
                        },
                        replaced={},
                    ),
                    "title": "教学参考",
                    "description": "教学参考（编者撰写，不是来源原文）：教学目标、讨论题、要点；没有时为 null。",
                }
            )
        },
    }
    missing = sorted(set(RESOLVED) - set(out))
    if missing:
        raise ExportError(f"export_schema.py 没有描述 exports.py 的 RESOLVED“{missing[0]}”导出的键。")
    return out


def case_schema_node(name: str, required: bool, record_node: Mapping[str, Any]) -> Node:
    """A property carried as the record wrote it: the record schema's own definition."""
    if not record_node:  # a key that records hold beyond the schema: nothing defines it
        return {"title": name, "description": "记录里有、但 case.schema.json 没有定义的字段，按记录原样给出。"}
    node = ref(prop(name))
    return node if required else optional(node, record_node.get("type") == "array")


def export_schema(book: Casebook) -> dict[str, Any]:
    """The JSON Schema of `cases.json` as `exports.cases_json` writes it for this casebook."""
    rules = plan(book)
    case = book.schemas["case"]
    properties: Mapping[str, Node] = case.get("properties", {})
    required = set(case.get("required", ()))
    resolved = _resolved(_Schema(book.schemas).properties)
    keys: dict[str, Node] = {}
    for name, rule in rules:
        if name in RESOLVED:
            keys |= resolved[name]
        else:
            keys[name] = case_schema_node(name, name in required, properties.get(name, {}))
        if list(keys)[-len(rule.keys) :] != list(rule.keys):
            raise ExportError(f"export_schema.py 给“{name}”的键与 exports.py 写出的 {rule.keys} 不一致。")
    for name in TRAILER:
        keys[name] = {
            "type": "string",
            "title": "记录文件",
            "description": "案例记录在仓库中的文件，例如 cases/<id>.yml。",
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": NAME,
        "title": "案例库开放数据（cases.json）",
        "description": "data/cases.json 的结构：全部已发布的案例，编号换成了名称，另加网址、年份和记录文件。"
        "与记录字段相同的部分直接引用 case.schema.json 的定义。",
        "x-version": book.schema_version,
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "schema", "publisher", "count", "cases"],
        "properties": {
            "schema_version": {
                "type": "string",
                "title": "结构版本",
                "description": "case.schema.json 的版本号（x-version）。",
            },
            "schema": {
                "type": "string",
                "format": "uri-reference",
                "title": "结构说明",
                "description": "本文件所遵循的 JSON Schema（即本结构说明）的网址。",
            },
            "publisher": {
                "type": "string",
                "title": "发布者",
                "description": "发布这些数据的编辑组，见 data/site.yml。",
            },
            "count": {"type": "integer", "minimum": 0, "title": "案例数", "description": "cases 中案例的个数。"},
            "cases": {
                "type": "array",
                "title": "案例",
                "description": "全部已发布的案例，按标题排序。",
                "items": {"$ref": "#/$defs/case"},
            },
        },
        "$defs": {
            "case": strict_object(keys, title="案例", description="一个案例，字段与记录相同，编号已换成名称。"),
        },
    }


def export_schema_json(book: Casebook) -> str:
    return json.dumps(export_schema(book), ensure_ascii=False, indent=2) + "\n"
