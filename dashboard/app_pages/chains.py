"""Mechanism chains: the proposed ``leads_to`` steps drawn as a graph, each step coloured by its
verdict, the weakest step marked. A chain is only as strong as its weakest step."""

from __future__ import annotations

import streamlit as st

from evidence.domain.chains import shared_start
from evidence.webui import downloads, views
from evidence.webui.charts import chain_dot
from evidence.webui.render import (
    VERDICT_COLOURS,
    chain_heading,
    md_text,
    shared_as_above,
    shared_steps_title,
    short,
    verdict_label,
    weakest_of_note,
    weakest_reason,
)

PAGE_SIZE = 10
MAX_DRAWN = 60  # claims in one drawing; past that only the chosen chain is drawn

st.title("Mechanism chains")
st.caption(
    "Claims linked step by step (“leads to”) into a proposed mechanism, e.g. an old injury → "
    "lumbar fibrosis → nerve-root tethering → neuropathy → calf spasticity → plantar "
    "fasciitis. A chain is only as strong as its weakest step."
)

result = views.chains()
mechanisms, chains, claims = result["mechanisms"], result["chains"], result["claims"]
if not mechanisms:
    st.info(
        "No mechanism chain is recorded yet: chains appear when claims are linked with "
        "`evidence claims link A B --relation leads_to`."
    )
    st.stop()


def first_steps(m: dict) -> str:
    heads = sorted({chains[n]["steps"][0] for n in m["chains"]})
    text = short(claims[heads[0]]["statement"], 70)
    return text + (f" (and {len(heads) - 1} more starts)" if len(heads) > 1 else "")


def mechanism_label(i: int) -> str:
    m = mechanisms[i]
    n = len(m["chains"])
    return f"{len(m['claims'])} claims, {n} chain{'s' if n != 1 else ''}: {first_steps(m)}"


def chain_label(n: int) -> str:
    ch = chains[n]
    ends = [short(claims[c]["statement"], 40) for c in (ch["steps"][0], ch["steps"][-1])]
    return (
        f"Chain {numbers.index(n) + 1}: {ends[0]} → … → {ends[1]} ({len(ch['steps'])} steps, "
        f"{verdict_label(ch['verdict']).lower()})"
    )


# ?claim=<id> opens the mechanism that claim is a step of
owner = {c: i for i, m in enumerate(mechanisms) for c in m["claims"]}
wanted = st.query_params.get("claim")
if wanted in owner and st.session_state.get("chains_from_address") != wanted:
    st.session_state["chains_mechanism"] = owner[wanted]
    st.session_state["chains_from_address"] = wanted

st.caption(
    f"{len(chains)} chains in {len(mechanisms)} mechanism{'s' if len(mechanisms) != 1 else ''}, "
    f"over {len(claims)} claims."
)
pick = st.columns([3, 2])
choice = pick[0].selectbox(
    "Mechanism",
    range(len(mechanisms)),
    format_func=mechanism_label,
    key="chains_mechanism",
    help="Claims joined by “leads to” links; largest first. Type to search by the first step.",
)
mechanism = mechanisms[choice]
numbers = mechanism["chains"]
highlight = pick[1].selectbox(
    "Highlight a chain",
    numbers,
    index=None,
    format_func=lambda n: chain_label(n),
    placeholder="All chains",
    key=f"chains_highlight_{choice}",
)

legend = " ".join(f":{colour}-badge[{verdict_label(v)}]" for v, colour in VERDICT_COLOURS.items())
st.markdown(
    f"**Legend:** {legend} · **thick red border, “⚠ WEAKEST STEP”**: the weakest step of a "
    "chain through it (a chain is as strong as that step)."
)

weakest = {chains[n]["weakest"] for n in numbers}
if highlight is not None:
    weakest = {chains[highlight]["weakest"]}
if len(mechanism["claims"]) <= MAX_DRAWN:
    edges = mechanism["edges"]
    path = chains[highlight]["steps"] if highlight is not None else []
else:
    # too many claims to read as one drawing: draw one chain at a time
    shown = chains[highlight if highlight is not None else numbers[0]]
    path = shown["steps"]
    edges = list(zip(path, path[1:], strict=False))
    weakest = {shown["weakest"]}
    st.caption(
        f"This mechanism has {len(mechanism['claims'])} claims, too many to draw at once: "
        "the graph shows one chain (choose another above)."
    )
st.graphviz_chart(
    chain_dot(claims, edges, weakest=weakest, highlight=path),
    width="stretch",
)
st.caption("Click a step to open its claim, or use the links below.")

st.subheader(f"Chains ({len(numbers)})", anchor=False)
if mechanism["truncated"]:
    st.warning(
        f"This mechanism has more chains than the first {len(numbers)} listed here: its "
        "links branch too often to list every path."
    )
listed = [highlight] if highlight is not None else numbers
info, csv = st.columns([5, 1], vertical_alignment="center")
downloads.offer(
    csv,
    "CSV",
    views.chains_csv(result, listed),
    file_name="chains.csv",
    key="chains_csv",
    help="The chains listed here, one row per step, with each chain's overall verdict.",
)
pages = -(-len(listed) // PAGE_SIZE)
page = st.pagination(pages, key=f"chains_page_{choice}") if pages > 1 else 1
first = (page - 1) * PAGE_SIZE
info.caption(
    f"Chains {first + 1}–{min(first + PAGE_SIZE, len(listed))} of {len(listed)}."
    if pages > 1
    else "Each chain from its first step to its last."
)
shown_here = listed[first : first + PAGE_SIZE]
# the chains of a mechanism often share their first steps: listed once, above the cards
shared = shared_start([chains[n]["steps"] for n in shown_here]) if len(shown_here) > 1 else 0


def step_link(i: int, cid: str, note: str = "") -> None:
    step = claims[cid]
    suffix = f" — {verdict_label(step['verdict'])}, {step['certainty']}"
    if step["overridden"]:
        suffix += " (curator override)"
    st.page_link(
        "app_pages/claim.py",
        # the statement gives way to the note, which a narrow page would cut off
        label=md_text(f"{i + 1}. " + short(step["statement"], 100 - len(note)) + suffix + note),
        query_params={"id": cid},
        icon=":material/arrow_forward:" if i else ":material/play_arrow:",
    )


if shared:
    with st.container(border=True):
        st.markdown(shared_steps_title(shared))
        for i, cid in enumerate(chains[shown_here[0]]["steps"][:shared]):
            weakest_of = [
                numbers.index(n) + 1 for n in shown_here if chains[n]["weakest_index"] == i
            ]
            step_link(i, cid, weakest_of_note(weakest_of, len(shown_here)))
for n in shown_here:
    ch = chains[n]
    with st.container(border=True):
        badge = f":{VERDICT_COLOURS[ch['verdict']]}-badge[{verdict_label(ch['verdict'])}]"
        st.markdown(chain_heading(numbers.index(n) + 1, ch, badge))
        if why := weakest_reason(ch):
            st.caption(why)
        if shared:
            st.caption(shared_as_above(shared))
        for i, cid in enumerate(ch["steps"]):
            if i >= shared:
                step_link(i, cid, " · ⚠ weakest step" if i == ch["weakest_index"] else "")
