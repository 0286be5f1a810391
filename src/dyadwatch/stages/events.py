"""Event coding over dependency parses: who did what to whom, when and where.

Not keyword spotting: a predicate found in the lexicon (a verb, a light verb with an event
noun such as "pay a visit", or an event noun such as "talks", "the signing of") takes its
source from its grammatical subject (or the agent of a passive, or the possessor/"by"-phrase
of an event noun) and its target from its object or its "with"/"to"/"against"/"on" phrase.
Reported speech gives the speaker as source where the clause has no actor of its own;
"X hopes Y will…" and "Y should…" said by X are requests; praise of the other side's record
is support. Intent ("is willing to", "will", "is ready to") turns a cooperative action into
AGREE, as the PLOVER manual says. Negation and modality set the PLOVER mode. Dates come from
the event's own temporal expression; else from a named occasion dated elsewhere in the
article ("the Forum … was held last month"); else, for events reported as current, from the
paragraph's or the article's reference date; background (perfect aspect, "for years") stays
undated. Boilerplate and metadata lines are never a source.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from ..document import Actor, Document, Event, Mention
from ..lexicon import Lexicon, load_lexicon
from ..pipeline import register_stage

__all__ = ["EventCoder", "load_evaluation_words"]

VERSION = "1"
TAG = f"events@{VERSION}"

_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
_OBJECTS = {"dobj", "obj", "attr", "oprd"}
_TARGET_PREPS = ("with", "to", "against", "on", "toward", "towards", "for", "between", "from")
_LIGHT_VERBS = {"make", "pay", "hold", "have", "conduct", "begin", "start", "launch", "embark",
                "carry", "stage", "undertake", "attend", "witness", "sign", "reach", "express",
                "extend", "offer", "announce", "continue", "resume", "host", "receive"}
_SPEECH = {"say", "add", "note", "stress", "state", "tell", "announce", "emphasize",
           "emphasise", "point", "believe", "declare", "reiterate", "remark", "underline",
           "affirm", "insist", "write"}
_INTENT = {"willing", "ready", "prepared", "eager", "determined", "keen", "committed",
           "readiness", "willingness", "desire", "commitment", "intention", "wish"}
_PROSPECTIVE = {"future", "intend", "hypothetical", "conditional"}
_INTENT_VERBS = {"intend", "plan", "aim", "seek", "want", "wish", "vow", "pledge", "promise",
                 "offer", "agree", "decide", "expect", "hope"}
_DEONTIC = {"should", "must", "need", "ought"}
_FUTURE = {"will", "shall", "'ll"}
_HYPOTHETICAL = {"may", "might", "could", "would"}
# PLOVER: cooperative and conciliatory actions reported as promised or intended are AGREE;
# conflictual ones announced for the future are THREATEN; refused or negated cooperation is
# REJECT.
_COOPERATIVE = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT", "CONCEDE"}
_CONFLICTUAL = {"PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
_NEGATING_HEADS = {"fail", "refuse", "decline", "reject"}
_ECONOMIC = {"trade", "economic", "economy", "investment", "invest", "import", "export",
             "business", "commerce", "financial", "finance", "enterprise", "market",
             "industrial", "industry", "agricultural", "energy"}
_BACKGROUND_TIMEX = re.compile(r"\b(recent|many|past|several|the last)\s+(years|decades|months)\b"
                               r"|\bsince\b|\bfor\s+(?:years|decades|months)\b", re.I)


@lru_cache(maxsize=1)
def load_evaluation_words() -> frozenset[str]:
    """Lemmas that make a reported clause about the other side praise (achieve, prosper…)."""
    data = resources.files("dyadwatch.data").joinpath("lexicon").joinpath("praise.tsv").read_text("utf-8")
    rows = csv.reader((ln for ln in data.splitlines() if ln and not ln.startswith("#")),
                      delimiter="\t")
    next(rows)
    return frozenset(row[0].strip().lower() for row in rows if row)


@dataclass
class _Candidate:
    """A predicate with its code before actors and dates are settled."""

    cameo: str
    anchor: Any  # the spaCy token the event hangs on (verb, light verb or event noun)
    trigger: Any  # the token that names the event
    rule: str
    sources: list[Mention] = field(default_factory=list)
    targets: list[Mention] = field(default_factory=list)
    mode: str = ""
    negated: bool = False
    confidence: float = 0.9
    own_date: tuple[str, str] | None = None  # (value, precision) of its own timex
    background: bool = False  # its own expression says "for years", "since…"


@register_stage("events", version=VERSION, requires=("mentions", "sentences", "timex"),
                adds=("events",))
class EventCoder:
    """Code PLOVER/CAMEO events from parsed sentences, with actors, mode, date and evidence."""

    def __init__(self, *, lexicon_files: Iterable[str] = (), min_actors: int = 2) -> None:
        self.lexicon: Lexicon = load_lexicon(tuple(str(path) for path in lexicon_files))
        self.min_actors = min_actors
        self.praise = load_evaluation_words()

    def __call__(self, doc: Document) -> Document:
        if doc.spacy_doc is None:
            return doc
        coder = _DocCoder(doc, self.lexicon, self.praise, self.min_actors)
        doc.events = coder.code()
        return doc


class _DocCoder:
    """Everything needed to code one document; built per document, never shared."""

    def __init__(self, doc: Document, lexicon: Lexicon, praise: frozenset[str],
                 min_actors: int, *, parse: Any = None) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.praise = praise
        self.min_actors = min_actors
        # the parse to read: the document's, or a re-parse of one headline (same offsets)
        self.parse = parse if parse is not None else doc.spacy_doc
        self.by_token: dict[int, list[Mention]] = {}
        for mention in doc.mentions:
            for token in self.parse.char_span(mention.start, mention.end,
                                              alignment_mode="expand") or ():
                self.by_token.setdefault(token.i, []).append(mention)
        self.excluded = [(s.start, s.end) for s in doc.layer("boilerplate")]
        self.excluded += [(s.start, s.end) for s in doc.layer("header")]
        self.excluded += [(s.start, s.end) for s in doc.layer("faq")]
        self.published = _iso_date(doc.meta.published)
        self.timex = [t for t in doc.layer("timex") if not t.attrs.get("boilerplate")
                      and not any(s <= t.start < e for s, e in self.excluded)]
        self.occasions = self._occasion_dates()

    # --- driving ---------------------------------------------------------------------

    def code(self) -> list[Event]:
        events: list[Event] = []
        peg: str | None = None
        paragraph_date: str | None = None
        paragraph = -1
        for index, sentence in enumerate(self.doc.spacy_doc.sents):
            if self._excluded(sentence.start_char, sentence.end_char):
                continue
            if self._paragraph_of(sentence) != paragraph:
                paragraph, paragraph_date = self._paragraph_of(sentence), None
            own_dates = self._sentence_dates(sentence)
            coder, read = self, sentence
            candidates = _drop_intent_heads(_drop_request_content(list(self._candidates(sentence))))
            if not candidates and self._is_headline(sentence):
                coder, read = self._headline_coder(sentence)
                candidates = list(coder._candidates(read)) if read is not None else []
            else:
                self._assign_dates(candidates, own_dates)
            for candidate in candidates:
                event = coder._event(candidate, read, index, paragraph_date or peg)
                if event is not None:
                    events.append(event)
            first_day = next((v for v, p, _ in own_dates if v and p == "day"), None)
            if first_day and (self.published is None or first_day <= self.published):
                paragraph_date = first_day
                peg = peg or first_day
        return _dedupe(events)

    def _is_headline(self, sentence: Any) -> bool:
        """A title line in Title Case ("Xi Jinping Talks with President Zaparov")."""
        if not any(t.start <= sentence.start_char < t.end for t in self.doc.layer("title")):
            return False
        words = re.findall(r"[A-Za-z][\w'-]*", sentence.text)
        capitals = sum(word[0].isupper() for word in words)
        return len(words) >= 3 and capitals >= 0.6 * len(words)

    def _headline_coder(self, sentence: Any) -> tuple[_DocCoder, Any]:
        """Re-parse a Title Case headline with its ordinary words lower-cased (names kept),
        so that "Talks", "Meets", "Imposes" are read as the verbs they are. Offsets do not
        move: the text is padded to the headline's place in the document."""
        from .nlp import load_nlp

        start, end = sentence.start_char, sentence.end_char
        names = [(m.start, m.end) for m in self.doc.mentions if start <= m.start < end]
        chars = list(self.doc.text[start:end])
        for match in re.finditer(r"\b[A-Z][a-z][\w'-]*", sentence.text):
            at = start + match.start()
            if not any(a <= at < b for a, b in names):
                chars[match.start()] = chars[match.start()].lower()
        parse = load_nlp()(" " * start + "".join(chars))
        coder = _DocCoder(self.doc, self.lexicon, self.praise, self.min_actors, parse=parse)
        read = next((s for s in parse.sents if s.start_char <= start < s.end_char + 1
                     and s.text.strip()), None)
        if read is None:
            read = next((s for s in parse.sents if s.text.strip()), None)
        return coder, read

    def _excluded(self, start: int, end: int) -> bool:
        """True when most of [start, end) is boilerplate or metadata."""
        inside = sum(max(0, min(end, e) - max(start, s)) for s, e in self.excluded)
        return inside >= (end - start) * 0.5

    def _paragraph_of(self, sentence: Any) -> int:
        return self.doc.text.count("\n", 0, sentence.start_char)

    # --- predicates ------------------------------------------------------------------

    def _candidates(self, sentence: Any) -> Iterator[_Candidate]:
        for token in sentence:
            if self._token_excluded(token):
                continue
            if token.pos_ in ("VERB", "AUX") or (token.pos_ == "NOUN" and token.dep_ == "ROOT"
                                                 and token.tag_ == "VBZ"):
                yield from self._verbal(token)
            elif token.pos_ in ("NOUN", "PROPN"):
                candidate = self._nominal(token)
                if candidate:
                    yield candidate

    def _token_excluded(self, token: Any) -> bool:
        return any(s <= token.idx < e for s, e in self.excluded)

    def _verbal(self, verb: Any) -> Iterator[_Candidate]:
        lemma = verb.lemma_.lower()
        particle = next((c.lemma_.lower() for c in verb.children if c.dep_ == "prt" or
                         (c.dep_ == "advmod" and c.lower_ == "together")), None)
        obj = _object_of(verb)
        object_lemma = obj.lemma_.lower() if obj is not None else None
        preps = [c.lemma_.lower() for c in verb.children if c.dep_ in ("prep", "agent", "dative")]
        if _is_hope(verb) and any(c.dep_ == "ccomp" for c in verb.children):
            yield from self._reported(verb)  # "X hopes Y will…": a request, read as speech
            return
        entry = self.lexicon.match_verb(lemma, particle=particle, prep=preps or None,
                                        object_lemma=object_lemma)
        if obj is not None and lemma in _LIGHT_VERBS and not (entry and entry.objects):
            # "pay a visit", "hold talks": the event noun names the event, unless the verb
            # has a row for this very object ("held a call" is a phone call, 041)
            noun = self.lexicon.match_noun(object_lemma or "",
                                           modifiers=[c.lemma_.lower() for c in obj.children])
            if noun and not _is_plain_agreement_noun(obj, lemma):
                yield self._with_actors(_Candidate(noun.cameo, verb, obj, "light_verb"), verb)
                return
        if entry is not None:
            candidate = _Candidate(entry.cameo, verb, verb, "verb")
            yield self._with_actors(candidate, verb, preps=(entry.prep,) if entry.prep else ())
            return
        if lemma in _SPEECH or _is_hope(verb):
            yield from self._reported(verb)

    def _nominal(self, noun: Any) -> _Candidate | None:
        """Event nouns not governed by a light verb: "the visit by X to Y", "X's meetings"."""
        head = noun.head
        if noun.dep_ in _OBJECTS and head.lemma_.lower() in _LIGHT_VERBS:
            return None  # coded with its light verb
        entry = self.lexicon.match_noun(noun.lemma_.lower(),
                                        modifiers=[c.lemma_.lower() for c in noun.children])
        if entry is None or _is_plain_agreement_noun(noun, head.lemma_.lower()):
            return None
        if noun.dep_ == "compound":
            return None  # "visit" in "visit programme" names no event
        candidate = _Candidate(entry.cameo, noun, noun, "nominal", confidence=0.75)
        candidate.sources = self._noun_agents(noun)
        candidate.targets = self._prep_actors(noun) or self._stranded_prep_actors(noun)
        if not candidate.sources and noun.dep_ in _OBJECTS | {"pobj"}:
            governor = head if noun.dep_ in _OBJECTS else head.head
            if self._judges(governor, noun):
                # "China condemned the attack on Pakistan": the critic is not the attacker.
                # A neutral or aspectual verb lends its subject ("renewed negotiations",
                # "organized a strike", "spoke … during a visit to Kazakhstan").
                return None
            candidate.sources = self._subject_actors(governor)
            candidate.anchor = governor
        if len(candidate.sources) >= 2 and not candidate.targets:
            candidate.sources, candidate.targets = candidate.sources[:1], candidate.sources[1:]
        return candidate

    def _judges(self, governor: Any, noun: Any) -> bool:
        """True when ``governor`` is itself an event about the noun's event (condemn,
        refuse, threaten, appeal for, welcome…) or a speech verb: then its subject is not
        the actor of what the noun names."""
        lemma = governor.lemma_.lower()
        if lemma in _LIGHT_VERBS:
            return False
        if lemma in _SPEECH:
            return True
        entry = self.lexicon.match_verb(lemma, object_lemma=noun.lemma_.lower())
        return entry is not None

    def _with_actors(self, candidate: _Candidate, verb: Any, *,
                     preps: tuple[str, ...] = ()) -> _Candidate:
        candidate.sources = self._subject_actors(verb)
        candidate.targets = self._object_actors(verb, candidate.trigger, preps=preps)
        if len(candidate.sources) >= 2 and not candidate.targets:
            # "Xi and Nazarbayev met", "the two leaders signed": a reciprocal event
            candidate.sources, candidate.targets = candidate.sources[:1], candidate.sources[1:]
        candidate.mode, candidate.negated = self._mode(verb)
        return candidate

    # --- reported speech, requests, praise ---------------------------------------------

    def _reported(self, verb: Any) -> Iterator[_Candidate]:
        speakers = self._subject_actors(verb)
        clauses = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp", "advcl")]
        if verb.dep_ in ("ccomp", "parataxis") and verb.head.pos_ in ("VERB", "AUX", "ADJ"):
            clauses.append(verb.head)  # "China is willing to …, he said"
        if not speakers:
            return
        for clause in clauses:
            subjects = self._subject_actors(clause)
            if not subjects:
                continue
            if _is_hope(verb) or _has_child(clause, _DEONTIC):
                if _other_side(speakers, subjects):
                    yield self._clause_candidate("020", verb, clause, speakers, subjects,
                                                 "request")
                continue
            if clause.lemma_.lower() in self.praise and \
                    _countries(subjects) and not _countries(subjects) & _countries(speakers):
                yield self._clause_candidate("051", verb, clause, speakers, subjects, "praise")

    def _clause_candidate(self, cameo: str, verb: Any, clause: Any, sources: list[Mention],
                          targets: list[Mention], rule: str) -> _Candidate:
        candidate = _Candidate(cameo, verb, clause, rule, confidence=0.7)
        candidate.sources, candidate.targets = sources, targets
        candidate.mode, candidate.negated = self._mode(clause)
        return candidate

    # --- actors ------------------------------------------------------------------------

    def _subject_actors(self, verb: Any) -> list[Mention]:
        """Actors of the subject; climbing through xcomp/conj/advcl/relcl when it has none."""
        seen = 0
        while verb is not None and seen < 6:
            seen += 1
            subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
            agents = [p for c in verb.children if c.dep_ == "agent" for p in c.children]
            if subjects and subjects[0].dep_ == "nsubjpass":
                subjects = agents
            actors = [a for s in subjects for a in self._np_actors(s)]
            if subjects:
                if subjects[0].lower_ in ("who", "which", "that") and verb.dep_ == "relcl":
                    return self._np_actors(verb.head)
                if not actors and subjects[0].lower_ in ("we", "i"):
                    return self._speaker(verb)  # '"We are ready…," Xi said'
                return actors
            if verb.dep_ == "relcl":
                return self._np_actors(verb.head)
            if verb.dep_ in ("xcomp", "conj", "advcl", "acomp", "ccomp") or \
                    (verb.dep_ == "pcomp"):
                verb = verb.head
                continue
            if verb.dep_ == "acl" and verb.head.dep_ in ("dobj", "attr"):
                verb = verb.head.head
                continue
            return []
        return []

    def _speaker(self, verb: Any) -> list[Mention]:
        """The actor who says the quoted clause ``verb`` stands in."""
        for node in [verb, *verb.ancestors]:
            speech = [node] if node.lemma_.lower() in _SPEECH else [
                c for c in node.children if c.dep_ in ("parataxis", "ccomp")
                and c.lemma_.lower() in _SPEECH]
            for head in speech:
                subjects = [c for c in head.children if c.dep_ in _SUBJECTS]
                actors = [a for s in subjects for a in self._np_actors(s)]
                if actors:
                    return actors
        return []

    def _object_actors(self, verb: Any, trigger: Any, *, preps: tuple[str, ...] = ()) -> list[Mention]:
        """Actors of the object, else of a target preposition ("with", "to", "against"…,
        and the one the lexicon entry names, as "in" for "invest in"); for a passive, its
        subject ("Kyrgyzstan was attacked by Tajikistan")."""
        if any(c.dep_ == "agent" for c in verb.children):
            for child in verb.children:
                if child.dep_ == "nsubjpass":
                    actors = self._np_actors(child)
                    if actors:
                        return actors
        for child in verb.children:  # "give Tanzania a grant": the indirect object
            if child.dep_ == "dative" and child.pos_ in ("PROPN", "NOUN", "PRON"):
                actors = self._np_actors(child, objective=True)
                if actors:
                    return actors
        obj = _object_of(verb)
        for node in filter(None, [obj, trigger if trigger is not verb else None]):
            actors = self._np_actors(node, objective=True)
            if actors:
                return actors
            # the object's own phrases: "aid for Romania", "an admission by Moscow"
            found = self._prep_actors(node, extra=("by",))
            if found:
                return found
        found = self._prep_actors(verb, extra=preps)
        if found:
            return found
        for child in verb.children:  # "to work with X" under an intent head
            if child.dep_ in ("xcomp", "advcl") and child.pos_ == "VERB":
                found = self._prep_actors(child) or self._np_actors(_object_of(child),
                                                                    objective=True)
                if found:
                    return found
        return []

    def _prep_actors(self, head: Any, *, extra: tuple[str, ...] = ()) -> list[Mention]:
        if head is None:
            return []
        for prep in head.children:
            if prep.dep_ in ("prep", "dative") and prep.lemma_.lower() in _TARGET_PREPS + extra:
                for pobj in prep.children:
                    if pobj.dep_ in ("pobj", "dobj"):
                        actors = self._np_actors(pobj, objective=True)
                        if actors:
                            return actors
        return []

    def _destination(self, anchor: Any) -> list[Mention]:
        """Where a visit went: "arrived in Amman", "a visit to Kazakhstan" (a place's country)."""
        for prep in anchor.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "to", "at"):
                for pobj in prep.children:
                    places = [m for m in self.by_token.get(pobj.i, ())
                              if m.type in ("LOCATION", "COUNTRY") and m.country]
                    if places:
                        return places
        return []

    def _stranded_prep_actors(self, noun: Any) -> list[Mention]:
        """A "to"/"with" phrase the parser hung on the verb though it stands between the
        event noun and that verb ("the visit by X, a member of …, to Kyrgyzstan marks…")."""
        head = noun.head
        if noun.dep_ not in _SUBJECTS or head.i <= noun.i:
            return []
        for prep in head.children:
            if prep.dep_ == "prep" and noun.i < prep.i < head.i and \
                    prep.lemma_.lower() in _TARGET_PREPS:
                for pobj in prep.children:
                    actors = self._np_actors(pobj)
                    if actors:
                        return actors
        return []

    def _noun_agents(self, noun: Any) -> list[Mention]:
        """Source of an event noun: its possessor, or its "by"-phrase, or a country adjective."""
        for child in noun.children:
            if child.dep_ == "poss":
                return self._np_actors(child)
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ == "by":
                for pobj in prep.children:
                    return self._np_actors(pobj)
        for child in noun.children:
            if child.dep_ in ("amod", "compound") and child.i in self.by_token:
                return self._np_actors(child)
        return []

    def _np_actors(self, token: Any, *, shallow: bool = False,
                   objective: bool = False) -> list[Mention]:
        """The actors a noun phrase stands for: the head's mention(s), conjuncts, modifiers.

        ``objective``: the phrase is an object, where a possessive pronoun ("withdraw its
        troops") points back at the subject, not at a target.
        """
        if token is None:
            return []
        found = self._actor_mentions(token)
        if not found:
            for child in token.children:
                if child.dep_ in ("poss", "compound", "amod", "nmod") and child.i in self.by_token:
                    if objective and child.pos_ == "PRON":
                        continue
                    found = self._actor_mentions(child)
                    # "Indian and Chinese soldiers": the modifier's conjuncts count too
                    for conj in child.conjuncts:
                        found += [m for m in self._actor_mentions(conj) if m not in found]
                    if found:
                        break
        if not found and not shallow:
            # "leaders of the Ata-Jurt party", "groups in Zimbabwe", "activists from Fatah",
            # "resume attacks in Israel" (a place of the signer's own country is dropped
            # later, so "signed it in Beijing" keeps its co-signers as targets)
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ in ("of", "in", "from"):
                    for pobj in prep.children:
                        found = self._np_actors(pobj, shallow=True, objective=objective)
                if found:
                    break
        for conj in token.children:
            if conj.dep_ == "conj":
                found = found + [m for m in self._np_actors(conj, shallow=True) if m not in found]
        return found

    def _actor_mentions(self, token: Any) -> list[Mention]:
        return [m for m in self.by_token.get(token.i, ()) if _is_actor(m)]

    # --- mode, dates, event -----------------------------------------------------------

    def _mode(self, verb: Any) -> tuple[str, bool]:
        """PLOVER mode and negation from auxiliaries, intent frames and negation markers."""
        chain = [verb] + [a for a in verb.ancestors][:3]
        negated = any(c.dep_ == "neg" for c in verb.children) or any(
            node.lemma_.lower() in _NEGATING_HEADS for node in chain[1:3])
        words = {c.lower_ for node in chain for c in node.children if c.dep_ in ("aux", "neg")}
        heads = {node.lemma_.lower() for node in chain}
        if negated:
            return "negated", True
        if words & _FUTURE or heads & {"schedule", "expect"} & heads:
            return "future", False
        if heads & _INTENT or heads & _INTENT_VERBS or words & {"going"}:
            return "intend", False
        if words & _DEONTIC or words & _HYPOTHETICAL:
            return "hypothetical", False
        if any(c.lower_ in ("if", "unless") for node in (verb, *verb.children)
               for c in node.children if c.dep_ == "mark"):
            return "conditional", False
        return "", False

    def _sentence_dates(self, sentence: Any) -> list[tuple[str | None, str | None, Any]]:
        """The sentence's dated expressions, and its background ones ("for years", "in
        recent years") with no value: those make the events they belong to undated."""
        found = []
        for span in self.timex:
            if not sentence.start_char <= span.start < sentence.end_char:
                continue
            if span.attrs.get("value") or _BACKGROUND_TIMEX.search(span_text(self.doc, span)):
                found.append((span.attrs.get("value"), span.attrs.get("precision"), span))
        return found

    def _occasion_dates(self) -> dict[str, str]:
        """Named occasions dated somewhere in the article: "the Forum … was held last month"."""
        dates: dict[str, str] = {}
        if self.doc.spacy_doc is None:
            return dates
        for span in self.timex:
            value = span.attrs.get("value")
            if not value or "/" in value:
                continue
            sentence = self.doc.spacy_doc.char_span(span.start, span.end, alignment_mode="expand")
            if sentence is None:
                continue
            for token in sentence.sent:
                if token.lemma_.lower() in ("hold", "take", "convene", "open", "close") and \
                        token.pos_ == "VERB":
                    subject = next((c for c in token.children if c.dep_ in _SUBJECTS), None)
                    if subject is not None:
                        name = _occasion_name(subject)
                        if name:
                            dates[name] = value
        return dates

    def _assign_dates(self, candidates: list[_Candidate], own_dates: list) -> None:
        """Give each temporal expression to the predicate it belongs to.

        Walking up the parse from the expression, the first event predicate met owns it;
        a plain verb met first ("said on Tuesday", "to be held from Friday") owns it for
        the events inside its own clause only; an expression with no parse applies to all.
        """
        by_token: dict[int, list[_Candidate]] = {}
        for candidate in candidates:
            for token in {candidate.anchor.i, candidate.trigger.i}:
                by_token.setdefault(token, []).append(candidate)
        for value, precision, span in own_dates:
            background = bool(_BACKGROUND_TIMEX.search(span_text(self.doc, span)))
            for candidate in self._owners(span, by_token, candidates):
                if candidate.own_date is None and not candidate.background:
                    candidate.own_date = (value, precision)
                    candidate.background = background

    def _owners(self, span: Any, by_token: dict[int, list[_Candidate]],
                candidates: list[_Candidate]) -> list[_Candidate]:
        head = span.attrs.get("head")
        if head in (None, -1) or self.doc.spacy_doc is None:
            return candidates
        token = self.doc.spacy_doc[head]
        for node in [token, *token.ancestors]:
            if node.i in by_token:
                return by_token[node.i]
            if node.pos_ in ("VERB", "AUX") and node.dep_ != "aux":
                return [c for c in candidates
                        if c.anchor is node or node in c.anchor.ancestors]
        return candidates

    def _event(self, candidate: _Candidate, sentence: Any, index: int,
               reference: str | None) -> Event | None:
        sources = _dedupe_actors(candidate.sources)
        own = {m.entity_id for m in sources}
        targets = [t for t in _dedupe_actors(candidate.targets) if t.entity_id not in own
                   and (t.country not in _countries(sources) or not t.country)]
        if not targets and len(_countries(sources)) >= 2:
            # "China, Kyrgyzstan and Uzbekistan signed…": the co-actors are each other's
            targets = [m for m in sources[1:] if m.country != sources[0].country]
            sources = sources[:1]
        if not sources or (self.min_actors >= 2 and not targets):
            return None
        if not targets and candidate.cameo in ("042", "043"):
            targets = [t for t in self._destination(candidate.anchor) + self._destination(
                candidate.trigger) if t.country not in _countries(sources)]
        source, target = sources[0], targets[0] if targets else None
        if target is not None and source.country and source.country == target.country:
            return None
        try:
            code = self.lexicon.cameo(candidate.cameo)
        except KeyError:
            return None
        plover, cameo, mode = code.plover, code.code, candidate.mode
        recoded = _recode(plover, mode, candidate, sentence)
        if recoded is not None:
            plover, cameo = self.lexicon.cameo(recoded).plover, recoded
            code = self.lexicon.cameo(recoded)
        value, precision, source_kind = self._date_for(candidate, sentence, reference)
        start, end = self._evidence(sentence, candidate.trigger)
        return Event(
            plover=plover, cameo=cameo, source=_actor(source), target=_actor(target),
            start=start, end=end, trigger=candidate.trigger.text,
            trigger_start=candidate.trigger.idx,
            trigger_end=candidate.trigger.idx + len(candidate.trigger.text),
            mode=mode, negated=candidate.negated, date=value, date_precision=precision,
            date_source=source_kind, location=self._location(candidate.anchor),
            goldstein=code.goldstein, quad=code.quad, sentence=index,
            confidence=candidate.confidence, provenance=TAG, rule=candidate.rule,
        )

    def _date_for(self, candidate: _Candidate, sentence: Any,
                  reference: str | None) -> tuple[str | None, str | None, str | None]:
        if candidate.background:
            return None, None, None
        if candidate.own_date:
            value, precision = candidate.own_date
            return value, precision, "timex"
        occasion = self._occasion_for(sentence)
        if occasion:
            return occasion, _precision(occasion), "occasion"
        if _is_background(candidate.anchor) or self.published is None:
            return None, None, None
        if candidate.mode in ("future", "intend", "hypothetical", "conditional") and \
                candidate.rule not in ("request", "praise"):
            base = reference or self.published
            return base, _precision(base), "reference"
        base = reference or self.published
        return base, _precision(base), "reference" if reference else "published"

    def _occasion_for(self, sentence: Any) -> str | None:
        text = sentence.text
        for name, value in self.occasions.items():
            if name in text:
                return value
        return None

    def _evidence(self, sentence: Any, trigger: Any) -> tuple[int, int]:
        """The sentence, cut back to the part outside boilerplate that holds the trigger."""
        start, end = sentence.start_char, sentence.end_char
        for s, e in self.excluded:
            if s <= trigger.idx < e:
                continue
            if s < end and e > start:
                if e <= trigger.idx:
                    start = max(start, e)
                elif s > trigger.idx:
                    end = min(end, s)
        while end > start and self.doc.text[end - 1].isspace():
            end -= 1
        return start, end

    def _location(self, anchor: Any) -> str | None:
        for prep in anchor.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "at"):
                for pobj in prep.children:
                    for mention in self.by_token.get(pobj.i, ()):
                        if mention.type in ("LOCATION", "COUNTRY"):
                            return mention.text
        return None


