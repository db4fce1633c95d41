"""Streamlit's server, started with what a first visit would pay for already done.

`evidence dashboard` runs ``python -m evidence.webui.serve run SCRIPT ...`` rather than
``python -m streamlit run SCRIPT ...``. Importing what the pages import (the services, the
store, SQLAlchemy, the charts) takes most of a second on two cores; done here, before the
server listens, it is nobody's wait, where otherwise the first visitor after a start pays it.
The same goes for the rest of a first run's one-off costs, measured with a profiler on the
script's thread (0.35 s for the overview's first run against 0.08 s for the next):
the modules Streamlit imports only when a run needs them, the database driver and the ORM's
mapper set-up, and Streamlit's check that it is not in a REPL (below).
"""

from __future__ import annotations

import sys

# what the pages import, directly or through these
WARM = (
    "evidence.webui.auth",
    "evidence.webui.charts",
    "evidence.webui.curation",
    "evidence.webui.data",
    "evidence.webui.downloads",
    "evidence.webui.picker",
    "evidence.webui.prisma_chart",
    "evidence.webui.render",
    "evidence.webui.screening",
    "evidence.webui.views",
    # imported by Streamlit during a first run: the favicon's decoder, the icons' names
    "PIL.Image",
    "PIL.PngImagePlugin",
    "streamlit.material_icon_names",
    "streamlit.runtime.scriptrunner.magic_funcs",
)


def _warm_database() -> None:
    """Open the pages' own engine (a cached resource, kept for the server's life) and make
    the reads a first overview and claim page make, once each: the driver is loaded, the
    ORM's mappers are set up and the statements are compiled into the engine's cache.
    Nothing read is kept: the pages' cached results are made by the pages, in the server.
    A database that cannot be read is left for the first page to report, in the browser.
    """
    from evidence.services.views import claim_listing
    from evidence.services.views.claim_detail import claim_detail
    from evidence.services.views.claim_index import source_titles
    from evidence.store.history import data_version
    from evidence.webui import data

    try:
        with data.store().reading() as session:
            data_version(session)
            claim_listing.verdict_counts(session)
            claim_listing.tags(session)
            source_titles(session)
            for page in claim_listing.claims_page(
                session, data.NO_FILTERS, band=None, page=1, size=1
            ):
                claim_detail(session, page["id"])
    except Exception:  # noqa: BLE001 (the first page says what is wrong)
        return


def _freeze_what_is_loaded() -> None:
    """Streamlit collects garbage after every script run (``runner.postScriptGC``), holding
    the interpreter while it does: the server cannot send the page's last messages until it
    is done. A full collection walks every object the imports above made, 0.11-0.15 s on
    each run at the time of writing; frozen, those are skipped and a run's own garbage is
    still collected."""
    import gc

    gc.collect()
    gc.freeze()


def _skip_repl_check() -> None:
    """Streamlit's first element in a process asks whether it runs in a REPL, to warn that
    it should be started with `streamlit run`; the question walks the thread's stack and
    reads each frame's source, 0.1 s. This process is `streamlit run`: the answer is no."""
    from streamlit import delta_generator

    delta_generator._use_warning_has_been_displayed = True


def main() -> None:
    import importlib
    import logging

    import streamlit  # noqa: F401 (its loggers are set up on import: quieten one after)

    # Decorating a cached function before the server runs makes Streamlit warn that it
    # found no runtime; the caches themselves are made later, inside it, so say nothing.
    quiet = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        for name in WARM:
            importlib.import_module(name)
    finally:
        quiet.setLevel(level)
    _warm_database()
    _skip_repl_check()
    _freeze_what_is_loaded()
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
