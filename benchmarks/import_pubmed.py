"""Benchmark: importing a synthetic PubMed XML file (as PubMed's gzip baseline files come) of
30,000 and of 120,000 records into an empty SQLite database.

The floor, timed in the same run on the same file, is the least any importer can do: a bare
lxml ``iterparse`` that pulls out the same fields, and ``sqlite3.executemany`` of the same
rows into a table of the same columns. Each run happens in a child process of its own, so
its peak memory (the child's maximum resident set) is its own and nothing else's.

    python benchmarks/import_pubmed.py [--sizes 30000 120000] [--keep DIR]

Prints records per second, the ratio to the floor and the peak memory for both sizes.
Exits 1 if a target is missed: within 2x the floor, peak under 300 MB, and the peak at the
largest size no more than 10% above the peak at the smallest (a flat line, give or take
the allocator).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 2.0
TARGET_PEAK_MB = 300
FLATNESS = 1.10

_WORDS = (  # noqa: SIM905  (a sentence reads better than a list of fifty strings)
    "plantar heel pain fascia calf gastrocnemius soleus lumbar radiculopathy nerve root "
    "tethering neuropathy spasticity trigger points dorsiflexion stiffness tendon thickness "
    "ultrasound randomized controlled trial cohort cross-sectional prevalence association "
    "patients controls outcome disability foot function index stretching orthoses injection "
    "shock wave therapy sciatic tibial sural conduction electromyography mobilisation"
).split()
_TYPES = [
    ["Journal Article"],
    ["Journal Article", "Randomized Controlled Trial"],
    ["Journal Article", "Review", "Systematic Review"],
    ["Journal Article", "Observational Study"],
    ["Case Reports", "Journal Article"],
    ["Journal Article", "Retracted Publication"],
]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize()


def _article(pmid: int, rng: random.Random) -> str:
    """One PubmedArticle shaped like a baseline record: MeSH, grants, references and all."""
    authors = "".join(
        f'<Author ValidYN="Y"><LastName>Synthetic{rng.randrange(9999)}</LastName>'
        f"<ForeName>Author {i}</ForeName><Initials>A{chr(65 + i)}</Initials>"
        f"<AffiliationInfo><Affiliation>Department of Synthetic Podiatry {i}, Example "
        f"University, Exampletown.</Affiliation></AffiliationInfo></Author>"
        for i in range(rng.randint(2, 8))
    )
    abstract = "".join(
        f'<AbstractText Label="{label}" NlmCategory="{label}">{_sentence(rng, 40)}.</AbstractText>'
        for label in ("BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS")
    )
    types = "".join(
        f'<PublicationType UI="D0{rng.randrange(10000, 99999)}">{t}</PublicationType>'
        for t in rng.choice(_TYPES)
    )
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="D0{rng.randrange(10000, 99999)}" '
        f'MajorTopicYN="N">{rng.choice(_WORDS).title()}</DescriptorName></MeshHeading>'
        for _ in range(8)
    )
    keywords = "".join(
        f'<Keyword MajorTopicYN="N">{rng.choice(_WORDS)}</Keyword>' for _ in range(5)
    )
    cited = "".join(
        f"<Reference><Citation>Synthetic reference {j}.</Citation><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{95000000 + rng.randrange(1000000)}</ArticleId>'
        f"</ArticleIdList></Reference>"
        for j in range(10)
    )
    year = 1990 + pmid % 35
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID>'
        f'<Article PubModel="Print"><Journal><ISSN IssnType="Print">0000-0000</ISSN>'
        f'<JournalIssue CitedMedium="Print"><Volume>{pmid % 60}</Volume><Issue>3</Issue>'
        f"<PubDate><Year>{year}</Year><Month>Mar</Month></PubDate></JournalIssue>"
        f"<Title>Journal of Synthetic Foot Studies {pmid % 97}</Title>"
        f"<ISOAbbreviation>J Synth Foot Stud</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{_sentence(rng, 14)} (synthetic record {pmid}).</ArticleTitle>"
        f"<Pagination><MedlinePgn>100-110</MedlinePgn></Pagination>"
        f"<Abstract>{abstract}</Abstract>"
        f'<AuthorList CompleteYN="Y">{authors}</AuthorList><Language>eng</Language>'
        f"<PublicationTypeList>{types}</PublicationTypeList></Article>"
        f"<MedlineJournalInfo><Country>England</Country><MedlineTA>J Synth Foot Stud</MedlineTA>"
        f"</MedlineJournalInfo><MeshHeadingList>{mesh}</MeshHeadingList>"
        f'<KeywordList Owner="NOTNLM">{keywords}</KeywordList></MedlineCitation>'
        f'<PubmedData><History><PubMedPubDate PubStatus="pubmed"><Year>{year}</Year>'
        f"<Month>4</Month><Day>1</Day></PubMedPubDate></History>"
        f"<PublicationStatus>ppublish</PublicationStatus><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f'<ArticleId IdType="doi">10.5555/synthetic.{pmid}</ArticleId>'
        + (f'<ArticleId IdType="pmc">PMC{pmid}</ArticleId>' if pmid % 3 == 0 else "")
        + f"</ArticleIdList><ReferenceList>{cited}</ReferenceList></PubmedData></PubmedArticle>"
    )


def generate(path: Path, records: int, seed: int = 7) -> None:
    """A gzip-compressed baseline-style file, ending with a DeleteCitation block."""
    rng = random.Random(seed)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(
            '<?xml version="1.0" ?>\n<!-- synthetic: PMIDs above 90000000, DOIs under '
            "10.5555/ -->\n<PubmedArticleSet>\n"
        )
        for i in range(records):
            out.write(_article(90000001 + i, rng))
            out.write("\n")
        out.write(
            '<DeleteCitation><PMID Version="1">99999998</PMID>'
            '<PMID Version="1">99999999</PMID></DeleteCitation>\n</PubmedArticleSet>\n'
        )


# -- the two contenders, each run in a child process -------------------------------------


def child_import(xml: Path, db: Path) -> dict:
    from evidence.formats.reading import open_records
    from evidence.services.importing import import_file
    from evidence.store.engine import Store
    from evidence.store.migrate import upgrade

    store = Store.open(f"sqlite:///{db}", create=True)
    upgrade(store)
    started = time.perf_counter()
    with store.transaction() as session:
        report = import_file(session, open_records(xml), actor="benchmark")
    seconds = time.perf_counter() - started
    store.close()
    return {"seconds": seconds, "records": report.counts["imported"]}


def child_floor(xml: Path, db: Path) -> dict:
    """iterparse + the same fields + executemany: no matching, no history, no ORM."""
    import sqlite3

    from lxml import etree

    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE reference (id INTEGER PRIMARY KEY, key TEXT UNIQUE, doi TEXT UNIQUE, "
        "pmid TEXT UNIQUE, pmcid TEXT UNIQUE, title TEXT, authors TEXT, journal TEXT, "
        "year INTEGER, abstract TEXT, publication_types TEXT, keywords TEXT)"
    )
    started = time.perf_counter()
    rows: list[tuple] = []
    count = 0

    def text(element) -> str | None:  # type: ignore[no-untyped-def]
        return " ".join("".join(element.itertext()).split()) if element is not None else None

    with gzip.open(xml, "rb") as stream:
        for _, element in etree.iterparse(stream, events=("end",), tag="PubmedArticle"):
            ids = {
                a.get("IdType"): a.text
                for a in element.iterfind("PubmedData/ArticleIdList/ArticleId")
            }
            article = element.find("MedlineCitation/Article")
            authors = [
                f"{a.findtext('LastName')} {a.findtext('Initials')}"
                for a in article.iterfind("AuthorList/Author")
            ]
            abstract = "\n".join(
                f"{a.get('Label')}: {text(a)}" for a in article.iterfind("Abstract/AbstractText")
            )
            rows.append(
                (
                    f"pmid:{ids.get('pubmed')}",
                    ids.get("doi"),
                    ids.get("pubmed"),
                    ids.get("pmc"),
                    text(article.find("ArticleTitle")),
                    json.dumps(authors),
                    text(article.find("Journal/Title")),
                    int(article.findtext("Journal/JournalIssue/PubDate/Year")),
                    abstract,
                    json.dumps(
                        [text(t) for t in article.iterfind("PublicationTypeList/PublicationType")]
                    ),
                    json.dumps(
                        [text(k) for k in element.iterfind("MedlineCitation/KeywordList/Keyword")]
                    ),
                )
            )
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
            if len(rows) == 500:
                conn.executemany("INSERT INTO reference VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?)", rows)
                count += len(rows)
                rows = []
    conn.executemany("INSERT INTO reference VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?)", rows)
    count += len(rows)
    conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return {"seconds": seconds, "records": count}


def run_child(kind: str, xml: Path, db: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(xml), str(db)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30000, 120000])
    parser.add_argument("--keep", type=Path, help="Keep the generated files in this folder.")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "XML", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, xml, db = args.child
        result = (child_import if kind == "import" else child_floor)(Path(xml), Path(db))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="evidence-import-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in args.sizes:
        xml = work / f"pubmed-synthetic-{size}.xml.gz"
        if not xml.exists():
            started = time.perf_counter()
            generate(xml, size)
            print(
                f"generated {xml} ({xml.stat().st_size / 1e6:.1f} MB gzip) "
                f"in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        runs = {}
        for kind in ("floor", "import"):
            db = work / f"{kind}-{size}.sqlite"
            for leftover in work.glob(f"{kind}-{size}.sqlite*"):
                leftover.unlink()
            runs[kind] = run_child(kind, xml, db)
            assert runs[kind]["records"] == size, runs[kind]
        ratio = runs["import"]["seconds"] / runs["floor"]["seconds"]
        results[size] = {**runs, "ratio": ratio}
        for kind in ("floor", "import"):
            r = runs[kind]
            print(
                f"{size:>7,} records  {kind:<6} {r['seconds']:7.2f} s  "
                f"{size / r['seconds']:8,.0f} records/s  peak {r['peak_mb']:6.1f} MB"
            )
        print(
            f"{size:>7,} records  import / floor = {ratio:.2f} (target <= {TARGET_RATIO})",
            flush=True,
        )

    sizes = sorted(results)
    peaks = [results[s]["import"]["peak_mb"] for s in sizes]
    missed = [
        f"{s:,}: ratio {results[s]['ratio']:.2f}"
        for s in sizes
        if results[s]["ratio"] > TARGET_RATIO
    ]
    missed += [
        f"{s:,}: peak {results[s]['import']['peak_mb']:.0f} MB"
        for s in sizes
        if results[s]["import"]["peak_mb"] > TARGET_PEAK_MB
    ]
    if len(sizes) > 1 and peaks[-1] > peaks[0] * FLATNESS:
        missed.append(f"peak grows with size: {peaks[0]:.0f} MB -> {peaks[-1]:.0f} MB")
    print("targets: " + ("all met" if not missed else "MISSED " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