# --- helpers ------------------------------------------------------------------------------


def span_text(doc: Document, span: Any) -> str:
    """Text of a timex span with a few words of left context (for "in recent years")."""
    return doc.text[max(0, span.start - 12):span.end]


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _precision(value: str) -> str:
    if "/" in value:
        return "interval"
    return {10: "day", 7: "month", 4: "year"}.get(len(value), "day")


def _object_of(verb: Any) -> Any:
    return next((c for c in verb.children if c.dep_ in _OBJECTS), None) if verb is not None else None


def _has_child(token: Any, words: set[str]) -> bool:
    return any(c.lower_ in words or c.lemma_.lower() in words for c in token.children
               if c.dep_ in ("aux", "auxpass", "xcomp"))


def _is_actor(mention: Mention) -> bool:
    if mention.type in ("PERSON", "ORG"):
        # PLOVER codes organisations and people without a state too (NGOs, armed groups):
        # they are actors, with no country code
        return bool(mention.country) or bool(mention.entity_id)
    if mention.type in ("COUNTRY", "PRONOUN"):
        return bool(mention.country)
    if mention.type == "LOCATION":  # "Beijing said": a capital acting is its government
        return bool(mention.country) and mention.entity_id is not None and \
            mention.entity_id.startswith("place:") and mention.sector == "CVL" and \
            mention.resolved_by in ("registry", "exact")  # a known place, not a guess
    return False


