"""Placing a child: the preferred placement now, or a bridging one while the search goes on;
starting a placement (occupying its place and drawing its breakdown and planned-move days) and
ending one (freeing the place for the children waiting)."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

from sufficiency_sim.model import matching
from sufficiency_sim.model.coding import FAMILY_KINDS, placement_codes
from sufficiency_sim.model.draws import (
    distance_miles,
    duration_days,
    keyed_uniform,
    pick,
    price_factor,
)
from sufficiency_sim.model.entities import Child, Placement
from sufficiency_sim.model.hazards import (
    PlacementDraws,
    breakdown_day,
    breakdown_multiplier,
    planned_move_day,
)
from sufficiency_sim.model.markets import MARKET_OF_KIND, pick_location
from sufficiency_sim.model.matching import Offer
from sufficiency_sim.model.provision import Home, Household
from sufficiency_sim.model.streams import stream_key
from sufficiency_sim.vocabulary import BAND_OF_AGE, NEED_RANK

NO_STEP_BACK_KINDS = ("kinship", "adoption", "placed_with_parents")
STEP_DOWN_KINDS = ("local_home", "external_home")
"""Children's homes a settled child may step down from to a family (`matching.step_down`)."""
GAP_KEY = stream_key("inhouse_foster.gap")
"""The key word of the gaps between placements in a household or home (`keyed_uniform`)."""
MATCH_KEY = stream_key("matching.permanence_match")
"""The key word of the days bridged children's permanent placements are matched."""
PRICE_KEY = stream_key("prices")
"""The key word of placement prices (`keyed_uniform`), apart from every named stream's."""


