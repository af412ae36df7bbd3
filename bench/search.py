"""Search benchmark: relevance and latency per backend, against Wagtail's own database
search backend on the same corpus, queries and database, in the same run.

``run()`` starts one worker process per database (SQLite file, scratch PostgreSQL
database), collects their JSON figures and returns a Markdown section; it also
writes that section into docs/search.md between the BENCH markers.

Corpus: synthetic Dutch documents generated from concepts. Every document is built
around one concept (title + body = grade 3, body twice = grade 2, a single mention =
grade 1), so each judged query's graded relevance comes from the generator, not from
any search engine. Queries test stems, diacritics, compounds both ways, acronyms,
synonyms, typos, navigational queries and filters.

    python -m bench.search            # prints the section (and updates docs/search.md)
    BENCH_SEARCH_SIZES=1000,10000 BENCH_SEARCH_DATABASES=postgresql python -m bench.search
    # default sizes: SQLite 1k, 10k; PostgreSQL 1k, 10k, 100k (see SIZES)
    BENCH_SEARCH_PG_DB=zvh_bench_mine ...   # another scratch database name
"""

import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "search.md"
START, END = "<!-- BENCH:search:start -->", "<!-- BENCH:search:end -->"
PG_ADMIN = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Scratch database, dropped and created by the run (override when several people
# benchmark on one PostgreSQL server).
PG_DB = os.environ.get("BENCH_SEARCH_PG_DB", "zvh_bench_search")
# Corpus sizes per database. The targets are at 100k on PostgreSQL; Wagtail's
# SQLite backend already needs seconds per query at 10k, so SQLite stops there.
SIZES = {"sqlite": "1000,10000", "postgresql": "1000,10000,100000"}
# PostgreSQL: a Wagtail query is stopped after this many seconds (0 = never).
WAGTAIL_CAP_S = float(os.environ.get("BENCH_SEARCH_WAGTAIL_CAP_S", "10"))

# concept id, theme slug, title phrases, body forms, judged queries (text, filters)
CONCEPTS = [
    (
        "radicalisering",
        "radicalisering",
        ["Radicalisering bij jongeren", "Wanneer radicaliseren zorgelijk wordt"],
        ["radicalisering", "radicaliseren", "geradicaliseerde jongeren"],
        [
            "radicalisering",
            "radicaliseren",
            "geradicaliseerd",
            "radicalisring",
            "radicalisering jongeren",
        ],
    ),
    (
        "weegtafel",
        "radicalisering",
        ["De weegtafel uitgelegd"],
        ["de weegtafel", "weegtafel"],
        ["weegtafel", "weeg tafel", "wegtafel"],
    ),
    (
        "casuistiek",
        "com-ave-model",
        ["Complexe casuïstiek", "Casuïstiek via het AVE-model"],
        ["complexe casuïstiek", "casuïstiek"],
        ["casuïstiek", "casuistiek", "complexe casuistiek"],
    ),
    (
        "veiligheidshuis",
        "com-ave-model",
        ["Het veiligheidshuis in de regio"],
        ["het veiligheidshuis", "Zorg- en Veiligheidshuis"],
        ["veiligheidshuis", "ZVH", "veiligheidhuis"],
    ),
    (
        "procesregisseur",
        "com-ave-model",
        ["De rol van de procesregisseur"],
        ["de procesregisseur", "procesregie"],
        ["procesregisseur", "regisseur", "proces regisseur"],
    ),
    (
        "huiselijk",
        "hgkm-mda",
        ["Huiselijk geweld herkennen", "Aanpak van huiselijk geweld"],
        ["huiselijk geweld", "geweld achter de voordeur"],
        ["huiselijk geweld", "huiselijkgeweld", "HGKM"],
    ),
    (
        "kindermishandeling",
        "hgkm-mda",
        ["Kindermishandeling signaleren"],
        ["kindermishandeling", "mishandeling van kinderen"],
        ["kindermishandeling", "mishandeling", "kindermishandling"],
    ),
    (
        "huisverbod",
        "hgkm-mda",
        ["Na het tijdelijk huisverbod"],
        ["een tijdelijk huisverbod", "het huisverbod"],
        ["huisverbod", "tijdelijk huisverbod", "tijdelijke huisverboden"],
    ),
    (
        "onbegrepen",
        "onbegrepen-gedrag",
        ["Onbegrepen gedrag in de wijk", "Verward gedrag en veiligheid"],
        ["onbegrepen gedrag", "verward gedrag"],
        ["onbegrepen gedrag", "verward gedrag", "OG", "verwarde personen"],
    ),
    (
        "wvggz",
        "onbegrepen-gedrag",
        ["De Wvggz in de praktijk"],
        ["de Wet verplichte ggz", "de Wvggz"],
        ["Wvggz", "wet verplichte ggz", "verplichte zorg"],
    ),
    (
        "pga",
        "jeugd-hic",
        ["Persoonsgerichte aanpak voor jongeren"],
        ["de persoonsgerichte aanpak", "een persoonsgerichte aanpak"],
        ["PGA", "persoonsgerichte aanpak", "persoonsgericht"],
    ),
    (
        "drugscriminaliteit",
        "jeugd-hic",
        ["Jongeren en drugscriminaliteit"],
        ["drugscriminaliteit", "ronselen voor drugscriminaliteit"],
        ["drugscriminaliteit", "drugs criminaliteit", "drugs", "jongeren drugscriminaliteit"],
    ),
    (
        "mensenhandel",
        "mensenhandel",
        ["Mensenhandel signaleren", "Arbeidsuitbuiting en mensenhandel"],
        ["mensenhandel", "arbeidsuitbuiting"],
        ["mensenhandel", "mensen handel", "uitbuiting", "Mensenhandel"],
    ),
    (
        "loverboys",
        "mensenhandel",
        ["De werkwijze van loverboys"],
        ["loverboys", "een loverboy"],
        ["loverboys", "loverboy"],
    ),
    (
        "avg",
        "privacy-informatiedeling",
        ["De AVG in het casusoverleg"],
        ["de AVG", "de Algemene verordening gegevensbescherming"],
        ["AVG", "gegevensbescherming", "privacywet"],
    ),
    (
        "privacyprotocol",
        "privacy-informatiedeling",
        ["Het privacyprotocol stap voor stap"],
        ["het privacyprotocol", "privacyprotocol"],
        ["privacyprotocol", "privacy protocol", "protocol"],
    ),
    (
        "dpia",
        "privacy-informatiedeling",
        ["Een DPIA uitvoeren"],
        ["een DPIA", "de DPIA"],
        ["DPIA", "dpia casusoverleg"],
    ),
    (
        "meldcode",
        "hgkm-mda",
        ["De meldcode in vijf stappen"],
        ["de meldcode", "meldcode"],
        ["meldcode", "meld code", "meldcode stappen"],
    ),
]
# Queries with a filter (concept, query text, filters).
FILTERED = [
    ("radicalisering", "radicalisering", {"theme": ["radicalisering"]}),
    ("onbegrepen", "gedrag", {"theme": ["onbegrepen-gedrag"]}),
    ("huiselijk", "geweld", {"theme": ["hgkm-mda"]}),
    ("mensenhandel", "uitbuiting", {"theme": ["mensenhandel"]}),
    ("avg", "AVG", {"theme": ["privacy-informatiedeling"]}),
]
FILLER = [
    "Partners in Brabant Zuidoost werken samen in het casusoverleg.",
    "Gemeente, politie, zorg en justitie delen alleen wat nodig is.",
    "Een goede analyse begint met een gezamenlijk beeld van de situatie.",
    "Criminaliteit en zorgen over veiligheid gaan vaak samen met schulden.",
    "Drugs, alcohol en geldzorgen spelen in veel situaties een rol.",
    "Mensen zoeken soms pas hulp als de problemen groot zijn.",
    "Kinderen en jongeren verdienen extra aandacht van alle partners.",
    "De regio telt eenentwintig gemeenten en vijf basisteams van de politie.",
    "Huis en wijk zijn de plekken waar problemen het eerst zichtbaar worden.",
]
KINDS = ["achtergrond", "handreiking", "trendsignalering", "casusvoorbeeld", "nieuws", "onderzoek"]


def generate(n_per_concept: int, seed: int = 7):
    """Documents and their grade per concept: ([IndexedDoc], {page_id: {concept: grade}})."""
    import datetime

    from search.documents import IndexedDoc

    rng = random.Random(seed)  # noqa: S311
    docs, grades = [], {}
    page_id = 0
    for concept, theme, titles, forms, _queries in CONCEPTS:
        for i in range(n_per_concept):
            page_id += 1
            grade = (3, 2, 1)[i % 3]
            other = rng.choice(CONCEPTS)
            filler = " ".join(rng.sample(FILLER, 4))
            if grade == 3:
                title = f"{rng.choice(titles)} ({page_id})"
                body = f"{forms[0].capitalize()} vraagt om samenwerking. {filler} Meer over {rng.choice(forms)}."
            elif grade == 2:
                title = f"Praktijkvoorbeeld {page_id}: samenwerken in de wijk"
                body = (
                    f"Hier gaat het over {forms[0]}. {filler} Ook {rng.choice(forms)} komt aan bod."
                )
            else:
                title = f"Overzicht {page_id}: werken in Brabant Zuidoost"
                body = f"{filler} Soms speelt ook {forms[-1]}. Daarnaast {other[3][0]}."
            docs.append(
                IndexedDoc(
                    page_id=page_id,
                    content_type="knowledge.expertisearticlepage",
                    url=f"/bench/{page_id}/",
                    title=title,
                    summary=filler[:120],
                    body=body,
                    kind=rng.choice(KINDS),
                    audience="gemeente-sociaal-domein",
                    date=datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randint(0, 1400)),
                    themes=[theme],
                )
            )
            grades[page_id] = {concept: grade}
            if grade == 1 and other[0] != concept:
                grades[page_id][other[0]] = 1
    return docs, grades


