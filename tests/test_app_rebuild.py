"""A running app follows every rebuild of the warehouse: each rebuild's run id and build time are
shown on the next page run of an open session and of a new session, without a restart, and the
replaced warehouse files are not kept open."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from pipelines.build import run_build
from tests.conftest import APP, APP_TIMEOUT, SAMPLES

DATA_PAGE = "views/data_definitions.py"


def _open_files(folder: Path) -> list[str]:
    """Targets of this process's open file descriptors inside `folder` (other tests' warehouses,
    opened in the same process, are not this test's concern)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed between listing and reading
            continue
        if target.startswith(f"{folder}/"):
            found.append(target)
    return found


def _page_text(at: AppTest) -> str:
    return " ".join([c.value for c in at.caption] + [m.value for m in at.markdown])


def _shows_build(at: AppTest, run_id: str, built_at) -> bool:
    text = _page_text(at)
    return run_id in text and f"{built_at:%d %b %Y %H:%M}" in text


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to list open files")
def test_each_rebuild_is_shown_in_open_and_new_sessions_and_old_files_are_released(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "source"
    shutil.copytree(SAMPLES, source)
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv(data.WAREHOUSE_ENV, str(warehouse))

    first = run_build(source, warehouse)
    open_session = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    open_session.run()
    open_session.switch_page(DATA_PAGE).run()
    assert not open_session.exception
    assert _shows_build(open_session, first.run_id, data.build_info()["built_at"])

    for _ in range(2):
        rebuilt = run_build(source, warehouse)
        info = data.build_info()
        assert info["run_id"] == rebuilt.run_id
        open_session.run()
        assert not open_session.exception
        assert _shows_build(open_session, rebuilt.run_id, info["built_at"])
        new_session = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
        new_session.run()
        assert not new_session.exception
        assert _shows_build(new_session, rebuilt.run_id, info["built_at"])
        # Only the current file may be open: a replaced one shows as "... (deleted)".
        assert not [t for t in _open_files(tmp_path) if t.endswith("(deleted)")]
        assert set(_open_files(tmp_path)) <= {str(warehouse)}
