"""Every notebook (`notebooks/NN_*.py`, jupytext percent format) runs from top to bottom.

Each is converted with jupytext and executed in a fresh python3 kernel by nbclient, in the
notebooks folder as Jupyter would, with few replications (quick mode). A cell that raises
fails the test with the cell's source and traceback in the message. A deliberately broken copy
checks that the harness can fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from sufficiency_sim.report.notebook import JOBS_ENV, REPLICATIONS_ENV

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
QUICK_REPLICATIONS = 3
TIMEOUT_SECONDS = 300  # per cell


def execute_notebook(
    path: Path, cwd: Path, environment: dict[str, str] | None = None
) -> nbformat.NotebookNode:
    """Execute a jupytext notebook in a fresh kernel started in `cwd`; fail the test with the
    failing cell's source and traceback if a cell raises."""
    notebook = jupytext.read(path)
    env = dict(os.environ)
    # The kernel is a separate process: make sure it imports this checkout of the package.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update({REPLICATIONS_ENV: str(QUICK_REPLICATIONS), JOBS_ENV: "1", "MPLBACKEND": ""})
    env.update(environment or {})
    env = {k: v for k, v in env.items() if v}
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute(env=env)
    except CellExecutionError as error:
        pytest.fail(f"{path.name}: a cell failed\n{error}", pytrace=False)
    return notebook


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_notebooks_are_found() -> None:
    """The glob sees the notebooks (so an empty parametrisation cannot pass silently)."""
    names = [p.name for p in NOTEBOOKS]
    for expected in ("01_york_baseline.py", "05_verification.py"):
        assert expected in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    """The notebook runs without error in quick mode, shows at least one chart, and writes
    nothing into the notebooks folder it runs in."""
    before = _entries(NOTEBOOK_DIR)
    notebook = execute_notebook(path, NOTEBOOK_DIR)
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert any("image/png" in out.get("data", {}) for out in outputs), "no chart shown"
    assert any(cell.cell_type == "markdown" for cell in notebook.cells)
    created = _entries(NOTEBOOK_DIR) - before
    created = {name for name in created if not (name[:2].isdigit() and name.endswith(".py"))}
    assert not created, f"{path.name} wrote {sorted(created)} into {NOTEBOOK_DIR}"


def test_a_broken_notebook_fails(tmp_path: Path) -> None:
    """A copy of a notebook with a cell that raises fails under the same harness, and the
    failure names the cell's error."""
    notebook = jupytext.read(NOTEBOOKS[0])
    first_code = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code")
    broken = nbformat.v4.new_code_cell('raise RuntimeError("deliberately broken cell")')
    notebook.cells.insert(first_code + 1, broken)
    path = tmp_path / "99_broken.py"
    jupytext.write(notebook, path, fmt="py:percent")
    with pytest.raises(pytest.fail.Exception) as failure:
        execute_notebook(path, NOTEBOOK_DIR)
    message = str(failure.value)
    assert "deliberately broken cell" in message
    assert "RuntimeError" in message
    assert "99_broken.py" in message


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notebooks' replication and job counts come from the environment, with clear errors."""
    from sufficiency_sim.errors import InputError
    from sufficiency_sim.report.notebook import repo_root, settings

    monkeypatch.delenv(REPLICATIONS_ENV, raising=False)
    monkeypatch.delenv(JOBS_ENV, raising=False)
    default = settings(default_replications=25)
    assert (default.replications, default.jobs, default.quick) == (25, 1, False)
    monkeypatch.setenv(REPLICATIONS_ENV, "3")
    monkeypatch.setenv(JOBS_ENV, "2")
    quick = settings()
    assert (quick.replications, quick.jobs, quick.quick) == (3, 2, True)
    monkeypatch.setenv(REPLICATIONS_ENV, "many")
    with pytest.raises(InputError, match=REPLICATIONS_ENV):
        settings()
    monkeypatch.setenv(REPLICATIONS_ENV, "1")
    with pytest.raises(InputError, match="at least 2"):
        settings()
    assert repo_root(NOTEBOOK_DIR) == ROOT
    assert repo_root(ROOT / "scenarios" / "options") == ROOT
