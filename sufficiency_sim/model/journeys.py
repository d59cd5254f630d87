"""A child's journey through care as a state machine on the SimPy clock, and the offer of freed
places to the children waiting.

Each child has one pending event, the earliest of eight candidate days (`next_event`); when
something changes its situation the pending event is superseded by bumping the child's
`version`, and stale timeouts are ignored when they fire."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from sufficiency_sim.model import matching
from sufficiency_sim.model.coding import FAMILY_KINDS, code_at_leaving
from sufficiency_sim.model.draws import distance_miles, duration_days, pick
from sufficiency_sim.model.entities import Child
from sufficiency_sim.model.markets import pick_location
from sufficiency_sim.model.provision import Household

EVENT_ORDER = (
    "exit",
    "adoption",
    "parents",
    "supported",
    "market",
    "breakdown",
    "move",
    "stepback",
)
"""A child's event kinds, in the order they win when due on the same day."""
STAYING_PUT_DAYS = 1096
"""The longest a young person staying put keeps a carer's place: from 18 to 21."""


def next_event(child: Child) -> tuple[float, str]:
    """The child's next due event; on a tie, the earlier in EVENT_ORDER comes first."""
    placement = child.placement
    stepback = placement.stepback_day if child.queue_key is None else math.inf
    day, index = min(
        (child.exit_day, 0),
        (child.pfa_day, 1),
        (child.pwp_day, 2),
        (child.supported_day, 3),
        (child.market_day, 4),
        (placement.breakdown_day, 5),
        (placement.move_day, 6),
        (stepback, 7),
    )
    return day, EVENT_ORDER[index]


