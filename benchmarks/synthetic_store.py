"""Build a synthetic store of N events and M documents with bulk SQL into the real schema.

The pipeline would need days for a million events; the query benchmark needs only rows
shaped like real ones: documents with sentences (full-text indexed), mentions of entities
whose popularity follows a power law (a few countries are named everywhere), events between
pairs of countries, equally skewed, grouped into clusters as coreference groups them.

Usage: python benchmarks/synthetic_store.py OUT.db [--events 1000000] [--documents 200000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from dyadwatch.store import Store
from dyadwatch.store.coref import date_bounds, pair_key

COUNTRIES = (
    "CHN", "USA", "RUS", "IND", "KAZ", "KGZ", "UZB", "TJK", "TKM", "PAK", "IRN", "TUR", "DEU",
    "FRA", "GBR", "JPN", "KOR", "PRK", "VNM", "IDN", "MYS", "PHL", "THA", "MMR", "AFG", "SAU",
    "ARE", "ISR", "EGY", "ZAF", "NGA", "ETH", "KEN", "BRA", "ARG", "MEX", "CAN", "AUS", "UKR",
    "BLR", "POL", "ITA", "ESP", "NLD", "SWE", "NOR", "FIN", "MNG", "NPL", "BGD",
)
PLOVER = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
          "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")
CAMEO = {"AGREE": "030", "CONSULT": "040", "SUPPORT": "051", "CONCEDE": "080",
         "COOPERATE": "060", "AID": "070", "RETREAT": "087", "REQUEST": "020",
         "ACCUSE": "112", "REJECT": "120", "THREATEN": "130", "PROTEST": "140",
         "SANCTION": "163", "MOBILIZE": "150", "COERCE": "170", "ASSAULT": "190"}
GOLDSTEIN = {"AGREE": 4.5, "CONSULT": 1.0, "SUPPORT": 3.5, "CONCEDE": 5.0, "COOPERATE": 6.0,
             "AID": 7.0, "RETREAT": 5.0, "REQUEST": 3.0, "ACCUSE": -2.0, "REJECT": -4.0,
             "THREATEN": -6.0, "PROTEST": -5.0, "SANCTION": -8.0, "MOBILIZE": -7.2,
             "COERCE": -7.0, "ASSAULT": -9.0}
# Words of the synthetic sentences: ours, assembled at random (no article text).
SUBJECTS = ("officials", "ministers", "the delegation", "the president", "diplomats",
            "the envoy", "lawmakers", "the embassy", "negotiators", "the spokesperson")
VERBS = ("discussed", "signed", "criticised", "welcomed", "postponed", "announced",
         "rejected", "praised", "reviewed", "proposed")
OBJECTS = ("a railway agreement", "new tariffs", "a border incident", "energy cooperation",
           "a loan for a power plant", "joint military drills", "visa rules", "grain exports",
           "a water treaty", "an investment forum", "sanctions", "a summit declaration")
PLACES = ("Astana", "Beijing", "Bishkek", "Tashkent", "Moscow", "Washington", "New Delhi",
          "Brussels", "Geneva", "Ankara", "Tehran", "Tokyo")
OUTLETS = tuple(f"Outlet {n}" for n in range(60))
FIRST_DAY = date(2000, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days
SENTENCES_PER_DOC = 5
MENTIONS_PER_DOC = 10
ENTITIES_PER_DOC = 5


def _zipf_weights(n: int, exponent: float = 1.0) -> list[float]:
    return list(accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


class Synthetic:
    """A seeded generator of rows for each table."""

    def __init__(self, *, documents: int, events: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.n_documents = documents
        self.n_events = events
        self.pairs = sorted({pair_key(a, b) for a in COUNTRIES for b in COUNTRIES if a != b},
                            key=lambda pair: self.rng.random())
        self.pair_weights = _zipf_weights(len(self.pairs))
        self.entities = self._entities()
        self.entity_weights = _zipf_weights(len(self.entities), 1.1)
        self.doc_days = [self.rng.randrange(DAYS) for _ in range(documents)]

    def _entities(self) -> list[tuple[str, str, str, str]]:
        found = [(f"country:{code}", code, "COUNTRY", code) for code in COUNTRIES]
        for n in range(20_000):
            country = self.rng.choice(COUNTRIES)
            kind = "PERSON" if n % 3 else "ORG"
            found.append((f"{kind.lower()}:synthetic_{n}", f"Name{n} Surname{n % 997}", kind,
                          country))
        return found

    def doc_id(self, n: int) -> str:
        return f"{n:016x}"

    def sentence(self) -> str:
        rng = self.rng
        return (f"{rng.choice(COUNTRIES)} {rng.choice(SUBJECTS)} {rng.choice(VERBS)} "
                f"{rng.choice(OBJECTS)} in {rng.choice(PLACES)}.")

    def documents(self, now: str) -> Iterator[tuple[Any, ...]]:
        for n in range(self.n_documents):
            published = (FIRST_DAY + timedelta(days=self.doc_days[n])).isoformat()
            text = " ".join(self.sentence() for _ in range(SENTENCES_PER_DOC))
            yield (self.doc_id(n), f"{n:064x}", f"synthetic/{n}.txt", f"Report {n}", published,
                   self.rng.choice(OUTLETS), "{}", text, text, "[]", "[]", "[]", now)

    def sentences(self, conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
        cursor = conn.execute("SELECT doc_id, text FROM documents ORDER BY rowid")
        for doc_id, text in cursor:
            start = 0
            for idx, sentence in enumerate(text.split(". ")):
                sentence = sentence if sentence.endswith(".") else sentence + "."
                yield (doc_id, idx, start, start + len(sentence), sentence, "sentence",
                       "nlp@1", 1.0, "{}")
                start += len(sentence) + 1

    def pick_entity(self) -> tuple[str, str, str, str]:
        return self.rng.choices(self.entities, cum_weights=self.entity_weights)[0]

    def mentions(self) -> Iterator[tuple[Any, ...]]:
        for n in range(self.n_documents):
            for idx in range(MENTIONS_PER_DOC):
                entity_id, name, kind, country = self.pick_entity()
                yield (self.doc_id(n), idx, idx * 40, idx * 40 + len(name), name, kind,
                       entity_id, country, "GOV", "head_of_state" if kind == "PERSON" else None,
                       idx // 2, "resolve@1", 0.9, "alias")

    def document_entities(self) -> Iterator[tuple[Any, ...]]:
        roles = json.dumps([{"role": "foreign_minister", "country": "KAZ"}])
        for n in range(self.n_documents):
            chosen = {self.pick_entity() for _ in range(ENTITIES_PER_DOC)}
            for idx, (entity_id, name, kind, country) in enumerate(sorted(chosen)):
                yield (self.doc_id(n), idx, entity_id, name, kind, country, "GOV", None, None,
                       roles if kind == "PERSON" and idx % 2 else "[]")

    def events(self) -> Iterator[tuple[Any, ...]]:
        """Events with their cluster ids; clusters of 1-3 reports, dated near the document."""
        cluster = 0
        left_in_cluster = 0
        per_doc = max(1, self.n_events // self.n_documents)
        made = 0
        for n in range(self.n_documents):
            for idx in range(per_doc if n < self.n_documents - 1 else self.n_events - made):
                if left_in_cluster == 0:
                    cluster += 1
                    left_in_cluster = self.rng.choice((1, 1, 2, 3))
                    current = self._cluster_shape(n)
                left_in_cluster -= 1
                made += 1
                yield self._event(n, idx, cluster, current)
        self.n_clusters = cluster

    def _cluster_shape(self, n: int) -> dict[str, Any]:
        key_a, key_b = self.rng.choices(self.pairs, cum_weights=self.pair_weights)[0]
        plover = self.rng.choice(PLOVER)
        day = FIRST_DAY + timedelta(days=max(0, self.doc_days[n] - self.rng.randrange(3)))
        value = day.isoformat() if self.rng.random() < 0.8 else day.isoformat()[:7]
        source, target = (key_a, key_b) if self.rng.random() < 0.5 else (key_b, key_a)
        mode = "" if self.rng.random() < 0.85 else "intend"
        return {"plover": plover, "date": value, "source": source, "target": target,
                "mode": mode}

    def _event(self, n: int, idx: int, cluster: int, shape: dict[str, Any]) -> tuple[Any, ...]:
        bounds = date_bounds(shape["date"])
        plover = shape["plover"]
        return (self.doc_id(n), idx, cluster, plover, CAMEO[plover], shape["source"], 0, 5,
                f"country:{shape['source']}", shape["source"], "GOV", shape["target"], 10, 15,
                f"country:{shape['target']}", shape["target"], "GOV", idx * 80, idx * 80 + 79,
                "met", 6, 9, shape["mode"], 0, shape["date"], bounds.precision, "timex",
                GOLDSTEIN[plover], 1 if GOLDSTEIN[plover] > 0 else 4, idx, 0.8, "events@1",
                "svo", bounds.lo, bounds.hi, bounds.width, shape["source"], shape["target"])


_EVENT_COLUMNS = (
    "doc_id, idx, cluster_id, plover, cameo, source_text, source_start, source_end, "
    "source_entity, source_country, source_sector, target_text, target_start, target_end, "
    "target_entity, target_country, target_sector, start, \"end\", \"trigger\", trigger_start, "
    "trigger_end, mode, negated, date, date_precision, date_source, goldstein, quad, sentence, "
    "confidence, provenance, rule, date_lo, date_hi, date_width, source_key, target_key"
)

# Clusters are derived from their events in SQL, as refresh_clusters would compute them.
_CLUSTERS = """
INSERT INTO event_clusters (id, plover, cameo, mode, negated, key_a, key_b, source_key,
    target_key, date, date_precision, date_lo, date_hi, date_width, wide, undated_doc,
    n_evidence, n_sources, n_outlets, goldstein)
