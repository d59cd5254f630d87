"""The model's history as SSDA903: dates within the run, valid codes, one ruler for all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sufficiency_sim import scenario
from sufficiency_sim.experiment.runner import history_frames
from sufficiency_sim.model import simulate
from sufficiency_sim.scenario.schema import HeaderFields
from sufficiency_sim.ssda903 import codes

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "york_baseline.yaml"


@pytest.fixture(scope="module")
def frames():
    sc = scenario.load(BASELINE, ["horizon_years=6"])
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


def test_supported_accommodation_is_k3_from_2024_25_and_h5_before(frames):
    _, f = frames
    placements = f["placements"]
    supported = placements[placements["provision_type"].eq("supported")]
    from_2024 = supported["start"] >= pd.Timestamp(2024, 4, 1)
    assert from_2024.any() and (~from_2024).any()
    assert (supported.loc[from_2024, "place"] == "K3").all()
    assert (supported.loc[~from_2024, "place"] == "H5").all()


def test_urn_only_for_settings_that_have_one(frames):
    """P1 (placed with parents) has no Ofsted URN, nor H5 placed before 1 April 2023
    (unregistered then; validator rule 222); every other episode carries its placement's
    resource id."""
    _, f = frames
    episodes, placements = f["episodes"], f["placements"]
    placements = placements.rename(columns={"child": "CHILD", "start": "DECOM"})
    starts = episodes[episodes["RNE"].isin(["S", "P", "B", "T", "U"])].merge(
        placements[["CHILD", "DECOM", "resource_id"]], on=["CHILD", "DECOM"]
    )
    assert len(starts) == len(placements)
    with_parents = starts["PLACE"].eq("P1")
    unregistered = starts["PLACE"].eq("H5") & (starts["DECOM"] < pd.Timestamp(2023, 4, 1))
    none = with_parents | unregistered
    assert (
        with_parents.any()
        and unregistered.any()
        and starts["PLACE"].eq("H5").gt(unregistered).any()
    )
    assert starts.loc[none, "URN"].isna().all()
    assert (starts.loc[~none, "URN"] == starts.loc[~none, "resource_id"]).all()


def test_no_child_is_placed_with_parents_under_section_20(frames):
    """Validator rule 378: placement with parents needs a care order, not s20 (V2)."""
    _, f = frames
    episodes = f["episodes"]
    assert not (episodes["PLACE"].eq("P1") & episodes["LS"].eq("V2")).any()
    assert episodes["LS"].eq("V2").any()


UPN_PATTERN = r"^(?:[A-HJ-NP-RT-Z]\d{12}|UN[1-5])$"  # validator rule 168 (no I, O or S)


def test_header_fields_are_complete_and_consistent(frames):
    """ETHNIC a valid code and UPN of the return's pattern for every child, unique unless an
    unknown code, UN1 only for a child under 4 throughout its care; MOTHER 0/1 for every girl
    and blank for boys, with MC_DOB exactly when 1, aged 15-17 and on a day in care."""
    from sufficiency_sim.scenario.schema import ETHNIC_CODES

    sc, f = frames
    header, episodes = f["header"], f["episodes"]
    assert header["ETHNIC"].isin(ETHNIC_CODES).all()
    assert header["UPN"].str.fullmatch(UPN_PATTERN).all()
    known = header.loc[~header["UPN"].str.startswith("UN"), "UPN"]
    assert known.is_unique
    spans = episodes.groupby("CHILD").agg(first=("DECOM", "min"), last=("DEC", "max"))
    spans["open"] = episodes["DEC"].isna().groupby(episodes["CHILD"]).any()
    last_night = pd.Timestamp(sc.end_date) - pd.Timedelta(days=1)
    spans.loc[spans["open"], "last"] = last_night  # in care on the run's last day
    h = header.set_index("CHILD").join(spans)
    fourth = h["DOB"] + pd.DateOffset(years=4)
    un1 = h["UPN"].eq("UN1")
    assert un1.any() and (~un1).any()
    assert (h.loc[un1, "last"] < fourth[un1]).all()
    assert (h.loc[~un1, "last"] >= fourth[~un1]).all()
    girls, boys = h["SEX"].eq("2"), h["SEX"].eq("1")
    assert (girls | boys).all()
    assert h.loc[girls, "MOTHER"].isin(["0", "1"]).all()
    assert h.loc[boys, ["MOTHER", "MC_DOB"]].isna().all().all()
    mothers = h["MOTHER"].eq("1")
    assert mothers.any(), "no simulated mother: the test would not check MC_DOB"
    assert h.loc[mothers, "MC_DOB"].notna().all()
    assert h.loc[~mothers, "MC_DOB"].isna().all()
    m = h[mothers]
    assert (m["MC_DOB"] >= m["DOB"] + pd.DateOffset(years=15)).all()
    assert (m["MC_DOB"] < m["DOB"] + pd.DateOffset(years=18)).all()
    assert (m["MC_DOB"] >= m["first"]).all()
    assert (m["MC_DOB"] <= m["last"]).all()


def test_header_draws_change_no_simulated_event() -> None:
    """The header fields come from their own stream after the run: other header settings
    give the same episodes and placements, and the same children the same ethnicity draws."""
    overrides = ["horizon_years=3", "warmup_years=6"]
    sc = scenario.load(BASELINE, overrides)
    fields = HeaderFields(mother_share=0.9, upn_unknown_share=0.5)
    other = sc.model_copy(update={"header": fields})
    a, b = history_frames(simulate(sc, 7, 1)), history_frames(simulate(other, 7, 1))
    pd.testing.assert_frame_equal(a["episodes"], b["episodes"])
    pd.testing.assert_frame_equal(a["placements"], b["placements"])
    pd.testing.assert_series_equal(a["header"]["ETHNIC"], b["header"]["ETHNIC"])
    assert b["header"]["MOTHER"].eq("1").sum() > a["header"]["MOTHER"].eq("1").sum()
    assert b["header"]["UPN"].eq("UN5").sum() > a["header"]["UPN"].eq("UN5").sum()


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
    assert history.UASC_FIELDS == schema.UASC_COLUMNS


def test_the_model_does_not_import_pandas() -> None:
    """The data flows one way: the model knows nothing of pandas, files or the CLI."""
    import subprocess
    import sys

    code = (
        "import sys, sufficiency_sim.model; "
        "bad = [m for m in ('pandas', 'click', 'sufficiency_sim.cli.group') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
