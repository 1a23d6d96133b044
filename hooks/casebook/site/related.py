"""Related cases: the ones an editor named (`related:`, read in both directions) first, then the
ones that share the most with a case — a policy or the project above it, a place, a theme, a
part of the framework — each with the reason a reader is shown (“同属红色引擎工程”).

Every measure here is symmetric, so whenever B is listed for A with a reason, A is listed for B
with the same reason, as long as neither list is cut short by the cap. The order is fixed
(score, then newest first, then id), so a rebuild never reshuffles a page."""

from __future__ import annotations

import hashlib
import heapq
import marshal
from collections import Counter, defaultdict
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

    Scoring a case against every case that shares a theme or a programme with it is most of
    the work of a build's case keys at thousands of cases (a case page's key holds its related
    list), so a list is kept in `memo` by the digest of all it is computed from: the case, the
    members of every group it scores against (their keys, dates and ids: all a score, a reason
    or the order reads), its curated links, the reference data that names the reasons, and the
    code. Saving one record then recomputes only the lists of the cases that share a group
    with it, and a title's edit none."""

    book: Casebook
    limit: int = LIMIT
    memo: Memo | None = None
    _index: dict[tuple[str, str], list[str]] = field(default_factory=dict, init=False)
    _curated: dict[str, list[str]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
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

    # -- what a list is computed from ----------------------------------------------------------

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
        if not self._base:
            book = self.book
            self._base = fingerprint(
                code_fingerprint(), self.limit, book.policies, book.places.by_id, book.themes, book.framework
            )
        h = hashlib.blake2b(self._base, digest_size=20)
        h.update(self._signature(case.id))
        for key in dict.fromkeys(self._keys(case)):
            if key[0] in FINDS:
                h.update(self._group(key))
        for oid in self._curated.get(case.id, ()):
            h.update(b"curated" + self._signature(oid))
        return h.digest()

    def _keys(self, case: Case) -> Iterable[tuple[str, str]]:
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
        picked = set(self._curated.get(case.id, ()))
        for oid in self._curated.get(case.id, ()):
            shared = self._shared(case, book.cases[oid])
            out.append(Related(book.cases[oid], True, (CURATED, *(r for _, r in shared)), sum(w for w, _ in shared)))
        # Scores from the indexes, counted in C (Counter.update over a list): a shared value of
        # weight w counts each of its cases w times. Thousands of cases share a district or a
        # theme, so this loop is the cost of the whole page set.
        score: Counter[str] = Counter()
        for key in self._keys(case):
            if key[0] in FINDS:
                ids = self._index.get(key, ())
                for _ in range(WEIGHTS[key[0]]):
                    score.update(ids)
        for oid in picked | {case.id}:
            score.pop(oid, None)
        # A shared district and shared pillars add at most `bonus`: only the cases that could
        # still reach the list need it computed.
        room = max(0, self.limit - len(out))
        bonus = WEIGHTS["district"] + WEIGHTS["pillar"] * len(case.pillars)
        if len(score) > room:
            floor = heapq.nlargest(room, score.values())[-1] - bonus if room else float("inf")
            score = Counter({oid: v for oid, v in score.items() if v >= floor})
        mine = set(case.pillars)
        for oid in score:
            other = book.cases[oid]
            score[oid] += WEIGHTS["district"] * (other.place.district == case.place.district)
            score[oid] += WEIGHTS["pillar"] * len(mine.intersection(other.pillars))
        best = sorted(score, key=lambda oid: (-score[oid], book.newest_rank[oid], oid))
        for oid in best[:room]:
            shared = self._shared(case, book.cases[oid])
            out.append(Related(book.cases[oid], False, tuple(r for _, r in shared), score[oid]))
        return out[: self.limit]