SELECT e.cluster_id, MIN(e.plover), MIN(e.cameo), MIN(e.mode), 0,
    MIN(MIN(e.source_key, e.target_key)), MIN(MAX(e.source_key, e.target_key)),
    MIN(e.source_key), MIN(e.target_key), MIN(e.date), MIN(e.date_precision), MAX(e.date_lo),
    MIN(e.date_hi), MIN(e.date_width), 0, NULL, COUNT(*), COUNT(DISTINCT e.doc_id),
    COUNT(DISTINCT d.outlet), AVG(e.goldstein)
FROM events e JOIN documents d ON d.doc_id = e.doc_id GROUP BY e.cluster_id
"""

_ENTITIES = """
INSERT INTO entities (id, name, name_folded, named, type, country, sector, n_mentions,
    n_documents)
SELECT x.entity_id, MIN(x.name), lower(MIN(x.name)), 1, MIN(x.type), MIN(x.country), 'GOV',
    (SELECT COUNT(*) FROM mentions m WHERE m.entity_id = x.entity_id), COUNT(DISTINCT x.doc_id)
FROM (SELECT entity_id, name, type, country, doc_id FROM document_entities
      UNION ALL SELECT entity_id, text, type, country, doc_id FROM mentions) x
GROUP BY x.entity_id
"""


def build(path: Path, *, documents: int, events: int, migrations: Any = None,
          log: Any = print) -> dict[str, Any]:
    """Create the store at ``path`` (which must not exist) and fill it; return counts."""
    started = time.perf_counter()
    Store(path, migrations=migrations).close()  # the real schema, every migration applied
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    data = Synthetic(documents=documents, events=events)
    now = "2025-01-01T00:00:00+00:00"
    steps = [
        ("documents", "INSERT INTO documents (doc_id, content_hash, source, title, published,"
         " outlet, meta, raw, text, layers, stages, problems, ingested_at)"
         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", lambda: data.documents(now)),
        ("document_sources", "INSERT INTO document_sources (source, doc_id, content_hash, added)"
         " SELECT source, doc_id, content_hash, ingested_at FROM documents", None),
        ("sentences", "INSERT INTO sentences (doc_id, idx, start, \"end\", text, label,"
         " provenance, confidence, attrs) VALUES (?,?,?,?,?,?,?,?,?)",
         lambda: data.sentences(conn)),
        ("mentions", "INSERT INTO mentions (doc_id, idx, start, \"end\", text, type, entity_id,"
         " country, sector, role, sentence, provenance, confidence, resolved_by)"
         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", data.mentions),
        ("document_entities", "INSERT INTO document_entities (doc_id, idx, entity_id, name, type,"
         " country, sector, registry_id, wikidata, roles) VALUES (?,?,?,?,?,?,?,?,?,?)",
         data.document_entities),
        ("entity_aliases", "INSERT INTO entity_aliases (doc_id, entity_idx, idx, entity_id,"
         " alias, alias_folded) SELECT doc_id, idx, 0, entity_id, name, lower(name)"
         " FROM document_entities", None),
        ("entities", _ENTITIES, None),
        ("events", f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES"
         f" ({', '.join('?' * len(_EVENT_COLUMNS.split(',')))})", data.events),
        ("event_clusters", _CLUSTERS, None),
    ]
    # The FTS index is filled in one pass at the end, which is much faster than the trigger.
    conn.execute("DROP TRIGGER sentences_fts_insert")
    for table, sql, rows in steps:
        began = time.perf_counter()
        conn.execute("BEGIN")
        if rows is None:
            conn.execute(sql)
        else:
            conn.executemany(sql, rows())
        conn.execute("COMMIT")
        log(f"  {table}: {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    conn.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild')")
    conn.execute("CREATE TRIGGER sentences_fts_insert AFTER INSERT ON sentences BEGIN"
                 " INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text); END")
    # No ANALYZE: a real store has no statistics either, and the plans must be its plans.
    log(f"  full-text index: {time.perf_counter() - began:.1f} s")
    counts = {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
              for table in ("documents", "sentences", "mentions", "entities", "events",
                            "event_clusters")}
    conn.close()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--documents", type=int, default=200_000)
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"{args.out} exists; remove it or choose another path")
    print(json.dumps(build(args.out, documents=args.documents, events=args.events)))


if __name__ == "__main__":
    main()
