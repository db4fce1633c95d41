"""Benchmark: importing a synthetic PubMed XML file (as PubMed's gzip baseline files come) of
30,000 and of 120,000 records into an empty SQLite database.

The records have the shape of a real baseline file's (sizes, element counts, MeSH headings,
chemicals, abstracts present or not, reference lists; see REAL_SHAPE), and the run prints
the generated file's figures beside the real ones.

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


def _text_of_length(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(_WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words).capitalize()


def _ymd(tag: str, year: int, rng: random.Random, attrs: str = "") -> str:
    return (
        f"<{tag}{attrs}><Year>{year}</Year><Month>{rng.randint(1, 12):02d}</Month>"
        f"<Day>{rng.randint(1, 28):02d}</Day></{tag}>"
    )


# The shape of a real baseline file (pubmed25n-sized, 30,000 records), as measured: 5.8 KB and
# 107 XML elements a record on average; 9.6 MeSH headings, 1.8 chemicals, 2.6 authors, 1.6
# article ids and 1.6 publication types a record; 49% with an abstract (about 860 characters
# when present); 11% with a reference list (up to 201 references). shape() prints the same
# figures for a generated file.
REAL_SHAPE = {
    "kb": 5.8,
    "elements": 107,
    "mesh": 9.6,
    "chemicals": 1.8,
    "authors": 2.6,
    "ids": 1.6,
    "types": 1.6,
    "with abstract %": 49,
    "abstract chars": 860,
    "with references %": 11,
}
_AUTHORS = (1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5)  # mean 2.5
_CHEMICALS = (0, 0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 4)  # mean 1.8
_MESH_MINOR = ("Humans", "Female", "Male", "Adult", "Middle Aged", "Aged", "Adolescent")
_QUALIFIERS = ("therapy", "diagnosis", "physiopathology", "etiology", "epidemiology")


def _article(pmid: int, rng: random.Random) -> str:
    """One PubmedArticle shaped like a real baseline record (see the figures above)."""
    year = 1990 + pmid % 35
    authors = "".join(
        f'<Author ValidYN="Y"><LastName>Synthetic{rng.randrange(9999)}</LastName>'
        f"<ForeName>Author {i}</ForeName><Initials>A{chr(65 + i)}</Initials>"
        + (
            f"<AffiliationInfo><Affiliation>Department of Synthetic Podiatry and Clinical "
            f"Biomechanics {i}, School of Health and Rehabilitation Sciences, Faculty of "
            f"Medicine, Example University of Applied Research, 123 Example Road, Exampletown "
            f"EX{i} 2AB, United Kingdom. synthetic.author{i}@example.org.</Affiliation>"
            f"</AffiliationInfo>"
            if rng.random() < 0.6
            else ""
        )
        + "</Author>"
        for i in range(rng.choice(_AUTHORS))
    )
    abstract = ""
    if rng.random() < 0.49:
        length = int(rng.gauss(860, 250))
        if rng.random() < 0.4:  # structured
            abstract = "".join(
                f'<AbstractText Label="{label}" NlmCategory="{label}">'
                f"{_text_of_length(rng, max(40, length // 4))}.</AbstractText>"
                for label in ("BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS")
            )
        else:
            abstract = f"<AbstractText>{_text_of_length(rng, max(100, length))}.</AbstractText>"
        abstract = f"<Abstract>{abstract}</Abstract>"
    types = "".join(
        f'<PublicationType UI="D0{rng.randrange(10000, 99999)}">{t}</PublicationType>'
        for t in rng.choices(_TYPES, weights=(50, 20, 8, 12, 8, 2))[0]
    )
    headings = rng.randint(4, 15)  # mean 9.5
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="D0{rng.randrange(10000, 99999)}" MajorTopicYN="'
        f'{"Y" if h == 0 else "N"}">'
        + (
            _MESH_MINOR[h % len(_MESH_MINOR)]
            if h < len(_MESH_MINOR) and h % 2
            else rng.choice(_WORDS).title()
        )
        + "</DescriptorName>"
        + "".join(
            f'<QualifierName UI="Q0000{rng.randrange(100, 999)}" MajorTopicYN="N">'
            f"{rng.choice(_QUALIFIERS)}</QualifierName>"
            for _ in range(rng.choice((0, 0, 0, 1, 2)))
        )
        + "</MeshHeading>"
        for h in range(headings)
    )
    chemicals = "".join(
        f"<Chemical><RegistryNumber>{rng.randrange(10000, 99999)}-{rng.randrange(10, 99)}-"
        f"{rng.randrange(10)}</RegistryNumber>"
        f'<NameOfSubstance UI="D0{rng.randrange(10000, 99999)}">'
        f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS)}</NameOfSubstance></Chemical>"
        for _ in range(rng.choice(_CHEMICALS))
    )
    keywords = (
        '<KeywordList Owner="NOTNLM">'
        + "".join(f'<Keyword MajorTopicYN="N">{rng.choice(_WORDS)}</Keyword>' for _ in range(5))
        + "</KeywordList>"
        if rng.random() < 0.2
        else ""
    )
    cited = ""
    if rng.random() < 0.11:
        cited = (
            "<ReferenceList>"
            + "".join(
                f"<Reference><Citation>Synthetic A, Example B, Sample C, et al. "
                f"{_sentence(rng, 14)}. J Synth Foot Ankle Res. "
                f"{rng.randint(1970, 2024)} Mar;{rng.randint(1, 60)}({rng.randint(1, 12)})"
                f":{rng.randint(1, 900)}-{rng.randint(901, 999)}. J Synth "
                f"Res. {rng.randint(1970, 2024)};{rng.randint(1, 60)}:{rng.randint(1, 900)}."
                f'</Citation><ArticleIdList><ArticleId IdType="pubmed">'
                f"{95000000 + rng.randrange(1000000)}</ArticleId></ArticleIdList></Reference>"
                for _ in range(min(201, int(rng.expovariate(1 / 22)) + 5))
            )
            + "</ReferenceList>"
        )
    pub_date = (
        f"<MedlineDate>{year} Jul-Sep</MedlineDate>"
        if rng.random() < 0.05
        else f"<Year>{year}</Year><Month>Mar</Month>"
    )
    history = "".join(
        _ymd("PubMedPubDate", year, rng, f' PubStatus="{status}"')
        for status in ("received", "accepted", "entrez", "pubmed", "medline")[
            rng.choice((2, 2, 3)) * -1 :
        ]
    )
    ids = f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
    if rng.random() < 0.5:
        ids += f'<ArticleId IdType="doi">10.5555/synthetic.{pmid}</ArticleId>'
    if rng.random() < 0.1:
        ids += f'<ArticleId IdType="pmc">PMC{pmid}</ArticleId>'
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM" IndexingMethod="Manual">'
        f'<PMID Version="1">{pmid}</PMID>'
        + _ymd("DateCompleted", year, rng)
        + _ymd("DateRevised", min(2025, year + 2), rng)
        + f'<Article PubModel="Print"><Journal><ISSN IssnType="Print">0000-0000</ISSN>'
        f'<JournalIssue CitedMedium="Print"><Volume>{pmid % 60}</Volume><Issue>3</Issue>'
        f"<PubDate>{pub_date}</PubDate></JournalIssue>"
        f"<Title>Journal of Synthetic Foot and Ankle Studies {pmid % 97}: official publication "
        f"of the Example Society of Podiatric Medicine</Title>"
        f"<ISOAbbreviation>J Synth Foot Stud</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{_sentence(rng, 16)} (synthetic record {pmid}).</ArticleTitle>"
        f"<Pagination><MedlinePgn>100-10</MedlinePgn></Pagination>"
        f"{abstract}"
        + (f'<AuthorList CompleteYN="Y">{authors}</AuthorList>' if authors else "")
        + f"<Language>eng</Language>"
        f"<PublicationTypeList>{types}</PublicationTypeList></Article>"
        f"<MedlineJournalInfo><Country>England</Country><MedlineTA>J Synth Foot Stud</MedlineTA>"
        f"<NlmUniqueID>{pmid % 9000000}</NlmUniqueID><ISSNLinking>0000-0000</ISSNLinking>"
        f"</MedlineJournalInfo>"
        + (f"<ChemicalList>{chemicals}</ChemicalList>" if chemicals else "")
        + "<CitationSubset>IM</CitationSubset>"
        f"<MeshHeadingList>{mesh}</MeshHeadingList>{keywords}</MedlineCitation>"
        f"<PubmedData><History>{history}</History>"
        f"<PublicationStatus>ppublish</PublicationStatus><ArticleIdList>{ids}</ArticleIdList>"
        f"{cited}</PubmedData></PubmedArticle>"
    )


def shape(path: Path, sample: int = 5000) -> dict[str, float]:
    """The per-record figures of a file's first ``sample`` records (to set beside the real
    file's): size, elements, MeSH headings, chemicals, authors, ids, types, abstracts and
    reference lists."""
    from lxml import etree

    n = size = elements = mesh = chemicals = authors = ids = types = 0
    abstracts = abstract_chars = with_refs = 0
    with gzip.open(path, "rb") as stream:
        for _, record in etree.iterparse(stream, events=("end",), tag="PubmedArticle"):
            n += 1
            size += len(etree.tostring(record))
            elements += sum(1 for _ in record.iter())
            mesh += len(record.findall(".//MeshHeading"))
            chemicals += len(record.findall(".//Chemical"))
            authors += len(record.findall(".//AuthorList/Author"))
            ids += len(record.findall("PubmedData/ArticleIdList/ArticleId"))
            types += len(record.findall(".//PublicationType"))
            text = " ".join(t.text or "" for t in record.iterfind(".//Abstract/AbstractText"))
            if text:
                abstracts += 1
                abstract_chars += len(text)
            with_refs += record.find("PubmedData/ReferenceList") is not None
            record.clear()
            if n >= sample:
                break
    return {
        "kb": size / n / 1024,
        "elements": elements / n,
        "mesh": mesh / n,
        "chemicals": chemicals / n,
        "authors": authors / n,
        "ids": ids / n,
        "types": types / n,
        "with abstract %": 100 * abstracts / n,
        "abstract chars": abstract_chars / max(1, abstracts),
        "with references %": 100 * with_refs / n,
    }


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
    from evidence.services.transfer.importing import import_file
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


def _floor_year(article) -> int | None:  # type: ignore[no-untyped-def]
    year = article.findtext("Journal/JournalIssue/PubDate/Year")
    if year is None:  # "2020 Jul-Sep"
        year = (article.findtext("Journal/JournalIssue/PubDate/MedlineDate") or "")[:4]
    return int(year) if year.isdigit() else None


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
                    _floor_year(article),
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
        figures = shape(xml)
        print(
            f"{size:>7,} records  shape (first 5,000; a real baseline file in brackets): "
            + ", ".join(
                f"{name} {figures[name]:.1f} ({REAL_SHAPE[name]:g})" for name in REAL_SHAPE
            ),
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