def _other_side(speakers: list[Mention], subjects: list[Mention]) -> bool:
    """True when the clause's subject is another actor than the speaker's own side: a
    request. "the two countries should…" said by one of them is a proposal, not a request."""
    if _countries(subjects) & _countries(speakers):
        own = {m.entity_id for m in speakers} | {f"country:{c}" for c in _countries(speakers)}
        return not ({m.entity_id for m in subjects} & own) and len(_countries(subjects)) == 1 \
            and all(m.type != "COUNTRY" for m in subjects)
    return bool(_countries(subjects))


def _countries(mentions: list[Mention]) -> set[str]:
    return {m.country for m in mentions if m.country}


def _dedupe_actors(mentions: list[Mention]) -> list[Mention]:
    seen: set[str] = set()
    kept = []
    for mention in mentions:
        key = mention.entity_id or mention.text
        if key not in seen:
            seen.add(key)
            kept.append(mention)
    return kept


def _actor(mention: Mention | None) -> Actor | None:
    if mention is None:
        return None
    sector = mention.sector
    if mention.type == "LOCATION" and mention.country:
        sector = "GOV"  # "Beijing said", "Astana and Beijing signed": the capital's government
    return Actor(text=mention.text, start=mention.start, end=mention.end,
                 entity_id=mention.entity_id, country=mention.country, sector=sector,
                 role=mention.role)


