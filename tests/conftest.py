"""Shared fixtures.  Tests that need ../shared skip with a reason when it is absent."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "indexer" / "samples"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that folder is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside the project in CI and dev sessions)")
    return path


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory) -> Path:
    """An index over all of ../shared (~8,000 passages; about 5 s to build): the
    paging and export bugs only show on more passages than the samples have."""
    from indexer.build import build_index

    source = shared_path()
    path = tmp_path_factory.mktemp("shared-index")
    build_index([source], path, procs=1, words=False)
    return path


@pytest.fixture(scope="session")
def opened_shared_index(shared_index):
    """The index over ../shared, opened once for the tests that only read it."""
    from indexer.search import open_index

    index = open_index(shared_index)
    yield index
    index.close()
