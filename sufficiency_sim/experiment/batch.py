"""Checkpoints for a batch of replications, so that an interrupted batch loses nothing.

Layout, under a batch's output folder DIR::

    DIR/checkpoints/manifest.json            what the batch is: seed, replications, scenarios
    DIR/checkpoints/<scenario-slug>/007.pkl  replication 7's yearly results (one small file)

Each finished replication is written atomically (temporary file, fsync, rename) in the main
process as its result arrives, so a batch killed at any moment leaves only complete
checkpoints. A replication's results depend only on its scenario, the seed and its number
(common random numbers), so a resumed batch gives exactly the results of an uninterrupted one.

The manifest holds a hash of each resolved scenario (`scenario.to_jsonable`, without the free
text `description`) and the seed: resuming with another seed, other scenario names or any
changed parameter is refused with InputError rather than mixing results of different models.
The replication numbers may change on resume (e.g. extending a batch from 20 to 50):
replication 7 is the same whatever the batch size, so finished ones are reused.

Checkpoints are pickled pandas DataFrames: exact (dtypes, floats, index) and small (a few
kilobytes per replication). They are meant to be read back by the same installation that wrote
them; like any pickle, do not load checkpoint folders from untrusted sources.

Checkpoints are kept after a batch finishes: they are small, they let a finished batch be
extended with more replications, and `--resume` of a finished batch recomputes nothing.
`BatchStore.clear()` removes them for a caller that wants them gone. Because they are kept, a
new batch into the same folder without `resume` is refused (see `resume_or_start`).

One batch at a time may use a folder: there is no lock between concurrent processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
import re
import shutil
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sufficiency_sim import __version__
from sufficiency_sim.errors import InputError
from sufficiency_sim.experiment.runner import RESULT_COLUMNS, ReplicationResult, scenario_map
from sufficiency_sim.files import atomic
from sufficiency_sim.scenario import Scenario, to_jsonable

MANIFEST_FORMAT = 1
CHECKPOINTS = "checkpoints"
MANIFEST = "manifest.json"
EXPECTED_COLUMNS: tuple[str, ...] = ("replication", "year", *RESULT_COLUMNS)
"""Columns of a checkpointed replication (the results of `run_replication`)."""

_CHECKPOINT_NAME = re.compile(r"^(\d+)\.pkl$")

Done = dict[tuple[str, int], pd.DataFrame]


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario's parameters (its description excluded)."""
    data = to_jsonable(scenario)
    data.pop("description", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def slug(key: str) -> str:
    """A folder name for a scenario key: readable, filesystem-safe and distinct per key."""
    readable = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:40].strip("-") or "scenario"
    return f"{readable}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"


def _replication_numbers(replications: int | Sequence[int]) -> list[int]:
    if isinstance(replications, int):
        return list(range(replications))
    return [int(number) for number in replications]


