"""A bounded external market (model/markets.py and matching.market_offer) on hand-made values:
its places over time, the room it has and the offers it makes from it; and prices that vary by
placement (draws.price_factor, keyed by the child's placement) as the costs use them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sufficiency_sim.measure.costs import costs_by_year
from sufficiency_sim.model.draws import keyed_uniform, price_factor
from sufficiency_sim.model.markets import MarketPlaces, Room, capacity, supply_factor
from sufficiency_sim.model.matching import market_offer
from sufficiency_sim.scenario import load
from sufficiency_sim.scenario.markets import Market, MarketPrice, MarketSupply
from sufficiency_sim.vocabulary import YEAR_DAYS

START = 10_000


def market(**supply) -> Market:
    """An external-home-like market offering every need the same day, in/near/far 20/30/50."""
    return Market(
        offer_probability={"standard": 1.0, "complex": 1.0, "specialist": 0.5},
        location_mix={"in": 0.2, "near": 0.3, "far": 0.5},
        search={"median_days": 10, "sigma": 0.0},
        same_day_probability=0.0,
        weekly_cost=5000,
        supply=MarketSupply(**supply) if supply else None,
    )


PLACES = {
    "standard": {"in": 1, "near": 2, "far": 4},
    "complex": {"far": 2},
    "specialist": {},
}


def test_supply_is_held_before_the_start_and_compounds_after() -> None:
    supply = MarketSupply(places=PLACES, change_pct_per_year=-10.0)
    assert supply_factor(supply, START - 5000, START) == 1.0
    assert supply_factor(supply, START + YEAR_DAYS, START) == pytest.approx(0.9)
    assert supply_factor(supply, START + 2 * YEAR_DAYS, START) == pytest.approx(0.81)
    # Whole places, rounded half up: 4 places at 0.9 -> 3.6 -> 4; at 0.81 -> 3.24 -> 3.
    assert capacity(4, 0.9) == 4
    assert capacity(4, 0.81) == 3
    assert capacity(1, 0.5) == 1 and capacity(1, 0.49) == 0
    # A day after the start the places have not dropped a whole place.
    assert capacity(4, supply_factor(supply, START + 1, START)) == 4


def test_room_counts_places_taken_and_held_by_need_and_location() -> None:
    cfg = market(places=PLACES)
    places = MarketPlaces(START)
    assert MarketPlaces(START).room("external_homes", market(), "standard", START) is None
    room = places.room("external_homes", cfg, "standard", START)
    assert room == Room({"in": 1, "near": 2, "far": 4}, 0.0)
    places.take("external_homes", "standard", "far")
    places.take("external_homes", "standard", "far")
    places.take("external_homes", "complex", "far")  # another need's places
    places.take("ifa", "standard", "in")  # another market's
    room = places.room("external_homes", cfg, "standard", START)
    assert room.free == {"in": 1, "near": 2, "far": 2}
    assert room.taken_share == pytest.approx(2 / 7)
    assert places.room("external_homes", cfg, "specialist", START) == Room(
        {"in": 0, "near": 0, "far": 0}, 1.0
    )
    places.release("external_homes", "standard", "far")
    assert places.room("external_homes", cfg, "standard", START).free["far"] == 3
    places.release("external_homes", "standard", "far")
    with pytest.raises(AssertionError, match="had not taken"):
        places.release("external_homes", "standard", "far")


def test_falling_supply_leaves_fewer_free_places_than_taken() -> None:
    cfg = market(places={"standard": {"far": 10}, "complex": {}, "specialist": {}},
                 change_pct_per_year=-50.0)  # fmt: skip
    places = MarketPlaces(START)
    for _ in range(8):
        places.take("external_homes", "standard", "far")
    assert places.room("external_homes", cfg, "standard", START).free["far"] == 2
    # A year later there are 5 places for the 8 children placed: none free, share capped at 1.
    room = places.room("external_homes", cfg, "standard", START + YEAR_DAYS)
    assert room.free["far"] == -3 and room.taken_share == 1.0


def offer(cfg: Market, need: str, u_location: float, room: Room | None, places: int = 1):
    """market_offer with the offer drawn (0.0), a search (same-day draw 0.99) of z = 0."""
    return market_offer("external_home", cfg, need, 0.0, u_location, 0.99, 0.0, room, places)


def test_unbounded_offer_is_unchanged() -> None:
    cfg = market()
    for u, where in ((0.1, "in"), (0.3, "near"), (0.6, "far"), (0.999, "far")):
        got = offer(cfg, "standard", u, None)
        assert (got.location, got.delay_days) == (where, 10)
    assert market_offer("external_home", cfg, "specialist", 0.6, 0.1, 0.0, 0.0) is None


def test_offer_comes_only_from_locations_with_room() -> None:
    cfg = market(places=PLACES)
    # far full: the mix over in/near (0.2, 0.3) renormalised, i.e. in below u = 0.4.
    room = Room({"in": 1, "near": 1, "far": 0}, 0.0)
    assert offer(cfg, "standard", 0.39, room).location == "in"
    assert offer(cfg, "standard", 0.41, room).location == "near"
    assert offer(cfg, "standard", 0.999, room).location == "near"
    # Nowhere free: no offer; two siblings need two free places in one location.
    assert offer(cfg, "standard", 0.5, Room({"in": 0, "near": 0, "far": -1}, 1.0)) is None
    pair = Room({"in": 1, "near": 2, "far": 1}, 0.0)
    assert offer(cfg, "standard", 0.1, pair, places=2).location == "near"
    assert offer(cfg, "standard", 0.1, Room({"in": 1, "near": 1, "far": 1}, 0.0), 2) is None
    # A location whose share is zero is never offered, even with room.
    only_far = market(places=PLACES).model_copy(update={"location_mix": {"far": 1.0}})
    assert offer(only_far, "standard", 0.1, Room({"in": 5, "near": 5, "far": 0}, 0.0)) is None


def test_search_slows_as_the_market_fills() -> None:
    cfg = market(places=PLACES, search_slowdown=3.0)
    free = {"in": 1, "near": 1, "far": 1}
    assert offer(cfg, "standard", 0.1, Room(free, 0.0)).delay_days == 10
    assert offer(cfg, "standard", 0.1, Room(free, 0.5)).delay_days == 25  # 10 x (1 + 3 x 0.5)
    assert offer(cfg, "standard", 0.1, Room(free, 0.8)).delay_days == 34
    slow = cfg.model_copy(update={"search": cfg.search.model_copy(update={"median_days": 25})})
    assert offer(slow, "standard", 0.1, Room(free, 0.4)).delay_days == 55  # not 55.00000000000001
    assert offer(cfg, "standard", 0.1, Room(free, 0.81)).delay_days == math.ceil(10 * 3.43)
    # A same-day offer stays same-day however full the market is.
    quick = cfg.model_copy(update={"same_day_probability": 0.5})
    same_day = market_offer("external_home", quick, "standard", 0.0, 0.1, 0.2, 0.0, Room(free, 0.9))
    assert same_day.delay_days == 0


def test_supply_needs_every_need_level() -> None:
    with pytest.raises(ValueError, match="specialist"):
        MarketSupply(places={"standard": {"far": 1}, "complex": {"far": 1}})
    with pytest.raises(ValueError):
        MarketSupply(places={**PLACES, "standard": {"far": -1}})
    with pytest.raises(ValueError):
        MarketSupply(places={**PLACES, "standard": {"abroad": 1}})


def test_keyed_uniform_is_a_pure_function_of_its_key_and_uniform() -> None:
    assert keyed_uniform(1, 2, 3) == keyed_uniform(1, 2, 3)
    assert len({keyed_uniform(2019, 0, 7, i, 0) for i in range(1000)}) == 1000
    assert keyed_uniform(1, 2, 3) != keyed_uniform(1, 3, 2)
    values = np.array([keyed_uniform(2019, 4, 99, i, k) for i in range(4000) for k in range(3)])
    assert values.min() > 0.0 and values.max() < 1.0
    assert stats.kstest(values, "uniform").pvalue > 1e-4  # a false alarm once in 10,000 runs


def test_price_factor_by_need_with_a_mean_one_tail() -> None:
    price = MarketPrice(need_multiplier={"standard": 1.0, "complex": 1.25, "specialist": 2.0})
    assert price_factor(price, "complex", 0.99) == 1.25  # no spread: every placement the mean
    spread = MarketPrice(need_multiplier=price.need_multiplier, sigma=0.6)
    u = (np.arange(200_000) + 0.5) / 200_000
    factors = np.array([price_factor(spread, "specialist", x) for x in u])
    assert factors.mean() == pytest.approx(2.0, rel=2e-3)  # mean-preserving
    assert np.median(factors) == pytest.approx(2.0 * math.exp(-0.18), rel=1e-3)
    assert np.quantile(factors, 0.99) / np.median(factors) == pytest.approx(
        math.exp(0.6 * 2.3263), rel=1e-3
    )  # the tail: the 99th centile 4 times the median


def test_costs_use_each_placements_price() -> None:
    """Two 14-day external home placements at 1.0 and 3.0 times the weekly cost in one year."""
    sc = load(Path(__file__).parents[2] / "scenarios" / "york_baseline.yaml")
    weekly = sc.provision.external_homes.weekly_cost
    placements = pd.DataFrame(
        {
            "provision_type": ["external_home", "external_home"],
            "start": pd.to_datetime(["2020-05-01", "2020-06-01"]),
            "end": pd.to_datetime(["2020-05-15", "2020-06-15"]),
            "price_factor": [1.0, 3.0],
        }
    )
    provision = pd.DataFrame(
        {"provision_type": [], "name": [], "places": [], "from": [], "to": []}
    ).astype({"from": "datetime64[ns]", "to": "datetime64[ns]", "places": float})
    costs = costs_by_year(placements, provision, sc, [2021])
    assert costs["placement_cost_gbp"].iloc[0] == pytest.approx(2 * weekly * (1.0 + 3.0))


def test_search_time_by_need_and_age_band() -> None:
    cfg = market().model_copy(
        update={
            "search_need_multiplier": {"complex": 3.0},
            "search_age_multiplier": {"0": 2.0, "16-17": 0.5},
        }
    )

    def delay(need: str, band: str | None) -> int:
        got = market_offer("external_home", cfg, need, 0.0, 0.1, 0.99, 0.0, None, 1, band)
        return got.delay_days

    assert delay("standard", "5-9") == 10  # neither listed: the drawn 10 days
    assert delay("standard", None) == 10
    assert delay("complex", "5-9") == 30
    assert delay("complex", "0") == 60
    assert delay("standard", "16-17") == 5
    # With a bounded supply the slowdown multiplies on top: 10 x 3 x (1 + 2 x 0.5) = 60.
    bounded = cfg.model_copy(update={"supply": MarketSupply(places=PLACES, search_slowdown=2.0)})
    room = Room({"in": 1, "near": 1, "far": 1}, 0.5)
    got = market_offer("external_home", bounded, "complex", 0.0, 0.1, 0.99, 0.0, room, 1, "5-9")
    assert got.delay_days == 60
