"""Random streams keyed by name and replication, so that scenarios share their luck.

Each stochastic process draws from its own generator, seeded by
`SeedSequence(entropy=seed, spawn_key=(replication, crc32(name)))`. Child-level draws come from a
stream keyed by the child's source and arrival index, so two scenarios see the same children with
the same luck (common random numbers), and adding a process never shifts an existing stream.
"""

from __future__ import annotations

import zlib

import numpy as np

from sufficiency_sim.model import seeding


def stream_key(name: str) -> int:
    """The stable 32-bit key of a stream name."""
    return zlib.crc32(name.encode("utf-8"))


BLOCK = 512
"""How many members of a family of streams have their seeds hashed together."""


class Streams:
    """A factory and cache of named `numpy.random.Generator` streams for one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = int(seed)
        self.replication = int(replication)
        self._cache: dict[str, np.random.Generator] = {}
        self._prefixes: dict[tuple, seeding.Mixer] = {}
        self._blocks: dict[tuple, tuple[int, np.ndarray]] = {}

    def get(self, name: str) -> np.random.Generator:
        """The generator of the named process (created on first use, then reused)."""
        generator = self._cache.get(name)
        if generator is None:
            generator = self.fresh(name)
            self._cache[name] = generator
        return generator

    def fresh(self, name: str, *extra_key: int) -> np.random.Generator:
        """A new generator for `name` (and optional integer sub-keys), not cached: the one
        `SeedSequence(entropy=seed, spawn_key=(replication, stream_key(name), *extra_key))`
        seeds, with the hashing the streams of a name share done once (`seeding.py`)."""
        return seeding.generator(self._prefix(name, ()), extra_key)

    def member(
        self, name: str, serial: int, *, before: tuple[int, ...] = (), after: tuple[int, ...] = ()
    ) -> np.random.Generator:
        """`fresh(name, *before, serial, *after)`, the same generator, for a family of streams
        numbered by `serial` (children, groups, households by arrival): their seed states are
        hashed BLOCK at a time on arrays, the block holding `serial` kept until the next."""
        if not 0 <= serial < seeding.WORD_LIMIT or (after and max(after) >= seeding.WORD_LIMIT):
            return self.fresh(name, *before, serial, *after)
        family = (name, before, after)
        block, states = self._blocks.get(family, (-1, None))
        if block != serial // BLOCK or states is None:
            block = serial // BLOCK
            serials = np.arange(block * BLOCK, (block + 1) * BLOCK)
            states = seeding.block_states(self._prefix(name, before), serials, after)
            self._blocks[family] = (block, states)
        return seeding.generator_from_state(states[serial - block * BLOCK])

    def _prefix(self, name: str, before: tuple[int, ...]) -> seeding.Mixer:
        """The hashing every stream of `name` (and `before`) shares, done once."""
        key = (name, before)
        prefix = self._prefixes.get(key)
        if prefix is None:
            spawn = (self.replication, stream_key(name), *before)
            prefix = seeding.start_mixing(self.seed, spawn)
            self._prefixes[key] = prefix
        return prefix
