"""The navigator's tree as plain objects, built from service results on the worker thread.

Both frameworks, the client's controls with their tests, and the exceptions; each node
knows its status, its counts and the text the filter searches (ID, title, and for a
requirement the text of the controls that serve it).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from fieldwork.app.domain.ids import ControlId
from fieldwork.app.domain.judgements import RequirementConclusion
from fieldwork.app.domain.records import Requirement, StatusCounts
from fieldwork.app.domain.vocabulary import Framework, RequirementKind, Status
from fieldwork.app.pages.navigator import NavigatorPage
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.status import TestState, combine, count
from fieldwork.ui.context import Page, Target

#: How the navigator marks an item changed after review (and the words its filter finds it by).
STALE_WORDS = "changed after review"

PAGES = (
    ("Dashboard", Target(Page.DASHBOARD)),
    ("Control matrix", Target(Page.MATRIX)),
    ("Review notes", Target(Page.NOTES)),
    ("Changed since review", Target(Page.CHANGED)),
    ("Opinion worksheet", Target(Page.OPINION)),
    ("Statement of Applicability", Target(Page.SOA)),
    ("Findings register", Target(Page.FINDINGS)),
    ("Evidence library", Target(Page.EVIDENCE)),
    ("PBC requests", Target(Page.PBC)),
    ("ISO/IEC 42001 readiness", Target(Page.READINESS)),
    ("AI systems", Target(Page.AI_SYSTEMS)),
    ("Engagement settings", Target(Page.SETTINGS)),
)


#: The Conclusion column of a control or test, from its status: only a concluded test is "Tested".
OPEN = "Open"
VERDICTS = {Status.CONCLUDED: "Tested", Status.EXCEPTIONS: "Exceptions", Status.EXCLUDED: ""}


@dataclass(eq=False)
class Node:
    label: str
    target: Target | None = None
    status: Status | None = None
    counts: StatusCounts | None = None
    search: str = ""
    conclusion: RequirementConclusion | None = None  # the auditor's, on a requirement
    #: A leaf's own figures where it has no counts below it: a requirement's tests concluded of its tests, a
    #: test's sample items with a result; and the word for a leaf not (or not yet) concluded ("Open").
    own_progress: str = ""
    verdict: str = ""
    stale: bool = False  # signed, then changed (the requirement's conclusion, a control, a test)
    children: list[Node] = field(default_factory=list)
    row: int = 0
    _parent: weakref.ref[Node] | None = None
    #: On a tree's root: `outline`, worked out once.
    _outline: tuple[str, list[Node]] | None = field(default=None, repr=False)

    @property
    def parent(self) -> Node | None:
        """A weak link up, so a tree has no cycles and is freed as soon as it is replaced
        (a collector pass over thousands of nodes would stall the screen)."""
        return self._parent() if self._parent is not None else None

    def add(self, child: Node) -> Node:
        child._parent = weakref.ref(self)
        child.row = len(self.children)
        self.children.append(child)
        return child

    @property
    def progress(self) -> str:
        if self.counts is None or not self.counts.in_scope:
            return self.own_progress
        return f"{self.counts.concluded}/{self.counts.in_scope}"

    @property
    def reference(self) -> str:
        """The requirement's code or the control's or test's reference that starts the label."""
        return self.label.split(maxsplit=1)[0].rstrip(":") if self.label else ""

    def descendants(self) -> list[Node]:
        return [node for child in self.children for node in (child, *child.descendants())]


def outline(root: Node) -> tuple[str, list[Node]]:
    """The tree's nodes in order, and its shape: each node's target and number of children, in one string. Two
    trees of the same shape hold the same items in the same places, found by one comparison of strings (5,000 nodes
    at `--scale 20`, compared on the GUI thread after every write). Worked out once per tree (a tree's shape never
    changes once built; `build_tree` does it on the worker)."""
    if root._outline is None:
        nodes = [root, *root.descendants()]
        shape = "\n".join(f"{_shape_of(node.target)} {len(node.children)}" for node in nodes)
        root._outline = (shape, nodes)
    return root._outline


