"""Shared fixtures: the warehouse built once from data_samples/ for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.build import BuildResult, run_build

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data_samples"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """(warehouse path, build result) for the committed sample data."""
    warehouse = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    result = run_build(SAMPLES, warehouse)
    return warehouse, result


@pytest.fixture(scope="session")
def sample_warehouse(sample_build: tuple[Path, BuildResult]) -> Path:
    return sample_build[0]


APP = ROOT / "dashboard" / "app.py"
APP_TIMEOUT = 60


@pytest.fixture
def app_on_sample(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    """A factory: `app_on_sample(page_file, **query_params)` -> an AppTest that has run that page
    against the sample warehouse (page_file as in dashboard.site, e.g. 'borough.py')."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COC_WAREHOUSE", str(sample_warehouse))

    def run(page_file: str | None = None, **params: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if page_file is not None:
            at.switch_page(f"views/{page_file}")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


LOCAL_BROWSER_PORT = 8501


@pytest.fixture
def local_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest has no browser connection (so local mode gives it only the viewer role): act as
    a browser on this machine, opened at http://localhost:8501."""
    from dashboard import auth

    request = auth.BrowserRequest(f"localhost:{LOCAL_BROWSER_PORT}",
                                  frozenset({"host", "origin"}), "127.0.0.1")
    monkeypatch.setattr(auth, "browser_request", lambda: request)
    monkeypatch.setattr(auth, "_app_port", lambda: LOCAL_BROWSER_PORT)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the whole session (tests/postgres_server.py)."""
    from tests import postgres_server

    yield from postgres_server.start()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """The URL of a fresh, empty database on the session's server."""
    return postgres_server.new_database()
