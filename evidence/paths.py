"""Where the starter content and the dashboard script live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # A wheel carries them inside the package; a checkout (or editable install) beside it.
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ folder of the evidence package")


def seeds_dir() -> Path:
    return _find("seeds")


def dashboard_script() -> Path:
    return _find("dashboard") / "streamlit_app.py"
