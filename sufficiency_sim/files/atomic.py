"""Atomic file writing: an interrupted run never leaves a half-written file that looks complete."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sufficiency_sim.errors import OutputError


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temporary file beside `path`; on success rename it over `path`.

    On any exception the temporary file is removed and `path` is left as it was. A write the
    system refuses (not a folder, no space, no permission) raises `OutputError` naming `path`.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise cannot_write(target, exc) from None
    os.close(fd)
    try:
        if "b" not in mode:
            kwargs.setdefault("encoding", "utf-8")
            kwargs.setdefault("newline", "")
        with open(tmp_name, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~current_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp_name, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise cannot_write(target, exc) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def cannot_write(path: str | os.PathLike[str], exc: OSError) -> OutputError:
    """The one message for a failed write: the path and the system's reason."""
    if isinstance(exc, OutputError):
        return exc
    reason = exc.strerror or str(exc)
    if isinstance(exc, NotADirectoryError | FileExistsError) and exc.filename:
        reason = f"{reason}: {exc.filename}"
    return OutputError(f"{path}: cannot write the file ({reason})")


def current_umask() -> int:
    """The process's umask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` to `path` atomically (UTF-8)."""
    with atomic_open(path, "w") as handle:
        handle.write(text)


def write_csv(path: str | os.PathLike[str], frame) -> None:
    """Write a pandas DataFrame to `path` as CSV without its index, atomically."""
    with atomic_open(path) as handle:
        frame.to_csv(handle, index=False)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
