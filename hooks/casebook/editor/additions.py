"""New entries in the reference files (a street, a community, a source), added as text.

The files are the editors': their comments, order and quoting stay as they wrote them. So an
entry is never added by loading and dumping the file; its lines are inserted after the last line
of the list it joins (or, for a list the parent does not have yet, after the parent's last line),
indented as that list is. The result is parsed again and must equal the old data plus the entry.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml


class NotAdded(Exception):
    """The file is not shaped as expected; the editor adds the entry by hand (the guide shows how)."""


# A step down the tree: the key of a list, and the id of the item to enter (None: append there).
Step = tuple[str, str | None]


def scalar(value: Any) -> str:
    """A value as YAML text: plain when YAML reads it back as the same string, else quoted."""
    if isinstance(value, bool) or value is None:
        raise TypeError(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    text = str(value)
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text} and text == text.strip() and "#" not in text
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def item_lines(item: Mapping[str, Any], indent: int) -> list[str]:
    """`- key: value` lines of a flat item; its first key after the dash."""
    pad = " " * indent
    lines = []
    for i, (key, value) in enumerate(item.items()):
        lines.append(f"{pad}{'- ' if i == 0 else '  '}{key}: {scalar(value)}")
    return lines


def _last_line(node: yaml.Node) -> int:
    """The 0-based line of the last character a node's content occupies (its last scalar)."""
    if isinstance(node, yaml.MappingNode):
        return _last_line(node.value[-1][1]) if node.value else node.start_mark.line
    if isinstance(node, yaml.SequenceNode):
        return _last_line(node.value[-1]) if node.value else node.start_mark.line
    end = node.end_mark
    # a block scalar (|) ends at the start of the line after it
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _get(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _key_column(mapping: yaml.MappingNode) -> int:
    return mapping.value[0][0].start_mark.column


def append_item(text: str, path: Sequence[Step], item: Mapping[str, Any]) -> str:
    """The text with `item` appended to the list reached by `path`: e.g. [("cities", "wuhan"),
    ("districts", "wuchang"), ("streets", None)] adds a street to 武昌区."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise NotAdded("文件的最外层不是键值对")
    node: yaml.MappingNode = root
    for key, ident in path[:-1]:
        seq = _get(node, key)
        found = None
        if isinstance(seq, yaml.SequenceNode):
            for entry in seq.value:
                id_node = _get(entry, "id") if isinstance(entry, yaml.MappingNode) else None
                if isinstance(id_node, yaml.ScalarNode) and id_node.value == ident:
                    found = entry
        if found is None:
            raise NotAdded(f"找不到 {key} 中的 {ident}")
        node = found
    list_key = path[-1][0]
    lines = text.splitlines()
    seq = _get(node, list_key)
    if isinstance(seq, yaml.SequenceNode) and seq.value and seq.flow_style is False:
        first = seq.value[0]
        if not isinstance(first, yaml.MappingNode):
            raise NotAdded(f"{list_key} 的条目不是键值对")
        new = item_lines(item, _key_column(first) - 2)
        at = _last_line(seq) + 1
    elif seq is None:
        column = _key_column(node)
        new = [f"{' ' * column}{list_key}:", *item_lines(item, column + 2)]
        at = _last_line(node) + 1
    else:
        raise NotAdded(f"{list_key} 不是普通的列表（例如写成了 [] ）")
    result = "\n".join([*lines[:at], *new, *lines[at:]]) + "\n"
    _check(text, result, path, item)
    return result


def _check(before: str, after: str, path: Sequence[Step], item: Mapping[str, Any]) -> None:
    """The new text must hold exactly the old data plus the item, where it was meant to go."""
    expected = copy.deepcopy(yaml.safe_load(before))
    node: Any = expected
    for key, ident in path[:-1]:
        node = next(x for x in node[key] if x.get("id") == ident)
    node.setdefault(path[-1][0], []).append(dict(item))
    try:
        got = yaml.safe_load(after)
    except yaml.YAMLError as exc:
        raise NotAdded(f"添加后文件无法读取：{exc}") from None
    if got != expected:
        raise NotAdded("添加后的内容与预期不同")
