"""Related cases: the ones an editor named (`related:`, read in both directions) first, then the
ones that share the most with a case — a policy or the project above it, a place, a theme, a
part of the framework — each with the reason a reader is shown (“同属红色引擎工程”).

Every measure here is symmetric, so whenever B is listed for A with a reason, A is listed for B
with the same reason, as long as neither list is cut short by the cap. The order is fixed
(score, then newest first, then id), so a rebuild never reshuffles a page."""

from __future__ import annotations

import hashlib
import marshal
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ..model import Case, Casebook
from .page_keys import code_fingerprint, fingerprint

LIMIT = 6  # a case page lists at most this many
CURATED = "编者推荐"
# What each kind of shared value weighs. A shared policy says most about two cases; a district
# or a part of the framework, shared by many, only tips the balance between other reasons.
WEIGHTS = {
    "policy": 8,
    "programme": 4,
    "community": 6,
    "street": 3,
    "theme": 3,
    "district": 1,
    "pillar": 1,
}
# Kinds that are enough to make two cases related; the others only add to a score.
FINDS = ("policy", "programme", "community", "street", "theme")


@dataclass(frozen=True)
class Related:
    case: Case
    curated: bool
    reasons: tuple[str, ...]  # the strongest first
    score: int

    @property
    def reason(self) -> str:
        return "；".join(self.reasons[:3])


class Memo(Protocol):
    """Where computed lists are kept between builds: `KeyedFiles` on disk for builds, a
    `MemoryEntries` for a preview server."""

    def read(self, key: bytes) -> bytes | None: ...

    def write(self, key: bytes, data: bytes) -> bool: ...


