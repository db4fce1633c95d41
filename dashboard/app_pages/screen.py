"""Screen a claim's candidates: one at a time, most likely relevant first, by title and abstract.

The router only runs this page for a curator; every decision checks the role again. Each
button acts in a callback, before the page is drawn again, with the candidate and version it
was drawn for: a decision lands on the paper the curator read, even if the queue moved
meanwhile, and one another curator made first is refused (never overwritten) and said so.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from evidence.domain.vocab import Design, ExclusionReason, Role, Screening, Stance, Upgrade
from evidence.errors import ClaimNotFound
from evidence.webui import auth, curation, data, screening
from evidence.webui.curating.form import DIRECTNESS, OTHER_DOWNGRADES, RISK_OF_BIAS, words
from evidence.webui.picker import claim_picker
from evidence.webui.render import (
    DESIGN_LABELS,
    VERDICT_COLOURS,
    certainty_text,
    md_text,
    verdict_label,
)

user = auth.user()
if user is None or not user.may(Role.curator):  # the router already refuses; be sure
    auth.refuse()
    st.stop()

FLASH = "screen_flash"  # (level, message) for the next run
REASONS = [r.value for r in ExclusionReason]
STANCES = [s.value for s in Stance]


def K(*parts: object) -> str:
    return ":".join(["screen", *map(str, parts)])


def skipped_key(claim_id: str) -> str:
    return K("skipped", claim_id)


def judging_key(claim_id: str) -> str:
    return K("judging", claim_id)


def flash(level: str, message: str) -> None:
    st.session_state[FLASH] = (level, message)


def landed(outcome: curation.Outcome, claim_id: str, ref: str, tried: str) -> None:
    if outcome.ok:
        flash("success", outcome.message)
        st.session_state.pop(judging_key(claim_id), None)
    elif outcome.conflict:
        flash("warning", screening.decided_meanwhile(claim_id, ref, tried))
        st.session_state.pop(judging_key(claim_id), None)
    else:
        flash("error", outcome.message)


# --- the buttons' callbacks (they run before the page is drawn again) -----------------------


def decide(claim_id: str, item: Any, decision: str, **values: Any) -> None:
    """One decision on ``item`` (a QueueItem) as it was shown."""
    outcome = curation.attempt(
        screening.screen,
        user,
        claim_id=claim_id,
        ref=item.reference,
        decision=decision,
        version=item.version,
        # a "maybe" is a decision already: changing it is a revision, still refused if
        # someone changed the candidate since it was shown
        revise=item.state == Screening.maybe.value,
        **values,
    )
    landed(outcome, claim_id, item.reference, decision)


def exclude(claim_id: str, item: Any, form: str) -> None:
    reason = st.session_state.get(f"{form}:reason")
    text = st.session_state.get(f"{form}:reason_text") or None
    if reason is None:
        flash("error", "Choose why it is excluded, then press Exclude again.")
        return
    decide(claim_id, item, "exclude", reason=reason, reason_text=text)


def judgement(form: str) -> dict[str, Any] | None:
    """The judgement form's values as the change takes them; None without a rationale."""
    rationale = (st.session_state.get(f"{form}:rationale") or "").strip()
    if not rationale:
        flash(
            "error",
            "Write the rationale (one sentence: how the paper bears on the claim), or "
            "choose “Include now, judge later”.",
        )
        return None
    downgrades = list(st.session_state.get(f"{form}:downgrades") or [])
    if st.session_state.get(f"{form}:directness") == "indirect":
        downgrades.append("indirectness")
    if st.session_state.get(f"{form}:bias") == "high":
        downgrades.append("risk_of_bias")
    return {
        "stance": st.session_state.get(f"{form}:stance") or STANCES[0],
        "rationale": rationale,
        "downgrades": downgrades,
        "upgrades": list(st.session_state.get(f"{form}:upgrades") or []),
        "design": st.session_state.get(f"{form}:design"),
    }


def include_judged(claim_id: str, item: Any, form: str) -> None:
    values = judgement(form)
    if values is not None:
        decide(claim_id, item, "include", **values)


