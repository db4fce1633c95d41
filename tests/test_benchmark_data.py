"""The benchmarks' synthetic data has the shape of the real data it stands for."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import import_pubmed  # noqa: E402

from evidence.formats.pubmed_xml import PubmedRecord, read_pubmed_xml  # noqa: E402


@pytest.fixture(scope="module")
def baseline_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "pubmed-synthetic.xml.gz"
    import_pubmed.generate(path, 3000)
    return path


def test_the_pubmed_baseline_file_has_a_real_files_shape(baseline_file: Path) -> None:
    shape = import_pubmed.shape(baseline_file)
    off = {
        name: (round(shape[name], 2), real)
        for name, real in import_pubmed.REAL_SHAPE.items()
        if abs(shape[name] - real) > 0.12 * real
    }
    assert not off, f"synthetic vs real (more than 12% apart): {off}"


def test_the_pubmed_baseline_file_is_synthetic_and_readable(baseline_file: Path) -> None:
    records = list(read_pubmed_xml(baseline_file))
    articles = [r for r in records if isinstance(r, PubmedRecord)]
    assert len(articles) == 3000
    assert all(int(r.pmid) > 90000000 for r in articles)
    assert all(r.doi is None or r.doi.startswith("10.5555/") for r in articles)
    # some issues are dated as a range ("2020 Jul-Sep"): their year is still read
    assert all(r.year is not None for r in articles)