class Placing:
    """The simulation's part that finds, starts and ends placements."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim

    def choose(self, child: Child, places: int = 1, exclude: Any = None) -> Offer | None:
        """The child's preferred offer now (see matching.decide), for `places` children."""
        sim = self.sim
        age = sim.age(child, sim.env.now)
        offers = matching.offers(
            sim.sc, child, age, places, exclude, sim.foster, sim.homes, sim.markets, sim.env.now
        )
        return matching.decide(sim.sc.matching.preferences[child.need], offers)

    def place_group(self, group: list[Child]) -> None:
        """Place an entering group of siblings together where a household has room."""
        if len(group) == 1:
            self.place(group[0])
            return
        choice = self.choose(group[0], places=len(group))
        if choice is not None and choice.delay_days == 0 and choice.kind in FAMILY_KINDS:
            shared_rid = None
            for child in group:
                self.start_from_offer(child, choice, shared_rid)
                shared_rid = child.placement.rid
            return
        if (
            not self.sim.sc.matching.split_siblings
            and choice is not None
            and choice.kind in FAMILY_KINDS
        ):
            for child in group:
                self._bridge(child, choice)
            return
        for child in group:
            self.place(child)

    def await_search(self, child: Child, target: Offer | None) -> None:
        """Schedule the end of the child's market search: the target's search time, or (with
        nothing to aim for) a median external-home search before looking again; for a bridged
        child, not before its permanent placement is matched."""
        sim = self.sim
        delay = (
            target.delay_days
            if target is not None
            else duration_days(sim.sc.provision.external_homes.search, 0.0)
        )
        child.market_day = max(int(sim.env.now) + max(1, delay), child.matched_day)
        self.drop_market_offer(child)
        if target is not None and target.resource is None:
            child.market_offer = target
            market = MARKET_OF_KIND.get(target.kind)
            if market is not None:  # the place found is held until the child moves
                sim.markets.take(market, child.need, target.location)

    def drop_market_offer(self, child: Child) -> None:
        """Forget the place the child's search found, giving back a market place held for it."""
        offer = child.market_offer
        if offer is None:
            return
        child.market_offer = None
        market = MARKET_OF_KIND.get(offer.kind)
        if market is not None:
            self.sim.markets.release(market, child.need, offer.location)

    def place(self, child: Child, exclude: Any = None) -> None:
        """Find the child a placement now: the preferred one, or a bridging one meanwhile (also
        while a bridged child's permanent placement is still being matched)."""
        choice = self.choose(child, exclude=exclude)
        matched = child.matched_day <= self.sim.env.now
        if choice is not None and choice.delay_days == 0 and matched:
            self.start_from_offer(child, choice)
        else:
            self._bridge(child, choice, exclude)

    def move_all(self, resource: Any, reason: str) -> None:
        """Every child living in a household or home that closes to them moves today
        (unplanned, with `reason`)."""
        sim = self.sim
        for idx in list(resource.occupants):
            child = sim.children[idx]
            self.end(child, reason, planned=False)
            self.place(child)
            sim.journeys.schedule(child)

    def _bridge(self, child: Child, target: Offer | None, exclude: Any = None) -> None:
        """A bridging placement while the search goes on; the child joins the search queue.

        A free dedicated emergency foster place (not for specialist needs); for a child younger
        than `emergency_residential.min_age`, then any in-house household with a free place
        that takes it (not `exclude`, the one just left), or an agency foster placement;
        emergency residential care otherwise."""
        sim = self.sim
        now = int(sim.env.now)
        age = sim.age(child, now)
        after_bridge = bool(child.placements) and child.placements[-1].bridging
        cfg = sim.sc.provision.emergency_residential
        young = age < cfg.min_age
        household = None
        if child.need != "specialist":
            household = sim.foster.find(age, 1, True, NEED_RANK[child.need])
        if household is None and young:
            household = sim.foster.find(age, 1, False, NEED_RANK[child.need], exclude)
        if household is not None:
            kind = "emergency_foster" if household.emergency else "inhouse_foster"
            self.start(
                child, kind, household, household.rid, household.location, household.distance,
                "U6", "PR1", bridging=True,
            )  # fmt: skip
        else:
            u = child.rng.random(2).tolist()  # the second only for a young child's agency
            agency = self._agency_bridge(child, u[1]) if young else None
            if agency is not None:
                location, provider = agency
                kind, prefix, place = "ifa", "IFA", "U6"
            else:
                location, provider = pick(cfg.location_mix, u[0]), "PR4"
                kind, prefix, place = "emergency_residential", "ER", "K2"
            self.start(
                child, kind, None, sim.rid(prefix), location, distance_miles(location, child.rng),
                place, provider, bridging=True,
            )  # fmt: skip
        if not after_bridge:  # a bridge after a bridge keeps its match (under way or made)
            child.matched_day = self._matched_day(child, now, age)
        self.await_search(child, target)
        sim.queue.add(child, True, now)

    def _matched_day(self, child: Child, now: int, age: int) -> float:
        """The day a child starting a bridge today has its permanent placement matched
        (`matching.permanence_match`; none set: today), from a uniform keyed by the child and
        its placement number (so that no stream shifts)."""
        sim = self.sim
        rule = sim.sc.matching.permanence_match
        if rule is None:
            return now
        u = keyed_uniform(
            sim.streams.seed, sim.streams.replication, MATCH_KEY, child.idx,
            len(child.placements),
        )  # fmt: skip
        days = duration_days(rule.time, NormalDist().inv_cdf(u))
        days *= rule.need_multiplier.get(child.need, 1.0)
        days *= rule.age_multiplier.get(BAND_OF_AGE[age], 1.0)
        return now + math.ceil(days)

    def _agency_bridge(self, child: Child, u: float) -> tuple[str, str] | None:
        """Where an agency could take a young child for a bridging placement today, and its
        provider (private PR4 or voluntary PR5 by `private_share`, one more draw), or None when
        a bounded agency market has no place free. The location is drawn from `u`."""
        sim = self.sim
        ifa = sim.sc.provision.ifa
        room = sim.markets.room("ifa", ifa, child.need, sim.env.now)
        location = pick_location(ifa.location_mix, room, u)
        if location is None:
            return None
        return location, "PR4" if child.rng.random() < ifa.private_share else "PR5"

    def start_from_offer(self, child: Child, offer: Offer, shared_rid: str | None = None) -> None:
        """Start the placement an offer leads to (`shared_rid`: the id of a sibling's, to share)."""
        sim = self.sim
        u_provider = child.rng.random()
        res = offer.resource
        place, provider, prefix = placement_codes(
            offer.kind,
            child.route == "long_term",
            u_provider,
            sim.sc.provision,
            sim.env.now >= sim.k3_day,
            res,
        )
        if res is not None:
            self.start(child, offer.kind, res, res.rid, res.location, res.distance, place, provider)
        else:
            self.start(
                child,
                offer.kind,
                None,
                shared_rid or sim.rid(prefix),
                offer.location,
                distance_miles(offer.location, child.rng),
                place,
                provider,
            )

    def start(
        self,
        child: Child,
        kind: str,
        resource: Any,
        rid: str,
        location: str,
        distance: float,
        place: str,
        provider: str,
        bridging: bool = False,
        same_carer: bool = False,
        elapsed: int = 0,
    ) -> None:
        """Begin a placement: occupy the resource and draw when it might break down.

        `elapsed` > 0 continues a placement that began that many days ago (a census child): its
        breakdown time is drawn given that it has not broken down yet."""
        sim = self.sim
        start = int(sim.env.now) - elapsed
        placement = Placement(
            kind, resource, rid, location, distance, start, place, provider, bridging, same_carer
        )
        placement.mismatch = matching.is_mismatch(kind, child.need)
        self._draw_endings(child, placement, elapsed)
        if resource is not None:
            resource.occupants.append(child.idx)
            if isinstance(resource, Household):
                sim.foster.refresh(resource)
            else:
                resource.specialist_count += child.need == "specialist"
                sim.homes.refresh(resource)
        elif kind in MARKET_OF_KIND:
            market = MARKET_OF_KIND[kind]
            sim.markets.take(market, child.need, location)
            price = getattr(sim.sc.provision, market).price
            if price is not None:  # the child's n-th placement has the same luck everywhere
                u = keyed_uniform(
                    sim.streams.seed, sim.streams.replication, PRICE_KEY, child.idx,
                    len(child.placements),
                )  # fmt: skip
                placement.price_factor = price_factor(price, child.need, u)
        if not bridging:
            child.matched_day = -math.inf
        child.placement = placement
        child.placements.append(placement)

    def _draw_endings(self, child: Child, placement: Placement, elapsed: int) -> None:
        """The placement's breakdown, planned-move and step-back days (one `PlacementDraws`)."""
        sim = self.sim
        endings = sim.sc.endings
        start, resource = placement.start, placement.resource
        peers = 0
        if isinstance(resource, Home):
            peers = sum(1 for idx in resource.occupants if sim.children[idx].need != "standard")
        multiplier = breakdown_multiplier(
            endings,
            BAND_OF_AGE[sim.age(child, start)],
            child.need,
            placement.location,
            placement.bridging,
            placement.mismatch,
            peers,
        )
        u = PlacementDraws._make(child.rng.random(2).tolist())
        kind = placement.kind
        placement.breakdown_day = breakdown_day(
            endings, kind, multiplier, u.breakdown, start, elapsed
        )
        placement.move_day = planned_move_day(endings, kind, start + elapsed, u.planned_move)
        step_back = sim.sc.matching.step_back
        if (
            step_back.enabled
            and not placement.bridging
            and kind not in NO_STEP_BACK_KINDS
            and (
                placement.location in step_back.from_locations
                or (step_back.mismatch and placement.mismatch)
            )
        ):
            placement.stepback_day = max(
                start + elapsed, start + max(0, math.ceil(step_back.after_days))
            )
        down = sim.sc.matching.step_down
        if (
            down.enabled
            and not placement.bridging
            and kind in STEP_DOWN_KINDS
            and child.need in down.needs
        ):
            day = max(start + elapsed, start + max(0, math.ceil(down.after_days)))
            placement.stepback_day = min(placement.stepback_day, day)

    def hold_place(self, resource: Household | Home, days: int) -> None:
        """Keep one of a household's places (or a home's beds) from new children for `days`
        (a young person staying put, or the gap between placements), then free it for the
        children waiting."""
        resource.held += 1
        self._refresh(resource)
        self.sim.at(self.sim.env.now + days, lambda: self._release_place(resource))

    def _refresh(self, resource: Household | Home) -> None:
        pool = self.sim.foster if isinstance(resource, Household) else self.sim.homes
        pool.refresh(resource)

    def gap_days(self, resource: Household | Home) -> int:
        """The days a place stays empty after a child leaves it today (0 without a
        `gap_between_placements`), from a uniform keyed by the household or home and the day
        (so that no stream shifts)."""
        sim = self.sim
        if isinstance(resource, Household):
            gap = sim.sc.provision.inhouse_foster.gap_between_placements
        else:
            gap = resource.spec.gap_between_placements if resource.spec else None
        if gap is None:
            return 0
        u = keyed_uniform(
            sim.streams.seed, sim.streams.replication, GAP_KEY, stream_key(resource.rid),
            int(sim.env.now),
        )  # fmt: skip
        return duration_days(gap, NormalDist().inv_cdf(u))

    def _release_place(self, resource: Household | Home) -> None:
        sim = self.sim
        resource.held -= 1
        still_taking = resource.is_open if isinstance(resource, Home) else resource.status != "gone"
        if still_taking:
            self._refresh(resource)
            sim.freed.append(resource)
        sim.after_event()

    def end(
        self,
        child: Child,
        reason: str | None,
        planned: bool,
        keep_place: bool = False,
        place_kept: bool = False,
    ) -> None:
        """End the current placement today, freeing its place for someone in the search queue
        (unless `keep_place`: the child stays in the same place under a new placement, started
        straight after), after the gap between placements (none when `place_kept`: a young
        person staying put holds the place, and the gap after it, already)."""
        sim = self.sim
        placement = child.placement
        placement.end = int(sim.env.now)
        placement.reason = reason
        placement.planned = planned
        resource = placement.resource
        if resource is not None:
            resource.occupants.remove(child.idx)
            if isinstance(resource, Household):
                if resource.status == "leaving" and not resource.occupants and not keep_place:
                    sim.carers.retire(resource)
                else:
                    if not keep_place and not place_kept and not resource.emergency:
                        days = self.gap_days(resource)
                        if days:
                            self.hold_place(resource, days)
                    sim.foster.refresh(resource)
            else:
                resource.specialist_count -= child.need == "specialist"
                days = self.gap_days(resource) if not keep_place and resource.is_open else 0
                if days:
                    self.hold_place(resource, days)
                sim.homes.refresh(resource)
            if not keep_place:
                sim.freed.append(resource)
        elif placement.kind in MARKET_OF_KIND:
            sim.markets.release(MARKET_OF_KIND[placement.kind], child.need, placement.location)
        child.placement = None
        if placement.kind == "adoption":
            sim.journeys.adopters_again(child)  # a no-op at the exit itself
        sim.queue.remove(child)
        child.market_day = math.inf
        self.drop_market_offer(child)