def _recode(plover: str, mode: str, candidate: _Candidate, sentence: Any) -> str | None:
    """The CAMEO code an action becomes given its mode, or None to keep it (PLOVER rules)."""
    if candidate.rule in ("request", "praise"):
        return None
    if candidate.negated and plover in _COOPERATIVE | {"AGREE"}:
        return "120"  # reject: "will not accept", "failed to reach agreement"
    if plover in ("AGREE", "REQUEST", "THREATEN"):
        return None
    if plover in _COOPERATIVE and mode in _PROSPECTIVE:
        return "0311" if _economic(sentence) else "030"
    if plover in _CONFLICTUAL and mode in _PROSPECTIVE:
        return "130"  # threaten: "would blockade", "plans to impose restrictions"
    return None


def _is_hope(verb: Any) -> bool:
    # the small model lemmatises "hopes"/"hoped" as "hop"
    return verb.lemma_.lower() == "hope" or verb.lower_ in ("hopes", "hoped", "hoping", "hope")


def _economic(sentence: Any) -> bool:
    return any(token.lemma_.lower() in _ECONOMIC for token in sentence)


def _is_plain_agreement_noun(noun: Any, governor_lemma: str) -> bool:
    """"agreement"/"document" as objects of sign/reach are coded by the verb, not the noun."""
    return noun.lemma_.lower() in ("agreement", "statement", "declaration", "document") and \
        governor_lemma not in ("reach",)


