"""Random streams keyed by name and replication, so that scenarios share their luck.

Each stochastic process draws from its own generator, seeded by
`SeedSequence(entropy=seed, spawn_key=(replication, crc32(name)))`. Child-level draws come from a
stream keyed by the child's source and arrival index, so two scenarios see the same children with
the same luck (common random numbers), and adding a process never shifts an existing stream.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """The stable 32-bit key of a stream name."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """A factory and cache of named `numpy.random.Generator` streams for one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = int(seed)
        self.replication = int(replication)
        self._cache: dict[str, np.random.Generator] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator of the named process (created on first use, then reused)."""
        generator = self._cache.get(name)
        if generator is None:
            generator = self.fresh(name)
            self._cache[name] = generator
        return generator

    def fresh(self, name: str, *extra_key: int) -> np.random.Generator:
        """A new generator for `name` (and optional integer sub-keys), not cached."""
        sequence = np.random.SeedSequence(
            entropy=self.seed, spawn_key=(self.replication, stream_key(name), *extra_key)
        )
        return np.random.Generator(np.random.PCG64(sequence))