def judged_queries():
    queries = [(concept, q, {}) for concept, *_rest, qs in CONCEPTS for q in qs]
    return queries + FILTERED


def ndcg_at_10(ranked, grades, concept, ideal_grades):
    dcg = sum(
        (2 ** grades.get(pid, {}).get(concept, 0) - 1) / math.log2(i + 2)
        for i, pid in enumerate(ranked[:10])
    )
    ideal = sum(
        (2**g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(ideal_grades, reverse=True)[:10])
    )
    return dcg / ideal if ideal else 0.0


def reciprocal_rank(ranked, grades, concept):
    for i, pid in enumerate(ranked[:10]):
        if grades.get(pid, {}).get(concept, 0) >= 2:
            return 1 / (i + 1)
    return 0.0


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1))
    return values[k] * 1000


# --- worker (one database per process) -------------------------------------------
def worker(vendor: str, sizes: list[int]) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from wagtail.search import index
    from wagtail.search.backends import get_search_backend

    from knowledge.models import Theme
    from portal.demo import load_reference_data
    from search import services
    from search.backends import get_backend
    from search.models import SearchDocument, SearchEntry

    class BenchDocument(index.Indexed, SearchDocument):
        """The same rows, indexed by Wagtail's own database search backend."""

        search_fields = [
            index.SearchField("title", boost=3),
            index.SearchField("summary"),
            index.SearchField("body"),
            index.AutocompleteField("title"),
        ]

        class Meta:
            proxy = True
            app_label = "search"

    # Wagtail adds this relation to indexed models when apps load; this proxy is
    # defined later, so it gets it here.
    from wagtail.search.models import IndexEntry

    from modelsearch.abstract_models import TextIDGenericRelation

    TextIDGenericRelation(IndexEntry).contribute_to_class(BenchDocument, "index_entries")

    load_reference_data()
    services.synonyms_ensure_defaults()
    ours = get_backend("database")
    wagtail = get_search_backend()

    def build(docs):
        started = time.perf_counter()
        services.vocabulary_rebuild(texts=[f"{d.title} {d.summary} {d.body}" for d in docs])
        ours.rebuild(docs, services.lexicon_get(), lambda n: None)
        ours_seconds = time.perf_counter() - started
        started = time.perf_counter()
        wagtail.reset_index() if hasattr(wagtail, "reset_index") else None
        rows = list(BenchDocument.objects.all())
        for start in range(0, len(rows), 500):
            wagtail.add_bulk(BenchDocument, rows[start : start + 500])
        return ours_seconds, time.perf_counter() - started

    def ours_ids(text, filters=None):
        return [h.page_id for h in services.search_query(text=text, filters=filters or {}).hits]

    def wagtail_ids(text, filters=None):
        try:
            found = list(wagtail.search(text, BenchDocument)[:50])
        except Exception:  # noqa: BLE001 (Wagtail rejects some syntax; counts as no result)
            return []
        if filters and filters.get("theme"):
            # Wagtail filters only on declared FilterFields; filter its hits instead.
            wanted = set(
                Theme.objects.filter(slug__in=filters["theme"]).values_list("pk", flat=True)
            )
            allowed = {
                page_id
                for page_id, ids in SearchEntry.objects.values_list(
                    "document__page_id", "theme_ids"
                )
                if wanted.intersection(ids)
            }
            found = [d for d in found if d.page_id in allowed]
        return [d.page_id for d in found[:10]]

    result = {"vendor": vendor, "relevance": {}, "latency": {}}
    docs, grades = generate(6)
    build(docs)
    queries = judged_queries()
    for name, fn in (("ours", ours_ids), ("wagtail", wagtail_ids)):
        ndcgs, rrs, zero = [], [], 0
        for concept, text, filters in queries:
            ranked = fn(text, filters)
            ideal = [g[concept] for g in grades.values() if concept in g]
            ndcgs.append(ndcg_at_10(ranked, grades, concept, ideal))
            rrs.append(reciprocal_rank(ranked, grades, concept))
            zero += not ranked
        result["relevance"][name] = {
            "queries": len(queries),
            "ndcg10": statistics.mean(ndcgs),
            "mrr": statistics.mean(rrs),
            "zero_rate": zero / len(queries),
        }

    texts = [q for _c, q, _f in queries]
    prefixes = [q[: max(3, len(q) // 2)] for q in texts]
    for size in sizes:
        per_concept = max(1, size // len(CONCEPTS))
        docs, _ = generate(per_concept, seed=size)
        ours_build, wagtail_build = build(docs)
        timings = {}
        for name, search_fn, suggest_fn in (
            (
                "ours",
                lambda t: services.search_query(text=t),
                lambda p: services.search_suggest(text=p),
            ),
            (
                "wagtail",
                lambda t: list(wagtail.search(t, BenchDocument)[:10]),
                lambda p: list(wagtail.autocomplete(p, BenchDocument)[:6]),
            ),
        ):
            capped = name == "wagtail" and vendor == "postgresql" and WAGTAIL_CAP_S > 0
            if capped:
                # At 100k one Wagtail query can take minutes: each is stopped at the cap
                # and counted *as* the cap, so its percentiles are lower bounds.
                with connection.cursor() as cursor:
                    cursor.execute(f"SET statement_timeout = {int(WAGTAIL_CAP_S * 1000)}")
            search_times, search_capped = _timed(search_fn, texts)
            suggest_times, suggest_capped = _timed(suggest_fn, prefixes)
            if capped:
                with connection.cursor() as cursor:
                    cursor.execute("SET statement_timeout = 0")
            timings[name] = {
                "search_p50": percentile(search_times, 50),
                "search_p95": percentile(search_times, 95),
                "suggest_p50": percentile(suggest_times, 50),
                "suggest_p95": percentile(suggest_times, 95),
                "capped": search_capped + suggest_capped,
            }
        timings["ours"]["build_s"] = ours_build
        timings["wagtail"]["build_s"] = wagtail_build
        result["latency"][str(len(docs))] = timings
    connection.close()
    return result


def _timed(fn, inputs) -> tuple[list[float], int]:
    """Seconds per call, and how many calls hit the statement timeout (counted as the cap)."""
    from django.db import OperationalError

    times, capped = [], 0
    for text in inputs:
        started = time.perf_counter()
        try:
            fn(text)
        except OperationalError as error:
            if "statement timeout" not in str(error):
                raise
            capped += 1
            times.append(WAGTAIL_CAP_S)
            continue
        except Exception:  # noqa: BLE001,S112 (Wagtail rejects some syntax: no timing)
            continue
        times.append(time.perf_counter() - started)
    return times, capped


# --- runner ----------------------------------------------------------------------
def _run_worker(vendor: str, sizes: list[int]) -> dict:
    env = dict(os.environ)
    tmp = None
    if vendor == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-search-")
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        import psycopg

        with psycopg.connect(
            PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.search", "--worker", vendor, ",".join(map(str, sizes))],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"bench worker {vendor} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if vendor == "postgresql":
            import psycopg

            with psycopg.connect(
                PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True
            ) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')


def render(results: list[dict]) -> str:
    lines = [
        "### Relevance (judged Dutch queries, graded 0–3)",
        "",
        "| database | engine | queries | nDCG@10 | MRR | zero-result rate |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        for name, label in (("ours", "our Dutch search"), ("wagtail", "Wagtail database backend")):
            m = r["relevance"][name]
            lines.append(
                f"| {r['vendor']} | {label} | {m['queries']} | {m['ndcg10']:.3f} | {m['mrr']:.3f} | {m['zero_rate']:.1%} |"
            )
    lines += [
        "",
        "### Latency (ms) and index build time (s)",
        "",
        "| database | documents | engine | search p50 | search p95 | suggest p50 | suggest p95 | build (s) | search p95 vs Wagtail | queries stopped at the cap |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for size, timings in r["latency"].items():
            base = timings["wagtail"]["search_p95"]
            for name, label in (("ours", "ours"), ("wagtail", "Wagtail")):
                t = timings[name]
                # A capped engine's figures are lower bounds; so the ratio is an upper bound.
                bound = "≥ " if t.get("capped") else ""
                ratio_bound = "≤ " if timings["wagtail"].get("capped") and name == "ours" else ""
                value = t["search_p95"] / base if base else 0
                shown = f"{value:.2f}" if value >= 0.01 or not value else f"{value:.4f}"
                ratio = f"{ratio_bound}{shown}×" if base else "–"
                lines.append(
                    f"| {r['vendor']} | {size} | {label} | {bound}{t['search_p50']:.1f} | "
                    f"{bound}{t['search_p95']:.1f} | {bound}{t['suggest_p50']:.1f} | "
                    f"{bound}{t['suggest_p95']:.1f} | {t['build_s']:.1f} | {ratio} | "
                    f"{t.get('capped', 0)} |"
                )
    return "\n".join(lines) + "\n"


def run() -> str:
    from .stack import run_stamp

    stamp = run_stamp()
    vendors = os.environ.get("BENCH_SEARCH_DATABASES", "sqlite,postgresql").split(",")
    results = []
    for vendor in filter(None, vendors):
        sizes = os.environ.get("BENCH_SEARCH_SIZES") or SIZES[vendor]
        results.append(_run_worker(vendor, [int(s) for s in sizes.split(",") if s]))
    section = (
        "## Search\n\nMeasured by `bench/search.py` on this machine, all engines in the same run "
        "(ratios: our search p95 against Wagtail's database search backend, same corpus, "
        f"queries and database; a Wagtail query on PostgreSQL is stopped after {WAGTAIL_CAP_S:g} s "
        "and counted as that, so its figures are lower bounds). How to read them: "
        f"docs/search.md, *Measurements*.\n\n{stamp}\n\n" + render(results)
    )
    if DOC.exists():
        text = DOC.read_text()
        if START in text and END in text:
            head, rest = text.split(START, 1)
            _old, tail = rest.split(END, 1)
            DOC.write_text(f"{head}{START}\n{render(results)}{END}{tail}")
    return section


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], [int(s) for s in sys.argv[3].split(",") if s])))
    else:
        print(run())