def _drop_intent_heads(candidates: list[_Candidate]) -> list[_Candidate]:
    """"Azerbaijan vowed to attack Armenia": the vow frames the attack (a threat), it is not
    an event of its own when what it promises is coded."""
    anchors = {c.anchor.i for c in candidates}
    return [c for c in candidates if not (
        c.anchor.lemma_.lower() in _INTENT_VERBS and c.rule == "verb"
        and any(child.dep_ == "xcomp" and child.i in anchors for child in c.anchor.children))]


def _drop_request_content(candidates: list[_Candidate]) -> list[_Candidate]:
    """What a request asks for is its content, not a second event ("called on X to promote")."""
    requests = [c for c in candidates if c.cameo.startswith("02") or c.rule == "request"]
    if not requests:
        return candidates
    return [c for c in candidates if c in requests or not any(
        r.anchor in c.anchor.ancestors for r in requests)]


def _is_background(anchor: Any) -> bool:
    """Perfect aspect without a date ("has visited China 20 times") is background."""
    auxes = {c.lower_ for c in anchor.children if c.dep_ == "aux"}
    return bool(auxes & {"has", "have", "had"}) and anchor.tag_ == "VBN"


def _occasion_name(token: Any) -> str | None:
    """The occasion's name as written ("Belt and Road Forum for International Cooperation",
    "China-Central Asia Summit"): the capitalised run of the subject phrase."""
    subtree = list(token.subtree)
    words = [t for t in subtree if t.text[:1].isupper() or t.pos_ in ("ADP", "CCONJ", "PUNCT")]
    while words and (not words[0].text[:1].isupper() or words[0].lower_ in ("the", "a", "an")):
        words.pop(0)
    while words and not words[-1].text[:1].isupper():
        words.pop()
    if not words:
        return None
    name = token.doc[words[0].i:words[-1].i + 1].text.strip()
    if not re.search(r"\b(Forum|Summit|Meeting|Conference|Games|Congress|Session|Expo)\b", name):
        return None
    return re.sub(r"^(?:of|and|for)\s+", "", name)


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per (type, pair, date, sentence): several triggers in a sentence, one act."""
    seen: set[tuple] = set()
    kept = []
    for event in events:
        pair = tuple(sorted(filter(None, (event.source and event.source.country,
                                          event.target and event.target.country))))
        key = (event.plover, pair, event.date, event.sentence)
        if key not in seen:
            seen.add(key)
            kept.append(event)
    return kept
