"""A claim's PRISMA 2020 flow diagram: records identified per database, duplicates removed,
screened, excluded (per reason), included, judged.

Drawn with Graphviz like the mechanism chains (charts.py), but into SVG here on the server
with the ``dot`` program, not in the browser: st.graphviz_chart makes a first visit fetch
and start Graphviz compiled to WebAssembly (megabytes), which the claim page, a reading page
whose speed is measured, should not pay for one small diagram. The SVG is kept per DOT text
(so per flow): a claim's page draws it once until its counts change. Without ``dot`` on the
server the page falls back to st.graphviz_chart with the same DOT.

Ledger text (a database's name as the curator typed it) reaches the drawing only as an
escaped, quoted DOT string, Graphviz writes every label into the SVG as XML text, and the
page shows the SVG as an image (diagram_html), so nothing in it can act on the page.
"""

from __future__ import annotations

import base64
import functools
import html
import re
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from evidence.domain.vocab import ExclusionReason
from evidence.webui.charts import dot_string

_FONT = "Helvetica,Arial,sans-serif"
# light fills with dark text: legible on the light theme and the dark one alike
_BOX = "#ffffff"
_STAGE = "#d6e6f5"  # PRISMA's stage labels are set apart in blue
_MAIN_WIDTH = 2.9  # inches, before the page scales the drawing to its width
_SIDE_WIDTH = 3.1


def has_flow(flow: Mapping[str, Any]) -> bool:
    """Whether a claim has a flow to draw: a search the tool ran, or candidates. A search
    logged by hand brought no records in, so there is nothing to count for it."""
    return bool(flow["candidates"]) or any(s["service"] is not None for s in flow["searches"])


def identified_by_database(flow: Mapping[str, Any]) -> dict[str, int]:
    """Records identified per database, from the searches the tool ran (PrismaFlow's own
    figure also lists databases searched by hand, with no records counted)."""
    found: dict[str, int] = {}
    for s in flow["searches"]:
        if s["service"] is not None:
            found[s["database"]] = found.get(s["database"], 0) + (s["identified"] or 0)
    return found


def unreadable(flow: Mapping[str, Any]) -> int:
    """Records a search fetched or read that the import could not use (neither duplicate
    nor candidate): identified = duplicates + candidates + these."""
    return max(0, flow["identified"] - flow["duplicates"] - flow["candidates"])


def reason_label(reason: str | None) -> str:
    if reason is None:
        return "no reason recorded"
    try:
        return ExclusionReason(reason).label
    except ValueError:  # a reason no longer in the vocabulary: its stored spelling
        return reason.replace("_", " ")


def _n(count: int) -> str:
    return f"(n = {count:,})"


def _label(*lines: str, left: bool = False) -> str:
    """Lines as one quoted DOT label: each escaped on its own, then joined with DOT's line
    breaks (``\\l`` ends a left-justified line, ``\\n`` a centred one)."""
    end = "\\l" if left else "\\n"
    body = end.join(dot_string(line)[1:-1] for line in lines)
    return f'"{body}{end if left else ""}"'