def _shape_of(target: Target | None) -> str:
    return "" if target is None else f"{target.kind.value}:{target.key}"


def _summarise(node: Node) -> None:
    """Give a group the counts of the requirements below it, and (if it has none of its own) their status.

    A subclause with subclauses keeps the status the services derived for it, which
    already combines its own tests with its children's.
    """
    for child in node.children:
        if child.children:
            _summarise(child)
    statuses = [
        n.status for n in node.descendants() if n.status is not None and n.target and n.target.kind is Page.REQUIREMENT
    ]
    if statuses:
        node.counts = count(statuses)
        if node.status is None:
            node.status = combine(statuses)


def _requirement_node(req: Requirement, snap: NavigatorPage, control_text: dict[str, str]) -> Node:
    state = snap.statuses.get(req.code)
    flag = "  (no control)" if state and state.gap and state.status is not Status.EXCLUDED else ""
    concluded = snap.conclusions.get(req.code)
    judged = f"{concluded.conclusion.label} {'unsupported' if concluded.unsupported else ''}" if concluded else ""
    stale = (ItemType.CONCLUSION, req.code) in snap.stale
    return Node(
        label=f"{req.code} {req.title}{flag}",
        target=Target(Page.REQUIREMENT, req.code),
        status=state.status if state else None,
        search=f"{req.code} {req.title} {judged} {control_text.get(req.code, '')}{_stale_words(stale)}".lower(),
        conclusion=concluded,
        own_progress=f"{state.tests_concluded}/{state.tests}" if state and state.tests else "",
        verdict="" if state is None or state.status is Status.EXCLUDED else OPEN,
        stale=stale,
    )


def _stale_words(stale: bool) -> str:
    """What the filter finds a changed item by."""
    return f" {STALE_WORDS}" if stale else ""


def build_tree(snap: NavigatorPage) -> Node:
    root = Node("root")
    for label, target in PAGES:
        page = root.add(Node(label, target, search=label.lower()))
        if target.kind is Page.AI_SYSTEMS:
            for system in snap.ai_systems:
                words = f"{system.ref} {system.name} {system.purpose}".lower()
                page.add(Node(system.label, Target(Page.AI_SYSTEMS, system.id), search=words))
    texts: dict[str, dict[str, None]] = defaultdict(dict)  # insertion-ordered sets: each text once
    for c in snap.controls:
        for code in c.requirements:
            texts[code][c.ref.lower()] = None
            texts[code][f"{c.title} {c.description}".lower()] = None
    control_text = {code: " ".join(found) for code, found in texts.items()}
    _add_soc2(root, snap, control_text)
    _add_iso(root, snap, control_text)
    _add_controls(root, snap)
    _add_exceptions(root, snap)
    _add_workpapers(root, snap)
    for section in root.children:
        _summarise(section)
    outline(root)
    return root


def _add_soc2(root: Node, snap: NavigatorPage, control_text: dict[str, str]) -> None:
    section = root.add(Node("SOC 2 Trust Services Criteria", search="soc 2"))
    categories: dict[str, Node] = {}
    groups: dict[str, Node] = {}
    for req in snap.requirements:
        if req.framework is not Framework.SOC2 or not req.category or not req.group:
            continue
        if req.category not in categories:
            categories[req.category] = section.add(Node(req.category, search=req.category.lower()))
        if req.group not in groups:
            groups[req.group] = categories[req.category].add(Node(req.group, search=req.group.lower()))
        groups[req.group].add(_requirement_node(req, snap, control_text))


