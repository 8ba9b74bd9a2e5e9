"""Shared fixtures: the warehouse built once from data_samples/ for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.build import BuildResult, Progress, run_build

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data_samples"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """(warehouse path, build result) for the committed sample data."""
    warehouse = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    result = run_build(SAMPLES, warehouse, progress=Progress(quiet=True))
    return warehouse, result


@pytest.fixture(scope="session")
def sample_warehouse(sample_build: tuple[Path, BuildResult]) -> Path:
    return sample_build[0]
