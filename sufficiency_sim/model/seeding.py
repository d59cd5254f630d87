"""numpy's `SeedSequence` hashing for many streams that share a key prefix, done cheaply.

Every child, sibling group, household and home has its own random stream, seeded by
`SeedSequence(entropy=seed, spawn_key=(replication, crc32(name), *key))` (see `streams.py`). Built
the ordinary way, each costs about 40 us (the `SeedSequence` object, its hashing in a loop, and
numpy's `errstate` around it), 15-20% of a York replication. The hashing is sequential over the
key's 32-bit words, so the state after the words every stream of a name shares (the seed, the
replication and the name) is computed once and only the stream's own words are hashed per
stream, in plain integer arithmetic. The result is the same 128-bit state, bit for bit, as
`SeedSequence(...).generate_state(4, numpy.uint64)` (tests/unit/test_seeding.py checks it against
numpy on random keys), handed to `PCG64` through the `ISeedSequence` interface, so the seeded
results do not change.

The algorithm is numpy's (`numpy/random/bit_generator.pyx`: `hashmix`, `mix`, `mix_entropy`,
`generate_state`), after Melissa O'Neill's seed_seq design.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.random.bit_generator import ISeedSequence

_MASK = 0xFFFFFFFF
_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_MULT_L = 0xCA01F9DD
_MIX_MULT_R = 0x4973F715
_XSHIFT = 16
_POOL_SIZE = 4
_UINT64 = np.dtype(np.uint64)
WORD_LIMIT = 1 << 32
"""Keys below this are one 32-bit word each, as `block_states` needs."""


def uint32_words(value: int) -> list[int]:
    """The 32-bit words of a non-negative integer, least significant first (0 is one word), as
    numpy splits an integer of a seed or spawn key."""
    if value < 0:
        raise ValueError(f"a seed or key must be non-negative, not {value}")
    words = [value & _MASK]
    value >>= 32
    while value:
        words.append(value & _MASK)
        value >>= 32
    return words


class Mixer:
    """The entropy pool part-way through numpy's `mix_entropy`: the pool and the hash constant."""

    __slots__ = ("hash_const", "pool")

    def __init__(self, pool: list[int], hash_const: int) -> None:
        self.pool = pool
        self.hash_const = hash_const

    def hashmix(self, value: int) -> int:
        value ^= self.hash_const
        self.hash_const = (self.hash_const * _MULT_A) & _MASK
        value = (value * self.hash_const) & _MASK
        return value ^ (value >> _XSHIFT)

    def absorb(self, words: Iterable[int]) -> Mixer:
        """Mix further entropy words into every pool entry (the second loop of `mix_entropy`);
        returns a new mixer, this one is unchanged."""
        mixed = Mixer(list(self.pool), self.hash_const)
        pool = mixed.pool
        for word in words:
            for i in range(_POOL_SIZE):
                result = (_MIX_MULT_L * pool[i] - _MIX_MULT_R * mixed.hashmix(word)) & _MASK
                pool[i] = result ^ (result >> _XSHIFT)
        return mixed

    def state(self) -> np.ndarray:
        """`generate_state(4, numpy.uint64)`: four 64-bit words of seed for PCG64."""
        hash_const = _INIT_B
        words = []
        for i in range(2 * _POOL_SIZE):
            value = self.pool[i % _POOL_SIZE] ^ hash_const
            hash_const = (hash_const * _MULT_B) & _MASK
            value = (value * hash_const) & _MASK
            words.append(value ^ (value >> _XSHIFT))
        return np.array(
            [words[2 * k] | (words[2 * k + 1] << 32) for k in range(_POOL_SIZE)], dtype=np.uint64
        )


def start_mixing(entropy: int, spawn_prefix: Iterable[int]) -> Mixer:
    """The pool after hashing `entropy` and the first words of the spawn key (the stream's
    replication and name): what every stream of that name shares."""
    run = uint32_words(entropy)
    if len(run) < _POOL_SIZE:  # the spawn key is never empty here, so numpy pads
        run += [0] * (_POOL_SIZE - len(run))
    first = Mixer([0] * _POOL_SIZE, _INIT_A)
    for i in range(_POOL_SIZE):
        first.pool[i] = first.hashmix(run[i])
    pool = first.pool
    for src in range(_POOL_SIZE):
        for dst in range(_POOL_SIZE):
            if src != dst:
                result = (_MIX_MULT_L * pool[dst] - _MIX_MULT_R * first.hashmix(pool[src])) & _MASK
                pool[dst] = result ^ (result >> _XSHIFT)
    rest = run[_POOL_SIZE:] + [w for key in spawn_prefix for w in uint32_words(int(key))]
    return first.absorb(rest)


class KeyedSeed(ISeedSequence):
    """A ready-made seed state, handed to `numpy.random.PCG64` in place of a `SeedSequence`."""

    __slots__ = ("_state",)

    def __init__(self, state: np.ndarray) -> None:
        self._state = state

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        """The state PCG64 asks for (four 64-bit words); any other request is refused. PCG64
        copies the words into its own state, so they are not copied here."""
        if n_words != _POOL_SIZE or (dtype is not np.uint64 and np.dtype(dtype) != _UINT64):
            raise ValueError("KeyedSeed holds exactly the four 64-bit words PCG64 asks for")
        return self._state


def generator(prefix: Mixer, key: Iterable[int]) -> np.random.Generator:
    """The generator `SeedSequence(entropy, spawn_key=(*prefix words, *key))` would seed."""
    words = [w for k in key for w in uint32_words(int(k))]
    return generator_from_state(prefix.absorb(words).state())


def generator_from_state(state: np.ndarray) -> np.random.Generator:
    """A PCG64 generator seeded with four 64-bit words of state (as from `block_states`)."""
    return np.random.Generator(np.random.PCG64(KeyedSeed(state)))


def block_states(prefix: Mixer, serials: np.ndarray, suffix: tuple[int, ...]) -> np.ndarray:
    """The seed states of many streams at once, one row (four 64-bit words) per serial number:
    the stream keyed by the prefix's words, then `serial`, then `suffix` (every word below
    2**32). `Mixer.absorb` and `Mixer.state` on uint32 arrays, whose products wrap around as
    the C code's do; the hash constant is the same for every row, so it stays a Python int."""
    pool = [np.full(len(serials), word, dtype=np.uint32) for word in prefix.pool]
    hash_const = prefix.hash_const
    columns = [serials.astype(np.uint32)] + [np.full(len(serials), w, np.uint32) for w in suffix]
    for column in columns:
        for i in range(_POOL_SIZE):
            value = column ^ np.uint32(hash_const)
            hash_const = (hash_const * _MULT_A) & _MASK
            value = value * np.uint32(hash_const)
            value ^= value >> np.uint32(_XSHIFT)
            result = np.uint32(_MIX_MULT_L) * pool[i] - np.uint32(_MIX_MULT_R) * value
            pool[i] = result ^ (result >> np.uint32(_XSHIFT))
    hash_const = _INIT_B
    words = []
    for i in range(2 * _POOL_SIZE):
        value = pool[i % _POOL_SIZE] ^ np.uint32(hash_const)
        hash_const = (hash_const * _MULT_B) & _MASK
        value = value * np.uint32(hash_const)
        words.append((value ^ (value >> np.uint32(_XSHIFT))).astype(np.uint64))
    return np.stack(
        [words[2 * k] | (words[2 * k + 1] << np.uint64(32)) for k in range(_POOL_SIZE)], axis=1
    )