class BatchStore:
    """The checkpoints of one batch, in `directory`/checkpoints.

    `start` writes the manifest of a new batch, `check` validates a resumed one against it,
    `save` records a finished replication and `load` reads back every finished one.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.root = self.directory / CHECKPOINTS
        self.manifest_path = self.root / MANIFEST
        self._folders: dict[str, str] | None = None
        self.skipped: list[Path] = []
        """Checkpoint files `load` could not read (their replications are simply rerun)."""

    def __repr__(self) -> str:
        return f"BatchStore({str(self.directory)!r})"

    # -- manifest -----------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether the checkpoint folder exists and holds anything (a manifest or results)."""
        return self.root.is_dir() and any(self.root.iterdir())

    def start(
        self,
        scenarios: Scenario | Mapping[str, Scenario] | Sequence[Scenario],
        seed: int,
        replications: int | Sequence[int],
    ) -> None:
        """Write the manifest of a new batch (the caller has checked the folder is free)."""
        named = scenario_map(scenarios)
        manifest = {
            "format": MANIFEST_FORMAT,
            "package_version": __version__,
            "seed": int(seed),
            "replications": _replication_numbers(replications),
            "scenarios": [
                {"key": key, "folder": slug(key), "sha256": scenario_hash(sc)}
                for key, sc in named.items()
            ],
        }
        self._write_manifest(manifest)

    def read_manifest(self) -> dict[str, Any]:
        """The manifest, or InputError if it is missing or unreadable."""
        where = self.manifest_path
        if not where.is_file():
            raise InputError(
                f"{where}: not found, so the checkpoints in {self.root} cannot be matched to "
                "a batch; remove that folder to start again, or choose another --out"
            )
        try:
            manifest = json.loads(where.read_text(encoding="utf-8"))
            if not isinstance(manifest, dict):
                raise ValueError("expected a JSON object")
            if manifest.get("format") != MANIFEST_FORMAT:
                raise ValueError(f"format {manifest.get('format')!r}, expected {MANIFEST_FORMAT}")
            folders = {entry["key"]: entry["folder"] for entry in manifest["scenarios"]}
            for name in ("seed", "replications"):
                if name not in manifest:
                    raise KeyError(name)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"{where}: not a batch manifest this version can read ({exc})"
            ) from None
        self._folders = folders
        return manifest

    def check(
        self,
        scenarios: Scenario | Mapping[str, Scenario] | Sequence[Scenario],
        seed: int,
        replications: int | Sequence[int],
    ) -> None:
        """Refuse (InputError) to resume unless seed, scenario names and every scenario
        parameter match the manifest; then record the (possibly new) replication numbers."""
        manifest = self.read_manifest()
        where = self.manifest_path
        problems = []
        if manifest["seed"] != int(seed):
            problems.append(f"it was started with seed {manifest['seed']}, not {seed}")
        if manifest.get("package_version") != __version__:
            problems.append(
                f"it was started by sufficiency-sim {manifest.get('package_version')}, "
                f"this is {__version__}"
            )
        named = scenario_map(scenarios)
        recorded = {entry["key"]: entry.get("sha256") for entry in manifest["scenarios"]}
        missing = [key for key in recorded if key not in named]
        extra = [key for key in named if key not in recorded]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"without {', '.join(map(repr, missing))}")
            if extra:
                parts.append(f"with {', '.join(map(repr, extra))} added")
            problems.append(
                f"its scenarios were {', '.join(map(repr, recorded))}; this run is "
                + " and ".join(parts)
            )
        changed = [
            key
            for key, sc in named.items()
            if key in recorded and recorded[key] != scenario_hash(sc)
        ]
        if changed:
            problems.append(
                f"scenario {', '.join(map(repr, changed))} has different parameters from "
                "when the batch started"
            )
        if problems:
            raise InputError(
                f"{where}: cannot resume this batch: "
                + "; ".join(problems)
                + ". Resume with the original scenarios and seed, or choose another --out"
            )
        numbers = _replication_numbers(replications)
        if manifest["replications"] != numbers:
            manifest["replications"] = numbers
            self._write_manifest(manifest)

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        atomic.write_text(self.manifest_path, json.dumps(manifest, indent=2) + "\n")
        self._folders = {entry["key"]: entry["folder"] for entry in manifest["scenarios"]}

    def _folder(self, key: str) -> Path:
        if self._folders is None:
            self.read_manifest()
        assert self._folders is not None
        if key not in self._folders:
            raise KeyError(f"scenario {key!r} is not part of the batch in {self.root}")
        return self.root / self._folders[key]

    # -- results ------------------------------------------------------------------------------

    def path(self, key: str, replication: int) -> Path:
        """The checkpoint file of one replication of one scenario."""
        return self._folder(key) / f"{int(replication):03d}.pkl"

    def save(self, key: str, result: ReplicationResult | pd.DataFrame) -> None:
        """Record one finished replication atomically (usable as run_experiment's on_result)."""
        frame = result.results if isinstance(result, ReplicationResult) else result
        replication = int(frame["replication"].iloc[0])
        if (frame["replication"] != replication).any():
            raise ValueError("a checkpoint holds exactly one replication")
        data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
        atomic.write_bytes(self.path(key, replication), data)

    def load(self) -> Done:
        """Every finished replication: {(scenario key, replication): its results}.

        Files that cannot be read are skipped with a warning (and listed in `skipped`), so
        those replications are rerun; checkpoints with other columns than this version
        produces are refused with InputError.
        """
        if not self.root.is_dir():
            return {}
        self.read_manifest()
        assert self._folders is not None
        self.skipped = []
        done: Done = {}
        for key, folder in self._folders.items():
            directory = self.root / folder
            if not directory.is_dir():
                continue
            for path in sorted(directory.iterdir()):
                match = _CHECKPOINT_NAME.match(path.name)
                if not match:
                    continue  # e.g. a temporary file left by a process killed mid-write
                replication = int(match.group(1))
                frame = self._read(path, replication)
                if frame is not None:
                    done[(key, replication)] = frame
        return done

    def _read(self, path: Path, replication: int) -> pd.DataFrame | None:
        try:
            with path.open("rb") as handle:
                frame = pickle.load(handle)
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(f"holds a {type(frame).__name__}, not a DataFrame")
            if len(frame) == 0 or (frame["replication"] != replication).any():
                raise ValueError(f"does not hold the results of replication {replication}")
        except Exception as exc:
            warnings.warn(
                f"{path}: unreadable checkpoint ({exc}); that replication will be rerun",
                stacklevel=3,
            )
            self.skipped.append(path)
            return None
        if tuple(frame.columns) != EXPECTED_COLUMNS:
            raise InputError(
                f"{path}: checkpoint columns differ from the results this version of "
                "sufficiency-sim produces, so the batch cannot be resumed; choose another --out"
            )
        return frame

    def remove_partial_files(self) -> int:
        """Delete temporary files left by a process killed mid-write; return how many."""
        count = 0
        if self.root.is_dir():
            for path in self.root.rglob(".*.part"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    count += 1
        return count

    def clear(self) -> None:
        """Remove the checkpoint folder (not the batch's other outputs)."""
        shutil.rmtree(self.root, ignore_errors=True)
        self._folders = None


def resume_or_start(
    directory: str | Path,
    scenarios: Scenario | Mapping[str, Scenario] | Sequence[Scenario],
    seed: int,
    replications: int | Sequence[int],
    resume: bool,
) -> tuple[BatchStore, Done]:
    """Open the checkpoints of a batch in `directory`, returning (store, finished results).

    resume=False: start a new batch; refused (InputError) if `directory` already holds
    checkpoints, since they would otherwise be silently overwritten or mixed.
    resume=True: continue the batch there after checking seed and scenarios match its
    manifest (InputError if not); returns the finished replications among `replications`. With
    no checkpoints there yet, it simply starts the batch.

    Typical use::

        store, done = resume_or_start(out, scenarios, seed, n, resume)
        run_experiment(scenarios, n, seed, done=done, on_result=store.save)
    """
    store = BatchStore(directory)
    if store.exists():
        if not resume:
            finished = sum(
                1 for path in store.root.rglob("*.pkl") if _CHECKPOINT_NAME.match(path.name)
            )
            raise InputError(
                f"{store.root}: holds checkpoints of an earlier batch ({finished} finished "
                "replication(s)); use --resume to continue it, or another --out to start a new "
                "batch (or delete that folder)"
            )
        store.check(scenarios, seed, replications)
        store.remove_partial_files()
        wanted = {
            (key, number)
            for key in scenario_map(scenarios)
            for number in _replication_numbers(replications)
        }
        done = {task: frame for task, frame in store.load().items() if task in wanted}
        return store, done
    store.start(scenarios, seed, replications)
    return store, {}