def prisma_dot(flow: Mapping[str, Any]) -> str:
    """The flow as DOT: a main column down the stages, and beside each step what left it."""
    databases = identified_by_database(flow)
    excluded = flow["excluded_by_reason"]
    lost = unreadable(flow)
    nodes = {
        "identified": _label(
            f"Records identified {_n(flow['identified'])}",
            *(f"  {db} {_n(n)}" for db, n in databases.items()),
            left=True,
        ),
        "removed": _label(
            "Records removed before screening:",
            f"  duplicates {_n(flow['duplicates'])}",
            *([f"  could not be read {_n(lost)}"] if lost else []),
            left=True,
        ),
        "candidates": _label("Candidates after duplicates removed", _n(flow["candidates"])),
        "awaiting": _label("Awaiting screening", _n(flow["unscreened"])),
        "screened": _label("Records screened (title and abstract)", _n(flow["screened"])),
        "excluded": _label(
            f"Records excluded {_n(flow['excluded'])}",
            *(f"  {reason_label(r)} {_n(n)}" for r, n in excluded.items()),
            left=True,
        ),
        "included": _label("Included for appraisal", _n(flow["included"])),
        "judged": _label("Judged: linked as evidence", _n(flow["judged"])),
        "not_judged": _label("Included, not yet judged", _n(flow["included_not_judged"])),
    }
    side = {"removed", "awaiting", "excluded", "not_judged"}
    rows = [
        ["stage_identification", "identified", "removed"],
        ["stage_screening", "candidates", "awaiting"],
        ["screened", "excluded"],
        ["stage_included", "included"],
        ["judged", "not_judged"],
    ]
    if flow["maybe"]:  # beside the inclusions: screened, neither in nor out yet
        nodes["maybe"] = _label("Maybe: to look at again", _n(flow["maybe"]))
        side.add("maybe")
        rows[3].append("maybe")
    stages = {
        "stage_identification": "Identification",
        "stage_screening": "Screening",
        "stage_included": "Included",
    }
    out = [
        "digraph prisma {",
        f'  graph [rankdir=TB, bgcolor="transparent", nodesep=0.35, ranksep=0.3, '
        f'fontname="{_FONT}"];',
        f'  node [shape=box, style="filled", fillcolor="{_BOX}", color="#555555", '
        f'fontcolor="#111111", fontname="{_FONT}", fontsize=12, margin="0.14,0.07"];',
        '  edge [color="#777777", arrowsize=0.7];',
    ]
    for name, text in stages.items():
        out.append(
            f'  {name} [label="{text}", style="rounded,filled", fillcolor="{_STAGE}", '
            'color="#9fbcd8", width=1.25, fontsize=12];'
        )
    for name, label in nodes.items():
        width = _SIDE_WIDTH if name in side else _MAIN_WIDTH
        out.append(f"  {name} [label={label}, width={width}];")
    for row in rows:
        out.append("  { rank=same; " + "; ".join(row) + "; }")
    # the stage labels stand in a column of their own, left of the main one
    out.append("  stage_identification -> stage_screening -> stage_included [style=invis];")
    for row in rows:
        if row[0].startswith("stage_"):
            out.append(f"  {row[0]} -> {row[1]} [style=invis];")
    # the main column, then what leaves it at each step
    out.append("  identified -> candidates -> screened -> included -> judged [weight=10];")
    edges = [
        ("identified", "removed"),
        ("candidates", "awaiting"),
        ("screened", "excluded"),
        ("included", "not_judged"),
    ]
    if "maybe" in nodes:
        edges.append(("screened", "maybe"))
    out.extend(f"  {a} -> {b};" for a, b in edges)
    out.append("}")
    return "\n".join(out)


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_TITLES = re.compile(r"<title>[^<]*</title>")  # a node's name ("identified"), of no use here
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


@functools.lru_cache(maxsize=256)
def _svg(dot: str) -> str | None:
    program = shutil.which("dot")
    if program is None:
        return None
    try:
        done = subprocess.run(
            [program, "-Tsvg"], input=dot, capture_output=True, text=True, timeout=20, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    svg = _TITLES.sub("", _COMMENTS.sub("", _PROLOG.sub("", done.stdout, count=1)))
    # its width in CSS pixels and no height: an image of it is drawn at that size, narrower
    # with the page, the viewBox keeping its proportions
    return _SIZE.sub(
        lambda m: f'<svg width="{round(float(m.group(1)) * 4 / 3)}"', svg, count=1
    ).strip()


def prisma_svg(flow: Mapping[str, Any]) -> str | None:
    """The diagram as SVG, or None where the server has no ``dot`` to draw it with."""
    return _svg(prisma_dot(flow))


_WIDTH = re.compile(r'<svg width="(\d+)"')


def diagram_html(svg: str, flow: Mapping[str, Any]) -> str:
    """The SVG as an image in a block of HTML. st.html lets HTML through but no SVG element
    (its sanitiser keeps the HTML profile only); as an image's data it is drawn whole, and
    whatever it held could never run or become part of the page. The image's text
    alternative is the flow in words."""
    data = base64.b64encode(svg.encode()).decode("ascii")
    width = _WIDTH.match(svg)
    size = f' width="{width.group(1)}"' if width else ""
    alt = html.escape(f"PRISMA 2020 flow diagram: {counts_text(flow)}")
    return (
        '<div class="prisma-flow" style="margin: 0.25rem 0 0.5rem">'
        f'<img src="data:image/svg+xml;base64,{data}"{size} alt="{alt}" '
        'style="max-width: 100%; height: auto"></div>'
    )


def counts_text(flow: Mapping[str, Any]) -> str:
    """The flow in one line, for a caption (and for whoever cannot see the drawing)."""
    parts = [
        f"{flow['identified']:,} identified",
        f"{flow['duplicates']:,} duplicates removed",
        f"{flow['screened']:,} of {flow['candidates']:,} screened",
        f"{flow['excluded']:,} excluded",
    ]
    if flow["maybe"]:
        parts.append(f"{flow['maybe']:,} maybe")
    parts += [f"{flow['included']:,} included", f"{flow['judged']:,} judged"]
    return " · ".join(parts)


def hand_logged(flow: Mapping[str, Any]) -> int:
    """Searches recorded by hand: their records were never brought in, so not counted."""
    return sum(1 for s in flow["searches"] if s["service"] is None)