def judge_included(claim_id: str, ref: str, form: str) -> None:
    values = judgement(form)
    if values is None:
        return
    outcome = curation.attempt(screening.judge, user, claim_id=claim_id, ref=ref, **values)
    flash("success" if outcome.ok else "error", outcome.message)


def skip(claim_id: str, ref: str) -> None:
    st.session_state.setdefault(skipped_key(claim_id), []).append(ref)


def start_judging(claim_id: str, ref: str) -> None:
    st.session_state[judging_key(claim_id)] = ref


def stop_judging(claim_id: str) -> None:
    st.session_state.pop(judging_key(claim_id), None)


def unskip(claim_id: str) -> None:
    st.session_state.pop(skipped_key(claim_id), None)


# --- the page ----------------------------------------------------------------------------------

st.title("Screen candidates")
if FLASH in st.session_state:
    level, message = st.session_state.pop(FLASH)
    {"success": st.success, "warning": st.warning, "error": st.error}[level](md_text(message))
if not data.claim_count():
    st.info("The ledger has no claims yet.")
    st.stop()

choice = claim_picker(key="screen_choice")
if choice is None:
    st.info("Choose the claim whose candidates to screen in the sidebar.")
    waiting_claims = screening.claims_to_screen()
    if waiting_claims:
        st.markdown("**Claims with candidates waiting to be screened**")
        st.html(screening.to_screen_html(waiting_claims))
    st.stop()
try:
    claim = data.claim(choice)
except ClaimNotFound as exc:  # removed since the list was read
    st.error(md_text(str(exc)))
    st.stop()
cid = claim["id"]

st.subheader(md_text(claim["statement"]), anchor=False)
cols = st.columns([2, 3, 5], vertical_alignment="center")
with cols[0]:
    st.badge(verdict_label(claim["verdict"]), color=VERDICT_COLOURS[claim["verdict"]])
cols[1].markdown(certainty_text(claim))
cols[2].page_link(
    "app_pages/claim.py",
    label="As readers see it",
    query_params={"id": cid},
    icon=":material/visibility:",
)

queue = screening.queue(cid)


def design_choice(form: str, suggested: str | None) -> None:
    shown = screening.design_label(suggested)
    st.selectbox(
        "Study design",
        [d.value for d in Design],
        index=None,
        format_func=DESIGN_LABELS.__getitem__,
        placeholder=f"keep the suggested: {shown}"
        if shown
        else "keep the paper's (or leave unset)",
        help="The design its publication types suggest counts until a curator sets one.",
        key=f"{form}:design",
    )


def judgement_fields(form: str, suggested: str | None) -> None:
    """The evidence-link form's judgements, as on the Curate page (the paper is known)."""
    a, b = st.columns(2)
    a.selectbox("Stance", STANCES, key=f"{form}:stance")
    with b:
        design_choice(form, suggested)
    a, b, c = st.columns(3)
    a.radio("Directness", DIRECTNESS, key=f"{form}:directness")
    b.radio("Risk of bias", RISK_OF_BIAS, format_func=words, key=f"{form}:bias")
    c.multiselect("Other downgrades", OTHER_DOWNGRADES, format_func=words, key=f"{form}:downgrades")
    st.multiselect(
        "Upgrades", [u.value for u in Upgrade], format_func=words, key=f"{form}:upgrades"
    )
    st.text_area(
        "Rationale",
        placeholder="One sentence: how the paper bears on the claim.",
        key=f"{form}:rationale",
    )


