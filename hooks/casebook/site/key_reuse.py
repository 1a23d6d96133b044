"""A preview's case keys, carried from one rebuild to the next.

Every case page has a key (page_keys), and a preview renders again only the pages whose key
changed. Working out all the keys was still a quarter of a save's rebuild at 5,000 cases: each
needs the case's related list, and each list its digest over every group the case scores in.
Yet after a save almost every key is what it was, and which ones can differ is known from what a
key is made of:

- the shared part: code, site settings, the framework, policies, places, themes, sources,
  collections, downloads offered (`context`); when it differs, nothing is carried over;
- the case's own record (its digest) and its photos' sizes;
- the titles of the cases its record names (`related:`), and the signatures of its curated
  links, which are read both ways;
- its related list: the ids, titles and reasons shown, computed from the case's signature (its
  groups and dates) and those of every case in the groups it scores over.

So when only some records changed (edited, added, removed), the cases whose key may differ are:
those records' own; the ones that name one of them or are named by one, before or after; the
ones whose list showed one of them (its title is on the page, and it may leave the list); and,
when a changed record's signature differs (or it came or went), every case in a group it was or
is in. Every other case keeps its key and is not looked at.

tests/test_key_reuse.py holds this to account: after each kind of change, the keys carried over
and worked out here equal the keys a fresh build works out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model import Case, Casebook
from .related import RelatedCases

Group = tuple[str, str]


@dataclass(frozen=True)
class KeyEntry:
    """One case's keys and what decides whether they can be carried to the next rebuild."""

    digest: bytes  # the record's digest (Casebook.record_digests)
    photos: bytes  # its photos' sizes, digested
    signature: bytes  # RelatedCases.signature: all a related list reads of the case
    groups: tuple[Group, ...]  # the groups it scores in (RelatedCases.groups)
    names: tuple[str, ...]  # its record's `related:`
    shows: tuple[str, ...]  # the ids of its related list
    list_key: bytes  # the related list's key in RelatedCases' memo
    record_key: bytes
    case_key: bytes


@dataclass(frozen=True)
class KeyState:
    """The keys of one rebuild: given to the next one."""

    context: bytes
    cases: Mapping[str, KeyEntry]


def changed_cases(previous: KeyState, book: Casebook, photos: Mapping[str, bytes]) -> set[str]:
    """The ids whose record is new, gone, or differs (its digest or its photos)."""
    digests = book.record_digests
    out = {cid for cid in previous.cases if cid not in book.cases}
    for cid in book.cases:
        kept = previous.cases.get(cid)
        digest = digests.get(cid)
        if kept is None or digest is None or kept.digest != digest or kept.photos != photos.get(cid, b""):
            out.add(cid)
    return out


def reusable(
    previous: KeyState | None, context: bytes, book: Casebook, related: RelatedCases, photos: Mapping[str, bytes]
) -> dict[str, KeyEntry]:
    """The entries of `previous` that hold for `book` as they are, by case id."""
    if previous is None or previous.context != context:
        return {}
    changed = changed_cases(previous, book, photos)
    affected = set(changed)
    namers: dict[str, set[str]] = {}  # who names a case in `related:`, now
    for case in book.cases.values():
        for other in case.related:
            namers.setdefault(other, set()).add(case.id)
    showers: dict[str, set[str]] = {}  # whose related list showed a case, at the last rebuild
    for cid, entry in previous.cases.items():
        for other in entry.shows:
            showers.setdefault(other, set()).add(cid)
    for cid in changed:
        old = previous.cases.get(cid)
        new = book.cases.get(cid)
        # Curated links are read both ways: those it names, before and after, and its namers.
        affected.update(namers.get(cid, ()))
        affected.update(old.names if old else ())
        affected.update(new.related if new else ())
        affected.update(showers.get(cid, ()))
        if old is None or new is None or old.signature != related.signature(cid):
            groups: Iterable[Group] = {*(old.groups if old else ()), *(related.groups(new) if new else ())}
            for group in groups:
                affected.update(related.members(group))
    kept = {cid: previous.cases[cid] for cid in book.cases if cid not in affected}
    for e in kept.values():
        related.still_used(e.list_key)
    return kept


def entry(
    case: Case,
    book: Casebook,
    related: RelatedCases,
    photos: Mapping[str, bytes],
    shows: Iterable[str],
    record_key: bytes,
    case_key: bytes,
) -> KeyEntry | None:
    """A freshly worked-out case's entry; None for a case without a record digest (not read
    from a file), which is then worked out again every time."""
    digest = book.record_digests.get(case.id)
    if digest is None:
        return None
    return KeyEntry(
        digest,
        photos.get(case.id, b""),
        related.signature(case.id),
        related.groups(case),
        tuple(case.related),
        tuple(shows),
        related.key(case),
        record_key,
        case_key,
    )
