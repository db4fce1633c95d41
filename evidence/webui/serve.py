"""Streamlit's server, started with the dashboard's own modules already imported.

`evidence dashboard` runs ``python -m evidence.webui.serve run SCRIPT ...`` rather than
``python -m streamlit run SCRIPT ...``. Importing what the pages import (the services, the
store, SQLAlchemy, the charts) takes most of a second on two cores; done here, before the
server listens, it is nobody's wait, where otherwise the first visitor after a start pays it.
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
    "evidence.webui.render",
    "evidence.webui.views",
)


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
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