def decision_form(item: Any) -> None:
    form = K(cid, item.reference, item.version)
    with st.form(form, border=False, enter_to_submit=False):
        a, b = st.columns([2, 3])
        a.selectbox(
            "Reason to exclude",
            REASONS,
            index=None,
            format_func=lambda r: ExclusionReason(r).label,
            placeholder="choose one, then Exclude",
            key=f"{form}:reason",
        )
        b.text_input(
            "Other reason, in words",
            placeholder="needed for “other”; a note for any other reason",
            key=f"{form}:reason_text",
        )
        buttons = st.columns(4)
        buttons[0].form_submit_button(
            "Include",
            type="primary",
            icon=":material/check_circle:",
            on_click=start_judging,
            args=(cid, item.reference),
            key=f"{form}:include",
            width="stretch",
        )
        buttons[1].form_submit_button(
            "Exclude",
            icon=":material/cancel:",
            on_click=exclude,
            args=(cid, item, form),
            key=f"{form}:exclude",
            width="stretch",
        )
        if item.state != Screening.maybe.value:
            buttons[2].form_submit_button(
                "Maybe",
                icon=":material/help:",
                on_click=decide,
                args=(cid, item, "maybe"),
                key=f"{form}:maybe",
                width="stretch",
            )
        buttons[3].form_submit_button(
            "Skip",
            icon=":material/skip_next:",
            on_click=skip,
            args=(cid, item.reference),
            key=f"{form}:skip",
            width="stretch",
            help="Leave it for now: the others come first (in this session; nothing is recorded).",
        )


def include_form(item: Any) -> None:
    form = K(cid, item.reference, item.version, "judge")
    st.markdown("**Include it: judge it now, or later**")
    with st.form(form):
        judgement_fields(form, item.suggested_design)
        a, b, c = st.columns([3, 3, 2])
        a.form_submit_button(
            "Include and link as evidence",
            type="primary",
            icon=":material/add_link:",
            on_click=include_judged,
            args=(cid, item, form),
            key=f"{form}:link",
        )
        b.form_submit_button(
            "Include now, judge later",
            icon=":material/schedule:",
            on_click=decide,
            args=(cid, item, "include"),
            key=f"{form}:later",
        )
        c.form_submit_button(
            "Back",
            icon=":material/arrow_back:",
            on_click=stop_judging,
            args=(cid,),
            key=f"{form}:back",
        )


if queue is None:
    st.info(
        "This claim has no candidates yet: a search run by the tool makes its records the "
        "claim's candidates. From the command line:"
    )
    st.code(f'evidence search {cid} --pubmed "..."', language="bash")
    st.caption(
        "Or --crossref or --openalex, or --file EXPORT.ris --database Embase for a "
        "database's export; `evidence search --rerun` runs a claim's searches again."
    )
else:
    screened = queue.screened
    st.progress(
        screened / queue.total if queue.total else 1.0, text=md_text(queue.progress() + ".")
    )
    skipped = st.session_state.get(skipped_key(cid), [])
    waiting = [i for i in queue.items if i.reference not in skipped]
    judging = st.session_state.get(judging_key(cid))
    if not queue.items:
        st.success(md_text(f"Nothing left to screen for this claim: {queue.progress()}."))
    elif not waiting:
        st.info(f"You skipped the {len(queue.items):,} candidates left.")
        st.button("Show the skipped candidates again", on_click=unskip, args=(cid,))
    else:
        item = next((i for i in waiting if i.reference == judging), waiting[0])
        st.html(screening.candidate_html(item, queue.terms))
        if judging == item.reference:
            include_form(item)
        else:
            decision_form(item)
        later = len(waiting) - 1
        st.caption(
            f"{later:,} more waiting after this one"
            + (f", {len(skipped):,} skipped for now" if skipped else "")
            + ". The order is learned from your decisions: after each, the likeliest next."
        )

JUDGE_AT_ONCE = 10  # forms drawn at a time: each is a handful of widgets for the browser
papers = claim["included_not_judged"]
if papers:
    st.subheader(f"Included, not yet judged ({len(papers):,})", anchor=False)
    st.caption(
        "Included in screening, they count towards no verdict until they are judged"
        + (f"; the first {JUDGE_AT_ONCE} are listed." if len(papers) > JUDGE_AT_ONCE else ".")
    )
    for paper in papers[:JUDGE_AT_ONCE]:
        label = md_text(paper["title"] or paper["key"])
        with st.expander(label):
            st.html(screening.included_html([paper], cid, judge=False))
            form = K(cid, paper["key"], "later")
            with st.form(form):
                judgement_fields(form, None)
                st.form_submit_button(
                    "Link as evidence",
                    type="primary",
                    icon=":material/add_link:",
                    on_click=judge_included,
                    args=(cid, paper["key"], form),
                    key=f"{form}:link",
                )
