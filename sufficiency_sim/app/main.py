"""The Streamlit page of `sufficiency-sim app` (run by `streamlit run`, on 127.0.0.1 only).

Pick a baseline (the installed York baseline or a scenario file on this machine, e.g. a
calibrated one), set the main levers of an option in a form, run both on common random numbers
with a progress bar, and see the headline in plain words, interactive charts and the tables;
download the option as a scenario YAML that the CLI runs unchanged, and the HTML report.
Everything runs in this process: no data leave the machine.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from sufficiency_sim.app.levers import (
    Levers,
    apply_levers,
    load_baseline,
    report_html,
    run_option,
    scenario_yaml,
    york_baseline_file,
)
from sufficiency_sim.appraisal.statistics import better_direction
from sufficiency_sim.errors import InputError
from sufficiency_sim.report.headline import headline_intro, headlines
from sufficiency_sim.report.text import LABELS, comparison_blocks

CHART_MEASURES = (
    "pct_out_of_area",
    "placement_moves",
    "unplanned_endings",
    "bridging_31_march",
    "inhouse_foster",
    "cost_gbp",
)

st.set_page_config(page_title="sufficiency-sim", layout="wide")
st.title("Try an option")
st.caption(
    "Runs on this computer only (127.0.0.1): the scenario and any data you point it to never "
    "leave it."
)

with st.sidebar:
    st.header("Baseline")
    choice = st.radio("Baseline", ["York baseline (installed)", "A scenario file on this machine"])
    path = str(york_baseline_file())
    if choice != "York baseline (installed)":
        path = st.text_input("Path of the scenario file (e.g. a calibrated my_authority.yaml)")
    try:
        base = load_baseline(path) if path else None
    except InputError as exc:
        st.error(str(exc))
        base = None
    st.header("Run")
    replications = st.number_input("Replications", 2, 200, 10, help="More: narrower intervals.")
    seed = st.number_input("Seed", 0, 2**31 - 1, 2019)
    jobs = st.number_input("Worker processes", 1, os.cpu_count() or 1, os.cpu_count() or 1)
    horizon = st.number_input(
        "Years to simulate", 1, 30, int(base["horizon_years"]) if base else 10
    )

if base is None:
    st.info("Choose a baseline scenario to start.")
    st.stop()

start = dt.date.fromisoformat(str(base["start_date"]))
foster = base["provision"]["inhouse_foster"]
with st.form("levers"):
    st.subheader("Option")
    name = st.text_input("Option name", "My option")
    homes, carers, demand = st.columns(3)
    with homes:
        st.markdown("**Homes and beds**")
        beds = st.number_input("New local home: beds (0 for none)", 0, 12, 0)
        opens = st.date_input("New home opens", start, min_value=start)
        bed_cost = st.number_input("Weekly cost per bed (£)", 0, 20000, 5000, step=100)
    with carers:
        st.markdown("**Foster carers**")
        households = st.number_input(
            "In-house foster households", 0, 2000, int(foster["households"])
        )
        emergency = st.number_input(
            "Dedicated emergency foster carers", 0, 100, int(foster.get("emergency_households", 0))
        )
        enquiries = st.number_input("Recruitment campaign: extra enquiries a year", 0, 1000, 0)
        campaign_start = st.date_input("Campaign starts", start, min_value=start)
        campaign_years = st.number_input("Campaign years", 1, 30, 3)
        retention = st.slider(
            "Carers leave at this multiple of the usual rate", 0.3, 1.5, 1.0, 0.05
        )
    with demand:
        st.markdown("**Entries**")
        entries = st.number_input(
            "Children entering care a year",
            0.0,
            100000.0,
            float(base["entries"]["rate_per_year"]),
            step=1.0,
        )
    submitted = st.form_submit_button("Run", type="primary")

if submitted:
    try:
        end = campaign_start.replace(year=campaign_start.year + int(campaign_years))
        levers = Levers(
            name=name.strip() or "My option",
            new_home_beds=int(beds),
            new_home_opens=opens,
            new_home_weekly_cost_per_bed=float(bed_cost),
            households=int(households),
            emergency_households=int(emergency),
            campaign_extra_enquiries=float(enquiries),
            campaign_start=campaign_start,
            campaign_end=end,
            retention_multiplier=float(retention),
            retention_start=start,
            entries_per_year=float(entries),
        )
        run_base = {**base, "horizon_years": int(horizon)}
        if levers.name == run_base["name"]:
            raise InputError("the option needs a name different from the baseline's")
        option = apply_levers(run_base, levers)
        bar = st.progress(0.0, text="Running...")
        result = run_option(
            run_base,
            option,
            int(replications),
            int(seed),
            jobs=int(jobs),
            progress=lambda done, total: bar.progress(done / total, text=f"{done} of {total} runs"),
        )
        bar.progress(1.0, text=f"Done in {result.wall_seconds:.1f} s")
        st.session_state["run"] = result
        st.session_state["option"] = option
        st.session_state["report"] = None
    except InputError as exc:
        st.error(str(exc))

run = st.session_state.get("run")
if run is not None:
    appraisal = run.appraisal
    st.subheader("In plain words")
    st.text(headline_intro(appraisal))
    for item in headlines(appraisal, run.resolved):
        st.info(item.text(), icon=None)
    st.subheader("By financial year")
    st.caption(
        "Left: each scenario's mean and 95% interval. Right: the option minus the baseline, "
        "with the 95% interval of the paired difference; zero is no difference."
    )
    levels = appraisal.levels[appraisal.levels["period"].eq("year")]
    differences = appraisal.differences[appraisal.differences["period"].eq("year")]
    names = list(run.resolved)
    colours = alt.Scale(domain=names, range=["#000000", "#D55E00"])
    for measure in CHART_MEASURES:
        data = levels[levels["measure"].eq(measure)].copy()
        diff = differences[differences["measure"].eq(measure)].copy()
        if data.empty:
            continue
        scale = 1e6 if measure == "cost_gbp" else 1.0
        data[["mean", "lower", "upper"]] = data[["mean", "lower", "upper"]] / scale
        cols = ["difference", "paired_lower", "paired_upper"]
        diff[cols] = diff[cols] / scale
        title = LABELS.get(measure, measure)
        direction = better_direction(measure)
        better = f" ({direction} is better)" if direction else ""
        x = alt.X("year:O", title="Financial year ending 31 March")
        base_chart = alt.Chart(data).encode(
            x=x, color=alt.Color("scenario:N", title="Scenario", scale=colours)
        )
        band = base_chart.mark_area(opacity=0.15).encode(y="lower:Q", y2="upper:Q")
        line = base_chart.mark_line(point=True).encode(
            y=alt.Y("mean:Q", title=title),
            tooltip=[
                "scenario",
                "year",
                alt.Tooltip("mean:Q", format=".2f"),
                alt.Tooltip("lower:Q", format=".2f"),
                alt.Tooltip("upper:Q", format=".2f"),
            ],
        )
        final = data[data["year"].eq(data["year"].max())]
        said = "; ".join(f"{r.scenario} {r.mean:,.2f}" for r in final.itertuples())
        left, right = st.columns(2)
        left.altair_chart(
            (band + line).properties(title=title + better, height=240).interactive(),
            width="stretch",
            alt=f"{title} by year; in the final year {said}",
        )
        d = alt.Chart(diff).encode(x=x)
        zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="black").encode(y="zero:Q")
        d_band = d.mark_area(opacity=0.2, color="#D55E00").encode(
            y="paired_lower:Q", y2="paired_upper:Q"
        )
        d_line = d.mark_line(point=True, color="#D55E00").encode(
            y=alt.Y("difference:Q", title="Option − baseline"),
            tooltip=[
                "year",
                alt.Tooltip("difference:Q", format=".2f"),
                alt.Tooltip("paired_lower:Q", format=".2f"),
                alt.Tooltip("paired_upper:Q", format=".2f"),
            ],
        )
        right.altair_chart(
            (d_band + d_line + zero).properties(title=f"Difference{better}", height=240),
            width="stretch",
            alt=f"Difference from the baseline in {title} by year",
        )
    st.subheader("Tables")
    for title, header, rows in comparison_blocks(appraisal):
        st.caption(title)
        st.dataframe(pd.DataFrame(rows, columns=header), hide_index=True, width="stretch")
    st.subheader("Take it away")
    option_data = st.session_state["option"]
    left, right = st.columns(2)
    left.download_button(
        "Download the option as a scenario YAML",
        scenario_yaml(option_data),
        file_name="option.yaml",
        mime="application/x-yaml",
        help="Runs unchanged with: sufficiency-sim run option.yaml",
    )
    if right.button("Prepare the HTML report"):
        with st.spinner("Drawing the report..."), tempfile.TemporaryDirectory() as folder:
            st.session_state["report"] = report_html(run, Path(folder))
    if st.session_state.get("report"):
        right.download_button(
            "Download the HTML report",
            st.session_state["report"],
            file_name="report.html",
            mime="text/html",
        )
