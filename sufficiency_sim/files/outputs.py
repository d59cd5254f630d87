"""Output folders: the one place that prepares them, marks each as one run and checks the mark.

Every command that writes a folder calls `start_run` before any simulation: it refuses a path
that is a file or a folder that cannot be written (by really writing a probe file there, since
permission bits say nothing for root or on some file systems), then removes the marker of any
earlier run in the folder first and the files that run listed, so a run killed part-way never
looks complete and never leaves an old run's files beside its own. `finish_run` writes the
marker last: ``run.json`` with a fresh ``run_id`` and the SHA-256 of every file of the run.
`check_run` (used by `report`) refuses a folder whose marker is missing or whose files do not
match it.

`writable_folder` and `writable_file` are the same checks for commands that write single files
(`calibrate`, `backtest`, `indicators --out`, `report --out`); `staged_folder` builds a folder
of outputs beside its final place and puts it there only when all of it has been written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sufficiency_sim.errors import InputError, OutputError
from sufficiency_sim.files import atomic

MARKER = "run.json"
"""The file that marks a folder as holding one complete run (written last)."""

_FILES_KEY = "files"
_RUN_ID_KEY = "run_id"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _folder_problem(path: Path) -> str | None:
    """Why files cannot be written in the folder `path` (None when they can), creating nothing:
    it is a file, lies under a file, or its nearest existing folder refuses a probe file."""
    if path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder"
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    try:
        with tempfile.TemporaryFile(dir=existing, prefix=".write-check-"):
            pass
    except OSError as exc:
        return f"{existing}: {_reason(exc)}"
    return None


def writable_folder(path: str | os.PathLike[str], option: str = "--out") -> Path:
    """Check that files can be written in the folder `path`, creating nothing (a folder that
    does not exist yet is created when the first output is written).

    Raises OutputError (one line: the option, the path and why) when `path` is a file, lies
    under a file, or its nearest existing folder refuses a probe file (removed at once).
    """
    path = Path(path)
    problem = _folder_problem(path)
    if problem is not None:
        raise OutputError(f"{option} {path}: cannot write to this folder ({problem})")
    return path


def writable_file(path: str | os.PathLike[str], option: str = "--out") -> Path:
    """Check that the file `path` can be written: not a folder, and its folder writable."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder; expected the name of a file to write")
    problem = _folder_problem(path.parent)
    if problem is not None:
        raise OutputError(f"{path}: cannot write the file ({problem})")
    return path


def read_marker(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The marker of the run in `folder`, or None when there is none or it is unreadable."""
    path = Path(folder) / MARKER
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _listed(marker: Mapping[str, Any]) -> list[str]:
    """The plain file names an earlier run's marker lists (never a path outside the folder)."""
    names: list[str] = []
    files = marker.get(_FILES_KEY)
    if isinstance(files, Mapping):
        names.extend(str(name) for name in files)
    outputs = marker.get("outputs")
    if isinstance(outputs, list):
        names.extend(str(name) for name in outputs)
    return [
        name
        for name in dict.fromkeys(names)
        if name and name == Path(name).name and not name.startswith(".") and name != MARKER
    ]


def start_run(
    folder: str | os.PathLike[str], option: str = "--out", also: Iterable[str] = ()
) -> str:
    """Prepare `folder` for a new run and return the run's id.

    Checks the folder can be written (`writable_folder`), then removes the earlier run's marker
    first and the files it listed, plus the files and folders named in `also` (a command's own
    outputs, in case the earlier run was killed before its marker was written). Checkpoints
    are not touched: `--resume` relies on them.
    """
    folder = writable_folder(folder, option)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{option} {folder}: cannot create the folder ({_reason(exc)})") from None
    marker = read_marker(folder)
    try:
        with contextlib.suppress(FileNotFoundError):
            (folder / MARKER).unlink()
        for name in _listed(marker) if marker else []:
            if (folder / name).is_file():  # only files: a marker names no folder to remove
                (folder / name).unlink()
        for name in also:
            target = folder / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
    except OSError as exc:
        raise OutputError(
            f"{option} {folder}: cannot remove the earlier run's files ({_reason(exc)})"
        ) from None
    return uuid.uuid4().hex


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def finish_run(
    folder: str | os.PathLike[str], run_id: str, meta: Mapping[str, Any], files: Iterable[str]
) -> Path:
    """Write the marker last: `meta` with the run id and each file's SHA-256 (atomically)."""
    folder = Path(folder)
    hashes = {name: sha256_file(folder / name) for name in files if name != MARKER}
    data = {**meta, _RUN_ID_KEY: run_id, _FILES_KEY: hashes}
    atomic.write_text(folder / MARKER, json.dumps(data, indent=2, default=str) + "\n")
    return folder / MARKER


def check_run(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The marker of the complete run in `folder`; InputError when it is missing or any file
    it lists is missing or differs (a run killed part-way, or files of two runs mixed)."""
    folder = Path(folder)
    path = folder / MARKER
    marker = read_marker(folder)
    if marker is None:
        raise InputError(
            f"{path}: not found or unreadable, so {folder} does not hold a finished run "
            "(was the run interrupted?); run the command again into this folder"
        )
    files = marker.get(_FILES_KEY)
    if not isinstance(marker.get(_RUN_ID_KEY), str) or not isinstance(files, Mapping):
        raise InputError(
            f"{path}: has no run id and file list, so its files cannot be checked to belong "
            "to one run (written by an older version?); run the command again into this folder"
        )
    for name, expected in files.items():
        target = folder / str(name)
        if not target.is_file():
            raise InputError(
                f"{target}: listed in {path} but missing; the folder does not hold one "
                "complete run; run the command again into this folder"
            )
        if sha256_file(target) != expected:
            raise InputError(
                f"{target}: differs from the file of run {marker[_RUN_ID_KEY]} listed in {path} "
                "(files of two runs are mixed); run the command again into this folder"
            )
    return marker


@contextlib.contextmanager
def staged_folder(folder: str | os.PathLike[str], option: str = "--out") -> Iterator[Path]:
    """Yield a temporary folder beside `folder` to write into; on success it replaces `folder`
    (an earlier one is removed), on any error or interruption it is removed and `folder` is
    left as it was."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{option} {folder}: is a file; expected a folder to write into")
    parent = writable_folder(folder.parent, option)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=parent))
    os.chmod(staging, 0o777 & ~atomic.current_umask())  # mkdtemp makes 0700
    try:
        yield staging
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{folder}: cannot write the folder ({_reason(exc)})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