@dataclass
class RelatedCases:
    """Computes every case's related cases on demand from indexes built once per casebook.

    A case page's key holds its related list, so every build needs every list. Scored over
    bitsets, the 5,005 lists of the benchmark's casebook take 1.3 s; kept in `memo` (on disk for
    builds, in memory for a preview) they take 0.4 s, which saves half of a preview's 2 s at
    5,000. A list is kept by the digest of all it is computed from: the case, the members of
    every group it scores against (their keys, dates and ids: all a score, a reason or the
    order reads), its curated links, the reference data that names the reasons, and the code.
    Saving one record then recomputes only the lists of the cases that share a group with it,
    and a title's edit none."""

    book: Casebook
    limit: int = LIMIT
    memo: Memo | None = None
    _index: dict[tuple[str, str], list[str]] = field(default_factory=dict, init=False)
    _curated: dict[str, list[str]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._case_keys: dict[str, tuple[tuple[str, str], ...]] = {}
        index: dict[tuple[str, str], list[str]] = defaultdict(list)
        curated: dict[str, list[str]] = defaultdict(list)
        for case in self.book.cases_by_title:
            for key in self._keys(case):
                index[key].append(case.id)
            for other in case.related:
                if other in self.book.cases and other != case.id:
                    curated[case.id].append(other)
        # The other direction after every case's own list, so each page names its own picks first.
        for case in self.book.cases_by_title:
            for other in case.related:
                if other in self.book.cases and case.id not in curated[other] and other != case.id:
                    curated[other].append(case.id)
        self._index = dict(index)
        self._curated = dict(curated)
        self._signatures: dict[str, bytes] = {}
        self._groups: dict[tuple[str, str], bytes] = {}
        self._base = b""
        self._masks: dict[tuple[str, str], int] = {}
        self._list_keys: dict[str, bytes] = {}

    # -- what a list is computed from ----------------------------------------------------------

    def signature(self, case_id: str) -> bytes:
        """All any list reads of a case: a list changes only if a signature of one of its groups'
        members, or of its curated links, does (key_reuse carries keys over on this)."""
        return self._signature(case_id)

    def groups(self, case: Case) -> tuple[tuple[str, str], ...]:
        """The groups whose members are the case's candidates, and whose lists may show it."""
        return tuple(k for k in dict.fromkeys(self._keys(case)) if k[0] in FINDS)

    def members(self, group: tuple[str, str]) -> list[str]:
        return self._index.get(group, [])

    def still_used(self, key: bytes) -> None:
        """A list a preview carries over unread (key_reuse) is still in use: a memo that keeps
        only what a rebuild used (keyed_files.RecentlyUsed) keeps it."""
        if self.memo is not None:
            self.memo.read(key)

    def _signature(self, case_id: str) -> bytes:
        """All a list reads of a case: its keys (scores, reasons, the bonus), dates and id (the order)."""
        sig = self._signatures.get(case_id)
        if sig is None:
            case = self.book.cases[case_id]
            sig = fingerprint(list(self._keys(case)), case.added, case.last_changed, case.id)
            self._signatures[case_id] = sig
        return sig

    def _group(self, key: tuple[str, str]) -> bytes:
        digest = self._groups.get(key)
        if digest is None:
            h = hashlib.blake2b(repr(key).encode(), digest_size=20)
            # By id, not in the index's order (by title): a list does not depend on the order
            # its candidates are counted in, and a retitled case must not change its groups.
            for oid in sorted(self._index.get(key, ())):
                h.update(self._signature(oid))
            digest = self._groups[key] = h.digest()
        return digest

    def key(self, case: Case) -> bytes:
        """The digest of all a case's list is computed from (asked for twice by a preview)."""
        known = self._list_keys.get(case.id)
        if known is not None:
            return known
        if not self._base:
            book = self.book
            self._base = fingerprint(
                code_fingerprint(), self.limit, book.policies, book.places.by_id, book.themes, book.framework
            )
        h = hashlib.blake2b(self._base, digest_size=20)
        h.update(self._signature(case.id))
        for key in self.groups(case):
            h.update(self._group(key))
        for oid in self._curated.get(case.id, ()):
            h.update(b"curated" + self._signature(oid))
        digest = self._list_keys[case.id] = h.digest()
        return digest

    def _keys(self, case: Case) -> tuple[tuple[str, str], ...]:
        """What `case` can share with another; kept, as every list reads them for each of its cases."""
        keys = self._case_keys.get(case.id)
        if keys is None:
            keys = self._case_keys[case.id] = tuple(self._find_keys(case))
        return keys

    def _find_keys(self, case: Case) -> Iterable[tuple[str, str]]:
        for p in case.policies:
            yield ("policy", p)
        # A case under a programme (红色引擎工程) and one under a project within it (红色物业)
        # share the programme: each policy counts as a programme too, with those above it.
        for p in dict.fromkeys([*case.policies, *self._ancestors(case.policies)]):
            yield ("programme", p)
        if case.place.community:
            yield ("community", case.place.community)
        if case.place.street:
            yield ("street", case.place.street)
        yield ("district", case.place.district)
        for t in case.themes:
            yield ("theme", t)
        for p in case.pillars:
            yield ("pillar", p)

    def _ancestors(self, policy_ids: Iterable[str]) -> list[str]:
        out: list[str] = []
        for pid in policy_ids:
            seen = {pid}
            parent = self.book.policies[pid].parent if pid in self.book.policies else ""
            while parent and parent not in seen and parent in self.book.policies:
                if parent not in out:
                    out.append(parent)
                seen.add(parent)
                parent = self.book.policies[parent].parent
        return out

    def _reason(self, kind: str, value: str) -> str:
        book = self.book
        if kind in ("policy", "programme"):
            return f"同属{book.policies[value].name}"
        if kind in ("community", "street", "district"):
            return f"同在{book.places.by_id[value].name}"
        if kind == "theme":
            return f"同一主题：{book.themes[value].name}"
        return f"同属{book.pillars[value].label}"

    def _shared(self, case: Case, other: Case) -> list[tuple[int, str]]:
        """(weight, reason) of everything the two share, the strongest first."""
        mine = set(self._keys(case))
        # A shared policy makes its own ancestors' reason redundant; a shared community its street's.
        both = [k for k in self._keys(other) if k in mine]
        if any(k[0] == "policy" for k in both):
            shared_policies = {v for k, v in both if k == "policy"}
            implied = shared_policies | set(self._ancestors(shared_policies))
            both = [k for k in both if not (k[0] == "programme" and k[1] in implied)]
        kinds = {k for k, _ in both}
        if "community" in kinds:
            both = [k for k in both if k[0] not in ("street", "district")]
        elif "street" in kinds:
            both = [k for k in both if k[0] != "district"]
        order = list(WEIGHTS)
        both.sort(key=lambda k: (-WEIGHTS[k[0]], order.index(k[0])))
        return [(WEIGHTS[kind], self._reason(kind, value)) for kind, value in both]

    def of(self, case: Case) -> list[Related]:
        """At most `limit` related cases: curated ones in the editor's order, then the others by
        what they share, ties to the newest."""
        if self.memo is None:
            return self._compute(case)
        key = self.key(case)
        kept = self.memo.read(key)
        if kept is not None:
            try:
                entries = marshal.loads(kept)
                return [
                    Related(self.book.cases[oid], curated, tuple(reasons), score)
                    for oid, curated, reasons, score in entries
                ]
            except (EOFError, ValueError, TypeError, KeyError):
                pass  # an entry from another version: computed again below
        out = self._compute(case)
        self.memo.write(key, marshal.dumps([(r.case.id, r.curated, list(r.reasons), r.score) for r in out]))
        return out

    def _compute(self, case: Case) -> list[Related]:
        book = self.book
        out: list[Related] = []
        for oid in self._curated.get(case.id, ()):
            shared = self._shared(case, book.cases[oid])
            out.append(Related(book.cases[oid], True, (CURATED, *(r for _, r in shared)), sum(w for w, _ in shared)))
        room = max(0, self.limit - len(out))
        for oid, score in self._best(case, room):
            shared = self._shared(case, book.cases[oid])
            out.append(Related(book.cases[oid], False, tuple(r for _, r in shared), score))
        return out[: self.limit]

    # -- scoring over bitsets --------------------------------------------------------------------
    # Scoring a case against each case that shares a theme with it made the related lists grow
    # with the square of the casebook: the lists of 5,005 cases took 15 s timed alone, those of
    # 20,005 an estimated 300 s. Each group is therefore a bitset (a Python int, bit i = the i-th
    # newest case), and a case's candidates are split into score levels with a few word-parallel
    # `&` per group: the work per list grows with the casebook's size in machine words, not with
    # the members of its groups. The lists are the ones a case-by-case count gives
    # (tests/test_related.py checks every list of a generated casebook against that count).

    def _mask(self, key: tuple[str, str]) -> int:
        mask = self._masks.get(key)
        if mask is None:
            bits = bytearray((len(self.book.cases) + 7) // 8)
            rank = self.book.newest_rank
            for oid in self._index.get(key, ()):
                i = rank[oid]
                bits[i >> 3] |= 1 << (i & 7)
            mask = self._masks[key] = int.from_bytes(bits, "little")
        return mask

    def _best(self, case: Case, room: int) -> list[tuple[str, int]]:
        """The `room` best-scored cases that share a policy, programme, place or theme with
        `case` (not itself, not its curated ones), by score, then newest first: (id, score)."""
        if not room:
            return []
        finds = [key for key in self._keys(case) if key[0] in FINDS]
        candidates = 0
        for key in finds:
            candidates |= self._mask(key)
        rank = self.book.newest_rank
        for oid in (case.id, *self._curated.get(case.id, ())):
            candidates &= ~(1 << rank[oid])
        # Each shared value adds its weight, as often as the case names it; a shared district
        # and each shared pillar (counted once) add theirs on top.
        weighted = [(key, WEIGHTS[key[0]]) for key in finds]
        weighted.append((("district", case.place.district), WEIGHTS["district"]))
        weighted += [(("pillar", p), WEIGHTS["pillar"]) for p in dict.fromkeys(case.pillars)]
        levels: dict[int, int] = {0: candidates} if candidates else {}
        for key, weight in weighted:
            group = self._mask(key)
            split: dict[int, int] = {}
            for score, members in levels.items():
                inside = members & group
                if inside:
                    split[score + weight] = split.get(score + weight, 0) | inside
                if inside != members:
                    split[score] = split.get(score, 0) | (members ^ inside)
            levels = split
        newest = self.book.newest
        best: list[tuple[str, int]] = []
        for score in sorted(levels, reverse=True):
            members = levels[score]
            while members and len(best) < room:
                lowest = members & -members  # the newest case left at this score
                members ^= lowest
                best.append((newest[lowest.bit_length() - 1].id, score))
            if len(best) == room:
                break
        return best
