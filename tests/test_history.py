"""The model's history as SSDA903: dates within the run, valid codes, one ruler for all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sufficiency_sim import scenario
from sufficiency_sim.experiment import history_frames
from sufficiency_sim.model import simulate
from sufficiency_sim.ssda903 import codes

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "york_baseline.yaml"


@pytest.fixture(scope="module")
def frames():
    sc = scenario.load(BASELINE, ["horizon_years=4"])
    return sc, history_frames(simulate(sc, 11, 0))


def test_no_episode_dates_after_the_end_of_the_run(frames):
    sc, f = frames
    end = pd.Timestamp(sc.end_date)
    assert (f["episodes"]["DECOM"] < end).all()
    assert (f["episodes"]["DEC"].dropna() < end).all()
    open_children = f["episodes"][f["episodes"]["DEC"].isna()]["CHILD"]
    assert open_children.is_unique, "a child has two open episodes"


def test_every_code_is_valid_for_its_collection_year(frames):
    _, f = frames
    episodes = f["episodes"]
    years = codes.collection_years(episodes["DECOM"])
    for field in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER"):
        bad = [
            (code, year)
            for code, year in zip(episodes[field], years, strict=True)
            if not codes.is_valid(field, code, int(year))
        ]
        assert not bad, f"{field}: invalid codes {bad[:5]}"
    closed = episodes.dropna(subset=["REC"])
    assert all(codes.is_valid("REC", code, 2020) for code in closed["REC"])
    reasons = episodes["REASON_PLACE_CHANGE"].dropna()
    assert all(codes.is_valid("REASON_PLACE_CHANGE", code, 2020) for code in reasons)


def test_supported_accommodation_is_k3_from_2023_24_and_h5_before(frames):
    _, f = frames
    placements = f["placements"]
    supported = placements[placements["provision_type"].eq("supported")]
    assert len(supported) > 0
    from_2023 = supported["start"] >= pd.Timestamp(2023, 4, 1)
    assert (supported.loc[from_2023, "place"] == "K3").all()
    assert (supported.loc[~from_2023, "place"] == "H5").all()


def test_placements_audit_matches_the_episodes(frames):
    """Each placement of the audit table starts an episode with RNE S, P, B, T or U."""
    _, f = frames
    episodes, placements = f["episodes"], f["placements"]
    starts = episodes[episodes["RNE"].isin(["S", "P", "B", "T", "U"])]
    assert len(starts) == len(placements)
    key_e = set(zip(starts["CHILD"], starts["DECOM"], strict=True))
    key_p = set(zip(placements["child"], placements["start"], strict=True))
    assert key_e == key_p


def test_every_child_has_its_entry_legal_status_even_when_placed_on_the_last_day() -> None:
    """Regression: an adoption-route child placed for adoption within 30 days of entry lost
    its entry legal status; placed on the last day of the run it then had none at all."""
    sc = scenario.load(BASELINE, ["horizon_years=4", "warmup_years=4"])
    f = history_frames(simulate(sc, 4242, 4))
    first = f["episodes"].sort_values("DECOM").groupby("CHILD").head(1)
    assert first["LS"].isin(["V2", "C1", "L1", "L2"]).all()


def test_history_columns_match_the_903_schema() -> None:
    from sufficiency_sim.model import history
    from sufficiency_sim.ssda903 import schema

    assert history.EPISODE_FIELDS == schema.EPISODE_COLUMNS + schema.EPISODE_DERIVED_COLUMNS
    assert history.HEADER_FIELDS == schema.HEADER_COLUMNS


def test_the_model_does_not_import_pandas() -> None:
    """The data flows one way: the model knows nothing of pandas, files or the CLI."""
    import subprocess
    import sys

    code = (
        "import sys, sufficiency_sim.model; "
        "bad = [m for m in ('pandas', 'click', 'sufficiency_sim.cli') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
