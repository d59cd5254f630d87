"""The cheap seed hashing (`model/seeding.py`) against numpy's own `SeedSequence`, bit for bit:
if they ever differ, every seeded result of the model changes silently."""

from __future__ import annotations

import numpy as np
import pytest

from sufficiency_sim.model import seeding
from sufficiency_sim.model.streams import BLOCK, Streams, stream_key


def numpy_state(entropy: int, key: tuple[int, ...]) -> np.ndarray:
    return np.random.SeedSequence(entropy=entropy, spawn_key=key).generate_state(4, np.uint64)


@pytest.mark.parametrize("entropy", [0, 1, 20260401, 2**32 - 1, 2**32, 2**70 + 12345])
@pytest.mark.parametrize(
    "prefix, key",
    [
        ((0,), ()),
        ((3, 17), (0,)),
        ((1, 2**31), (5, 9)),
        ((7,), (2**32, 4)),
        ((2**40,), (2**33 + 1,)),
    ],
)
def test_prefix_then_key_matches_seed_sequence(entropy, prefix, key):
    mixer = seeding.start_mixing(entropy, prefix)
    got = mixer.absorb([w for k in key for w in seeding.uint32_words(k)]).state()
    assert np.array_equal(got, numpy_state(entropy, (*prefix, *key)))


def test_random_keys_match_seed_sequence():
    rng = np.random.default_rng(5)
    for _ in range(200):
        entropy = int(rng.integers(0, 2**63))
        prefix = tuple(int(v) for v in rng.integers(0, 2**32, size=rng.integers(1, 4)))
        key = tuple(int(v) for v in rng.integers(0, 2**32, size=rng.integers(0, 4)))
        mixer = seeding.start_mixing(entropy, prefix)
        got = mixer.absorb([w for k in key for w in seeding.uint32_words(k)]).state()
        assert np.array_equal(got, numpy_state(entropy, (*prefix, *key)))


def test_absorb_leaves_the_shared_prefix_unchanged():
    mixer = seeding.start_mixing(11, (0, 1))
    before = (list(mixer.pool), mixer.hash_const)
    mixer.absorb([1, 2, 3])
    assert (mixer.pool, mixer.hash_const) == before


def test_block_states_match_one_at_a_time():
    mixer = seeding.start_mixing(42, (2, stream_key("child:entries")))
    serials = np.arange(BLOCK, 2 * BLOCK)
    states = seeding.block_states(mixer, serials, (3,))
    for row, serial in [(0, BLOCK), (1, BLOCK + 1), (BLOCK - 1, 2 * BLOCK - 1)]:
        assert np.array_equal(states[row], mixer.absorb([serial, 3]).state())


def test_generators_draw_as_numpy_seeded_ones():
    streams = Streams(seed=20260401, replication=3)
    name = "household"
    expected = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(20260401, spawn_key=(3, stream_key(name), 7, 600)))
    ).random(5)
    assert np.array_equal(streams.member(name, 600, before=(7,)).random(5), expected)
    assert np.array_equal(streams.fresh(name, 7, 600).random(5), expected)
    # a serial past the 32-bit words falls back to the plain hashing, still the same generator
    big = 2**32 + 5
    expected_big = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(20260401, spawn_key=(3, stream_key(name), big)))
    ).random(3)
    assert np.array_equal(streams.member(name, big).random(3), expected_big)


def test_members_out_of_order_are_the_same_streams():
    streams = Streams(seed=9, replication=0)
    forward = [streams.member("child:x", i, after=(0,)).random() for i in range(0, 3 * BLOCK, 97)]
    other = Streams(seed=9, replication=0)
    backward = [
        other.member("child:x", i, after=(0,)).random() for i in reversed(range(0, 3 * BLOCK, 97))
    ]
    assert forward == backward[::-1]


def test_negative_and_wrong_requests_are_refused():
    with pytest.raises(ValueError):
        seeding.uint32_words(-1)
    seed = seeding.KeyedSeed(np.zeros(4, dtype=np.uint64))
    with pytest.raises(ValueError):
        seed.generate_state(8, np.uint32)