def _add_iso(root: Node, snap: NavigatorPage, control_text: dict[str, str]) -> None:
    clauses = root.add(Node("ISO/IEC 42001 clauses 4-10", search="iso 42001 clauses"))
    annex = root.add(Node("ISO/IEC 42001 Annex A", search="iso 42001 annex a"))
    nodes: dict[str, Node] = {}
    for req in snap.requirements:
        if req.framework is not Framework.ISO42001:
            continue
        if req.kind in (RequirementKind.SUBCLAUSE, RequirementKind.ANNEX_CONTROL):
            node = _requirement_node(req, snap, control_text)
        else:
            node = Node(f"{req.code} {req.title}", search=f"{req.code} {req.title}".lower())
        top = clauses if req.kind in (RequirementKind.CLAUSE, RequirementKind.SUBCLAUSE) else annex
        nodes[req.code] = nodes.get(req.parent or "", top).add(node)


def _add_controls(root: Node, snap: NavigatorPage) -> None:
    section = root.add(Node("Controls", search="controls"))
    tests_by_control: dict[ControlId, list[TestState]] = defaultdict(list)
    for test in snap.tests:
        tests_by_control[test.control_id].append(test)
    for c in snap.controls:
        status = snap.control_status.get(c.id, Status.NOT_STARTED)
        stale = (ItemType.CONTROL, str(c.id)) in snap.stale
        node = section.add(
            Node(
                f"{c.ref} {c.title}",
                Target(Page.CONTROL, c.id),
                status,
                search=f"{c.ref} {c.title} {c.description}{_stale_words(stale)}".lower(),
                verdict=VERDICTS.get(status, OPEN),
                stale=stale,
            )
        )
        for test in tests_by_control.get(c.id, []):
            ref = snap.test_refs[test.test_id]
            stale = (ItemType.TEST, str(test.test_id)) in snap.stale
            sampled = f"{test.items_with_result}/{test.items_total}" if test.items_total else ""
            search = f"{ref}{_stale_words(stale)}".lower()
            leaf = Node(
                f"{ref} {test.kind.label}", Target(Page.TEST, test.test_id), test.status, search=search, stale=stale
            )
            leaf.own_progress, leaf.verdict = sampled, VERDICTS.get(test.status, OPEN)
            node.add(leaf)
        if node.children:
            node.counts = count(t.status for t in tests_by_control[c.id])


def _add_exceptions(root: Node, snap: NavigatorPage) -> None:
    section = root.add(Node("Exceptions", search="exceptions"))
    for dev in snap.deviations:
        text = dev.description if len(dev.description) <= 90 else dev.description[:87] + "..."
        section.add(
            Node(
                f"{dev.test_ref}: {text}",
                Target(Page.TEST, dev.test_id),
                Status.EXCEPTIONS,
                search=f"{dev.test_ref} {dev.control_ref} {dev.description}".lower(),
            )
        )


def _add_workpapers(root: Node, snap: NavigatorPage) -> None:
    """The engagement's workpapers by index, and the information produced by the entity; the section opens the
    index page and counts the workpapers complete."""
    section = root.add(Node("Workpapers", Target(Page.WORKPAPERS), search="workpapers"))
    for found in snap.workpapers:
        label = f"{found.ref} {found.title}"
        section.add(Node(label, Target(Page.WORKPAPER, found.id), found.progress, search=label.lower()))
    section.add(Node("Information produced by the entity (IPE)", Target(Page.IPE), search="ipe information produced"))
    if snap.workpapers:
        section.counts = count(w.progress for w in snap.workpapers)


def prune(node: Node, words: list[str]) -> Node:
    """A copy of the tree keeping what matches every word, with the groups that lead to it.

    A group that matches keeps all it holds (typing "CC6" shows the whole group).
    """
    copy = Node(
        node.label,
        node.target,
        node.status,
        node.counts,
        node.search,
        node.conclusion,
        node.own_progress,
        node.verdict,
        node.stale,
    )
    if node.parent is not None and words and all(word in node.search for word in words):
        for child in node.children:
            copy.add(prune(child, []))
        return copy
    for child in node.children:
        kept = prune(child, words)
        if kept.children or (words and all(word in child.search for word in words)) or not words:
            copy.add(kept)
    return copy


def size(node: Node) -> int:
    return len(node.children) + sum(size(child) for child in node.children)