class Journeys:
    """The simulation's part that runs each child's events."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self._handlers = {
            "exit": self._on_exit,
            "adoption": self._on_adoption,
            "parents": self._on_parents,
            "supported": self._on_supported,
            "market": self._on_market,
            "breakdown": self._on_breakdown,
            "move": self._on_move,
            "stepback": self._on_stepback,
        }

    def schedule(self, child: Child) -> None:
        """Replace the child's pending event with the next one due."""
        if child.left:
            return
        sim = self.sim
        child.version += 1
        day, what = next_event(child)
        if day >= sim.end_day:
            return
        version = child.version
        event = sim.env.timeout(max(0.0, day - sim.env.now))
        event.callbacks.append(lambda _e: self._on_child_event(child, version, what))

    def _on_child_event(self, child: Child, version: int, what: str) -> None:
        if version != child.version or child.left:
            return
        sim = self.sim
        sim.events += 1
        self._handlers[what](child)
        if not child.left:
            self.schedule(child)
        sim.after_event()

    def _on_exit(self, child: Child) -> None:
        sim = self.sim
        placement = child.placement
        if child.exit_rec in ("E11", "E12") and placement.kind != "adoption":
            # The placement for adoption ended the day before the order, too late for new
            # adopters (`adopters_again`): no adoption (validator rule 390); in care until 18.
            child.route, child.exit_rec = "long_term", "AT18"
            child.exit_day = sim.birthday(child, 18)
            return
        child.exit_rec = code_at_leaving(
            child.exit_rec, placement.kind, sim.sc.pathways.staying_put_share, child.rng
        )
        adopters = placement.resource if placement.kind == "adoption" else None
        stays = child.exit_rec == "E17" and self._stay_put(child, placement.resource)
        sim.placing.end(child, None, planned=True, place_kept=stays)
        if (
            isinstance(adopters, Household)
            and adopters.status == "active"
            and adopters.rng.random() < sim.sc.carers.leave_after_adopting_share
        ):
            sim.carers.stop_fostering(adopters)
        child.left = True
        child.rng = None  # no more draws: let its generator go (memory at national scale)
        sim.exits += 1

    def _stay_put(self, child: Child, household: Any) -> bool:
        """A young person staying put with in-house carers keeps the place for a time drawn
        from `staying_put_keeps_place` (at most until 21: three years), when it is set, and
        the gap between placements follows. Whether the place is kept."""
        sim = self.sim
        keeps = sim.sc.pathways.staying_put_keeps_place
        if keeps is None or not isinstance(household, Household) or household.emergency:
            return False
        days = min(duration_days(keeps, float(child.rng.standard_normal())), STAYING_PUT_DAYS)
        sim.placing.hold_place(household, days + sim.placing.gap_days(household))
        return True

    def _on_adoption(self, child: Child) -> None:
        sim = self.sim
        child.pfa_day = math.inf
        cfg = sim.sc.provision.adoption
        current = child.placement
        with_carers = (
            current.kind in FAMILY_KINDS and child.rng.random() < cfg.with_current_carers_share
        )
        if with_carers and isinstance(current.resource, Household):
            # The child stays where it lives: the place is still taken until the order. The
            # placement ends in place, without offering the place to anyone.
            sim.placing.end(child, "CARPL", planned=True, keep_place=True)
        else:
            sim.placing.end(child, "CARPL", planned=True)
        if with_carers:
            household = current.resource if isinstance(current.resource, Household) else None
            sim.placing.start(
                child,
                "adoption",
                household,
                current.rid,
                current.location,
                current.distance,
                "A5",
                current.provider,
                same_carer=True,
            )
        else:
            location = pick(cfg.location_mix, child.rng.random())
            distance = distance_miles(location, child.rng)
            sim.placing.start(
                child, "adoption", None, sim.rid("AD"), location, distance, "A6", "PR1"
            )

    def _on_parents(self, child: Child) -> None:
        sim = self.sim
        child.pwp_day = math.inf
        cfg = sim.sc.provision.placed_with_parents
        sim.placing.end(child, "CARPL", planned=True)
        location = pick(cfg.location_mix, child.rng.random())
        distance = distance_miles(location, child.rng)
        sim.placing.start(
            child, "placed_with_parents", None, sim.rid("PWP"), location, distance, "P1", "PR0"
        )

    def _on_supported(self, child: Child) -> None:
        sim = self.sim
        child.supported_day = math.inf
        if child.placement.kind in ("supported", "placed_with_parents", "adoption"):
            return
        cfg = sim.sc.provision.supported
        u_location, u_provider = child.rng.random(2).tolist()
        room = sim.markets.room("supported", cfg, child.need, sim.env.now)
        location = pick_location(cfg.location_mix, room, u_location)
        if location is None:  # a bounded supply with no place free: the young person stays
            return
        sim.placing.end(child, "CARPL", planned=True)
        place = "K3" if sim.env.now >= sim.k3_day else "H5"
        distance = distance_miles(location, child.rng)
        provider = "PR4" if u_provider < cfg.private_share else "PR5"
        sim.placing.start(
            child, "supported", None, sim.rid("SA"), location, distance, place, provider
        )

    def _on_breakdown(self, child: Child) -> None:
        sim = self.sim
        placement = child.placement
        reason = pick(sim.sc.endings.reason_mix, child.rng.random())
        resource = placement.resource
        if placement.kind == "kinship":
            child.kinship = False
        sim.placing.end(child, reason, planned=False)
        if isinstance(resource, Household) and resource.status != "gone":
            resource.boost_until = int(sim.env.now + sim.sc.endings.carer_leave_effect_days)
            sim.carers.schedule_leaving(resource)
        sim.placing.place(child, exclude=resource)

    def _on_move(self, child: Child) -> None:
        resource = child.placement.resource
        self.sim.placing.end(child, "CARPL", planned=True)
        self.sim.placing.place(child, exclude=resource)

    def adopters_again(self, child: Child) -> None:
        """A placement for adoption ended before the order (a breakdown, a move, the carers
        leaving). The plan stands: new adopters are found and the child is placed with them
        halfway to the order, so that the child is adopted from a placement for adoption
        (validator rule 390) on the day drawn at entry."""
        now = int(self.sim.env.now)
        if child.exit_rec in ("E11", "E12") and child.exit_day - now >= 2:
            child.pfa_day = now + (child.exit_day - now) // 2

    def _on_market(self, child: Child) -> None:
        """The external search ends: move to what it found, or search again."""
        placing = self.sim.placing
        offer = child.market_offer
        child.market_day = math.inf
        placing.drop_market_offer(child)  # a place it held is taken again if the child moves
        if offer is not None and child.placement.bridging:
            placing.end(child, "CARPL", planned=True)
            placing.start_from_offer(child, offer)
            return
        choice = placing.choose(child)
        if choice is not None and choice.delay_days == 0:
            placing.end(child, "CARPL", planned=True)
            placing.start_from_offer(child, choice)
        else:
            placing.await_search(child, choice)

    def _on_stepback(self, child: Child) -> None:
        child.placement.stepback_day = math.inf
        self.sim.queue.add(child, False, int(self.sim.env.now))

    def _waiting_for(self, resource: Any, today: float) -> Iterator[Child]:
        """Children waiting whose need level and age on `today` this place can take (and a few
        more of the ages at the edges of its range), in priority order."""
        sim = self.sim
        needs = matching.needs_taken(resource, sim.sc.matching.preferences)
        return sim.queue.waiting(needs, resource.min_age, resource.max_age, today)

    def process_freed(self) -> None:
        """Offer each freed place to the waiting child it suits: highest need, then longest wait."""
        sim = self.sim
        freed = sim.freed
        if not len(sim.queue):  # no one waiting: no freed place can be taken
            freed.clear()
            return
        rules = sim.sc.matching
        while freed:
            resource = freed.pop(0)
            while resource.free > 0:
                today = sim.env.now
                chosen = None
                for child in self._waiting_for(resource, today):
                    if matching.suits(child, resource, today, rules):
                        chosen = child
                        break
                if chosen is None:
                    break
                self._take_place(chosen, resource)

    def _take_place(self, child: Child, resource: Any) -> None:
        """A waiting child moves (planned) to a freed household place or home bed."""
        sim = self.sim
        sim.placing.end(child, "CARPL", planned=True)
        if isinstance(resource, Household):
            place = "U4" if child.route == "long_term" else "U6"
            kind, provider = "inhouse_foster", "PR1"
        else:
            kind, place, provider = "local_home", "K2", resource.provider
        sim.placing.start(
            child, kind, resource, resource.rid, resource.location, resource.distance, place,
            provider,
        )  # fmt: skip
        self.schedule(child)
