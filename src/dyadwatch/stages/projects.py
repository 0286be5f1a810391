"""Projects: named initiatives and infrastructure in the text, with their milestones.

A project is found two ways:

- a PROJECT mention the resolver linked to the registry ("Belt and Road Initiative", "BRI");
- a name ending in a project noun of ``data/milestones.tsv`` ("the China-Kyrgyzstan-Ukraine
  railway", "the Central Asia-China gas pipeline", "the Luban Workshop"). Such a name is
  looked up in the registry exactly, then by close spelling, then by shared parts: the
  same project noun and at least two of the countries it names ("China-Kyrgyzstan-Ukraine
  railway" is the China-Kyrgyzstan-Uzbekistan railway). A name the registry does not know
  becomes a project of its own, id ``project:unk:<name>``.

Each project is one :class:`~dyadwatch.document.ProjectRecord` per document: the registry's
id, name, countries and sector; ``stated_countries``, the countries its names spell out as
written (so that "China-Kyrgyzstan-Ukraine" can be flagged against the registry's
CHN-KGZ-UZB); every surface form in ``mentions``; and milestones.

A milestone is a status word of ``milestones.tsv`` (launch, inauguration, "start
construction", "put into operation"...) joined in the parse to a mention of the project, or
to a phrase referring back to it ("the railway project" -> the latest railway named). A step
under a word of planning ("start the construction ... at an early date", "should launch",
"agreed to build") is the status ``planned`` (``agreed`` under "agree" or "decide"), dated
the day it was said: the publication date. Otherwise the date is the step's own date
expression ("launched in December" in February 2025 -> "2024-12"); with none, the
publication date when the step is told in the present tense ("The inauguration of the
workshop signifies...") and None when the article has no date or tells the step in the past.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from ..document import Document, Milestone, ProjectRecord, Span
from ..errors import RegistryError
from ..pipeline import register_stage
from ..registry import Registry, fold, load_registry
from ..registry.text import slug
from .facts import (
    article_dyad,
    body_sentences,
    read_table,
    reader_lacks_parse,
    span_root,
    tree_distance,
)
from .nlp import fitting_parse
from .timex import clause_tense

__all__ = ["ProjectStage", "ProjectWords", "load_project_words", "stated_countries", "VERSION"]

VERSION = "1"
TAG = f"projects@{VERSION}"

_MILESTONES_FILE = "milestones.tsv"
_CATEGORIES = ("status", "head", "anaphor", "planning")
# Capitalised words that begin a sentence or a noun phrase without being part of a name.
_NOT_NAME = {"the", "this", "that", "these", "those", "a", "an", "its", "their", "our", "his",
             "her", "new", "both", "each", "every", "any", "such", "officially", "meanwhile",
             "and", "but", "also", "under", "during", "after", "before", "with", "for", "of"}
_LINK_DISTANCE = 4  # parse edges between a status word and the project it is about
_AGREEING = {"agree", "decide"}


@dataclass(frozen=True)
class ProjectWords:
    """The words of projects, as read from ``data/milestones.tsv``."""

    statuses: tuple[tuple[str, tuple[str, ...]], ...]  # (status, lemmas of one form)
    heads: tuple[str, ...]
    anaphors: frozenset[str]
    planning: frozenset[str]  # single lemmas
    planning_phrases: tuple[str, ...]  # several words, matched in the text
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False)


@lru_cache(maxsize=1)
def load_project_words() -> ProjectWords:
    """Read ``data/milestones.tsv`` once. Raises RegistryError naming a line with an
    unknown category."""
    statuses: list[tuple[str, tuple[str, ...]]] = []
    lists: dict[str, list[str]] = {name: [] for name in _CATEGORIES[1:]}
    for number, row in read_table(_MILESTONES_FILE, ("category", "key", "forms")):
        forms = [form.strip() for form in row["forms"].split("|") if form.strip()]
        if row["category"] == "status":
            statuses += [(row["key"], tuple(form.lower().split())) for form in forms]
        elif row["category"] in lists:
            lists[row["category"]] += forms
        else:
            raise RegistryError(_MILESTONES_FILE, number, f"unknown category "
                                f"{row['category']!r}; valid: {', '.join(_CATEGORIES)}")
    planning = [form.lower() for form in lists["planning"]]
    words = ProjectWords(
        statuses=tuple(statuses), heads=tuple(lists["head"]),
        anaphors=frozenset(form.lower() for form in lists["anaphor"]),
        planning=frozenset(form for form in planning if " " not in form),
        planning_phrases=tuple(form for form in planning if " " in form))
    words.patterns.update(_compile(words))
    return words


def _compile(words: ProjectWords) -> dict[str, re.Pattern[str]]:
    heads = "|".join(r"[\s-]+".join(map(re.escape, head.split()))
                     for head in sorted(words.heads, key=len, reverse=True))
    part = r"[A-Z][\w'’.]*"
    name = rf"(?P<name>{part}(?:(?:\s*[-\u2010-\u2014]\s*|\s+){part})*)"
    anaphors = "|".join(sorted(map(re.escape, words.anaphors), key=len, reverse=True))
    return {
        "named": re.compile(rf"(?<![\w-]){name}\s+(?P<head>(?i:{heads}))"
                            rf"(?P<tail>(?i:\s+(?:construction\s+)?project))?(?![\w-])"),
        "anaphor": re.compile(rf"\b(?i:the|this|that)\s+(?P<words>(?i:(?:{anaphors})"
                              rf"(?:\s+(?:{anaphors}))?))\b"),
    }


def stated_countries(name: str, registry: Registry) -> list[str]:
    """The states a project's name spells out, in order ("China-Kyrgyzstan-Ukraine railway"
    -> CHN, KGZ, UKR); regions and other words are left out."""
    found: list[str] = []
    for part in re.split(r"\s*[-\u2010-\u2014/]\s*", name):
        words = part.split()
        start = 0
        while start < len(words):
            for size in range(min(4, len(words) - start), 0, -1):
                if not words[start][:1].isupper():
                    continue  # "and" is not Andorra: country words are capitalised
                code = registry.country_of(" ".join(words[start:start + size]))
                if code in registry.countries:
                    if code not in found:
                        found.append(code)
                    start += size
                    break
            else:
                start += 1
    return found


# ------------------------------------------------------------------------------------------


@register_stage("projects", version=VERSION, requires=("mentions", "timex"), adds=("projects",))
class ProjectStage:
    """Named projects linked to the registry, with stated countries and dated milestones."""

    def __init__(self, *, registry_files: Iterable[str] = ()) -> None:
        self.registry = load_registry(tuple(str(path) for path in registry_files))
        self.words = load_project_words()

    def __call__(self, doc: Document) -> Document:
        if reader_lacks_parse(doc):
            doc.problems.append(f"{TAG}: no spaCy parse of the text; milestones were not read")
        reader = _ProjectReader(doc, self.registry, self.words)
        doc.projects = reader.read()
        return doc


@dataclass
class _Reference:
    """A place in the text that names (or refers back to) one project."""

    start: int
    end: int
    text: str
    project_id: str
    named: bool = True
    core: str = ""  # the name without a trailing "(construction) project", where there is one


class _ProjectReader:
    """Reads the projects of one document."""

    def __init__(self, doc: Document, registry: Registry, words: ProjectWords) -> None:
        self.doc = doc
        self.registry = registry
        self.words = words
        self.records: dict[str, ProjectRecord] = {}
        self.sentences = list(body_sentences(doc))
        self.timex = [span for span in doc.layer("timex") if not span.attrs.get("boilerplate")
                      and span.label in ("date", "interval") and span.attrs.get("value")]
        self.parse = fitting_parse(doc)

    def read(self) -> list[ProjectRecord]:
        references = self._named()
        for reference in references:
            self._record(reference)
        references += self._anaphors(references)
        for index, sentence in self.sentences:
            self._milestones(index, sentence, references)
        return sorted(self.records.values(), key=lambda record: record.start)

    # -- finding projects -----------------------------------------------------------------

    def _named(self) -> list[_Reference]:
        references = [
            _Reference(m.start, m.end, m.text, m.entity_id)
            for m in self.doc.mentions
            if m.type == "PROJECT" and m.entity_id and m.entity_id.startswith("project:")
            and ":unk:" not in m.entity_id and self._in_body(m.start, m.end)
            # names the resolver read off a "X-Y-Z railway" pattern are read again below,
            # with their tail ("… construction project") and the countries as written
            and m.resolved_by != "project_name"
        ]
        taken = [(r.start, r.end) for r in references]
        for _, sentence in self.sentences:
            text = self.doc.text[sentence.start:sentence.end]
            for match in self.words.patterns["named"].finditer(text):
                reference = self._pattern_reference(match, sentence.start, taken)
                if reference is not None:
                    references.append(reference)
                    taken.append((reference.start, reference.end))
        return sorted(references, key=lambda reference: reference.start)

    def _in_body(self, start: int, end: int) -> bool:
        return any(s.start <= start and end <= s.end for _, s in self.sentences) \
            and not self.doc.in_boilerplate(start, end)

    def _pattern_reference(self, match: re.Match[str], offset: int,
                           taken: list[tuple[int, int]]) -> _Reference | None:
        words = re.split(r"(\s+)", match.group("name"))
        skip = 0
        while skip < len(words) and (not words[skip].strip()
                                     or words[skip].lower() in _NOT_NAME):
            skip += 1
        name_start = offset + match.start("name") + len("".join(words[:skip]))
        end = offset + match.end("head")
        if skip >= len(words) or self.doc.in_boilerplate(name_start, end):
            return None
        if any(s < end and name_start < e for s, e in taken):
            return None  # the registry's mention of the same name wins
        name = self.doc.text[name_start:end]
        if not self._is_name(match.group("name")[len("".join(words[:skip])):]):
            return None
        project_id = self._resolve(name, match.group("head"))
        full_end = offset + match.end() if match.group("tail") else end
        return _Reference(name_start, full_end, self.doc.text[name_start:full_end], project_id,
                          core=name)

    def _is_name(self, modifier: str) -> bool:
        """A lone country word before a project noun is a description ("the Kyrgyz railway"),
        not a name; two parts, or any part that is not a country word, make a name."""
        parts = [p for p in re.split(r"\s*[-\u2010-\u2014]\s*|\s+", modifier.strip()) if p]
        if len(parts) >= 2:
            return True
        return bool(parts) and self.registry.country_of(parts[0]) is None

    def _resolve(self, name: str, head: str) -> str:
        """The registry id of a project name: exact, close spelling, or shared parts; else
        a stable id of its own."""
        found = self.registry.find(name, type="project")
        if found:
            return found[0]
        close = self.registry.find_fuzzy(name, type="project")
        if close and close[0][1] >= 0.85:
            return close[0][0]
        shared = self._by_parts(name, head)
        return shared or f"project:unk:{slug(name)}"

    def _by_parts(self, name: str, head: str) -> str | None:
        stated = set(stated_countries(name, self.registry))
        head_word = fold(head).split()[-1]
        best: tuple[tuple[int, float], str] | None = None
        for project in self.registry.projects.values():
            names = [project.name, *project.aliases]
            if not any(head_word in fold(n).split() for n in names):
                continue
            shared = len(stated & set(project.countries))
            if shared < 2:
                continue
            similarity = max(fuzz.token_sort_ratio(fold(name), fold(n)) for n in names)
            rank = (shared, similarity)
            if similarity >= 60 and (best is None or rank > best[0]):
                best = (rank, f"project:{project.id}")
        return best[1] if best else None

    def _anaphors(self, named: list[_Reference]) -> list[_Reference]:
        """"the railway project" -> the latest project named before it with that noun."""
        found = []
        for _, sentence in self.sentences:
            text = self.doc.text[sentence.start:sentence.end]
            for match in self.words.patterns["anaphor"].finditer(text):
                start, end = sentence.start + match.start(), sentence.start + match.end()
                if any(r.start <= start < r.end or r.start < end <= r.end for r in named):
                    continue
                antecedent = self._antecedent(match.group("words").lower().split(), start, named)
                if antecedent is not None:
                    found.append(_Reference(start, end, self.doc.text[start:end],
                                            antecedent.project_id, named=False))
        return found

    def _antecedent(self, nouns: list[str], before: int,
                    named: list[_Reference]) -> _Reference | None:
        generic = {"project", "line"}
        specific = [noun for noun in nouns if noun not in generic]
        for reference in sorted(named, key=lambda r: r.start, reverse=True):
            if reference.end > before:
                continue
            record = self.records.get(reference.project_id)
            names = fold(" ".join([reference.text, record.name if record else ""])).split()
            if not specific or specific[0] in names:
                return reference
        return None

    def _record(self, reference: _Reference) -> None:
        record = self.records.get(reference.project_id)
        stated = stated_countries(reference.text, self.registry)
        if record is None:
            record = self._new_record(reference)
            self.records[reference.project_id] = record
        for form in (reference.core, reference.text):
            if form and form not in record.mentions:
                record.mentions.append(form)
        for code in stated:
            if code not in record.stated_countries:
                record.stated_countries.append(code)

    def _new_record(self, reference: _Reference) -> ProjectRecord:
        key = reference.project_id.split(":", 1)[1]
        project = self.registry.projects.get(key)
        if project is not None:
            exact = bool(self.registry.find(reference.text, type="project"))
            return ProjectRecord(
                project_id=reference.project_id, name=project.name, start=reference.start,
                end=reference.end, countries=list(project.countries),
                sector=project.sector or None, sentence=self.doc.sentence_of(reference.start),
                confidence=0.95 if exact else 0.75, provenance=TAG)
        stated = stated_countries(reference.text, self.registry)
        return ProjectRecord(
            project_id=reference.project_id, name=reference.text, start=reference.start,
            end=reference.end, countries=stated or article_dyad(self.doc, self.registry),
            sentence=self.doc.sentence_of(reference.start), confidence=0.6, provenance=TAG)

    # -- milestones -----------------------------------------------------------------------

    def _milestones(self, index: int, sentence: Span, references: list[_Reference]) -> None:
        if self.parse is None:
            return
        inside = [r for r in references if sentence.start <= r.start < sentence.end]
        if not inside:
            return
        tokens = self.parse.char_span(sentence.start, sentence.end, alignment_mode="expand")
        for status, trigger in self._triggers(tokens):
            reference = self._about(trigger, inside)
            if reference is None or any(t.dep_ == "neg" for t in trigger[0].children):
                continue
            milestone = self._milestone(index, sentence, status, trigger)
            record = self.records.get(reference.project_id)
            if record is not None and not any(
                    (m.status, m.date) == (milestone.status, milestone.date)
                    for m in record.milestones):
                record.milestones.append(milestone)

    def _triggers(self, tokens: Any) -> list[tuple[str, list[Any]]]:
        """(status, tokens) of every status form in the sentence, the longest form first,
        a token used by one form only; ``tokens[0]`` is the form's top token."""
        found: list[tuple[str, list[Any]]] = []
        used: set[int] = set()
        by_lemma: dict[str, list[Any]] = {}
        for token in tokens:
            if token.pos_ in ("VERB", "NOUN", "ADJ", "ADP", "DET", "ADV", "PART", "AUX"):
                by_lemma.setdefault(token.lemma_.lower(), []).append(token)
                by_lemma.setdefault(token.lower_, []).append(token)
        for status, lemmas in sorted(self.words.statuses, key=lambda item: -len(item[1])):
            if not all(lemma in by_lemma for lemma in lemmas):
                continue
            for combo in itertools.product(*(by_lemma[lemma] for lemma in lemmas)):
                if len({t.i for t in combo}) != len(combo) or used & {t.i for t in combo}:
                    continue
                top = _connected(list(combo))
                if top is None or (len(combo) == 1 and top.pos_ not in ("VERB", "NOUN")):
                    continue
                found.append((status, [top, *(t for t in combo if t.i != top.i)]))
                used.update(t.i for t in combo)
        return found

    def _about(self, trigger: list[Any], references: list[_Reference]) -> _Reference | None:
        best: tuple[int, _Reference] | None = None
        for reference in references:
            root = self._referent(reference)
            if root is None:
                continue
            distance = min(tree_distance(token, root) for token in trigger)
            if _acts_on_other(trigger, root):
                continue
            if distance <= _LINK_DISTANCE and (best is None or distance < best[0]):
                best = (distance, reference)
        return best[1] if best else None

    def _referent(self, reference: _Reference) -> Any | None:
        """The token a step must be joined to for it to be about the project: the name's head,
        or the project noun it modifies ("the X railway project"); None when the name only
        modifies another noun ("Belt and Road cooperation has been expanded" is about the
        cooperation)."""
        root = span_root(self.doc, reference.start, reference.end)
        while root is not None and root.dep_ == "compound" and \
                root.head.lower_ in self.words.anaphors:
            root = root.head
        if root is not None and root.dep_ in ("compound", "amod", "nmod"):
            return None
        return root

    def _milestone(self, index: int, sentence: Span, status: str,
                   trigger: list[Any]) -> Milestone:
        top = trigger[0]
        start = min(t.idx for t in trigger)
        end = max(t.idx + len(t.text) for t in trigger)
        cue = self._planning_cue(top, sentence)
        own = self._own_date(index, top)
        published = self.doc.meta.published
        if cue is not None and status not in ("proposed", "planned", "agreed"):
            # A plan is dated the day it was made: its own date when that lies before the
            # report ("agreed in 2016 to launch"), else the report's ("will launch in 2026").
            status = "agreed" if cue in _AGREEING else "planned"
            past = own is not None and (published is None or _before(own, published))
            return Milestone(status, own if past else published, start, end)
        if own is not None:
            return Milestone(status, own, start, end)
        date = published if self._step_tense(top) == "present" else None
        return Milestone(status, date, start, end)

    def _step_tense(self, top: Any) -> str:
        """past or present for the step's own verb ("was put", "has been delayed" are past),
        or, for a noun ("the inauguration of"), the tense of the verb it hangs on."""
        if top.pos_ in ("VERB", "AUX"):
            auxes = [child for child in top.children if child.dep_ in ("aux", "auxpass")]
            if top.tag_ == "VBD" or any(aux.lower_ in ("has", "have", "had", "was", "were",
                                                       "did") for aux in auxes):
                return "past"
            if top.tag_ == "VBN" and not auxes:
                return "past"
            return "present"
        return clause_tense(self.parse, top.idx, top.idx + len(top.text))[0]

    def _planning_cue(self, top: Any, sentence: Span) -> str | None:
        """The word that makes a step a plan (a modal, "necessary", "agree to"...), if any.
        A participle clause ("Launched last December, the railway will...") is a step of its
        own: the clause it hangs on does not make it a plan."""
        participle = top.tag_ in ("VBN", "VBD") and top.dep_ in ("advcl", "acl", "amod")
        for node in [top] if participle else [top, *top.ancestors]:
            if node.i != top.i and node.lemma_.lower() in self.words.planning:
                return node.lemma_.lower()
            for child in node.children:
                if child.dep_ in ("aux", "acomp", "advmod") and \
                        child.lemma_.lower() in self.words.planning:
                    return child.lemma_.lower()
        near = self.doc.text[top.idx:sentence.end].lower()
        for phrase in self.words.planning_phrases:
            if phrase in near:
                return phrase
        return None

    def _own_date(self, index: int, top: Any) -> str | None:
        """The date expression governed by the step's verb or one above it."""
        chain = {top.i, *(t.i for t in top.ancestors)}
        for span in self.timex:
            if span.attrs.get("sentence") == index and span.attrs.get("head") in chain:
                return str(span.attrs["value"])
        return None


def _connected(tokens: list[Any]) -> Any | None:
    """The top token when ``tokens`` form one subtree of the parse (each but one has its head
    among them), else None."""
    indexes = {token.i for token in tokens}
    tops = [token for token in tokens if token.head.i not in indexes or token.head.i == token.i]
    return tops[0] if len(tops) == 1 else None


def _acts_on_other(trigger: list[Any], referent: Any) -> bool:
    """True when the step's verb has an object of its own that is not the project ("open
    more flights" next to "build the railway" is about the flights)."""
    inside = {token.i for token in trigger}
    for child in trigger[0].children:
        if child.dep_ in ("dobj", "obj", "nsubjpass") and child.i not in inside and \
                child.tag_ not in ("WDT", "WP") and \
                referent.i not in {token.i for token in child.subtree}:
            return True
    return False


def _before(value: str, published: str) -> bool:
    """True when the date ``value`` (YYYY[-MM[-DD]] or START/END) ends before the day of
    ``published``, compared at the precision of ``value``."""
    last = value.split("/")[-1]
    return last < published[:len(last)]
