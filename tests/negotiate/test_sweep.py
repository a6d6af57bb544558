"""Sweeps on Dask: grid parsing, identical numbers however the work is split, bad input."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvid.errors import InputError
from cvid.negotiate import parse_vary, plot_surface, simulate, sweep, write_table
from cvid.negotiate.sweeps import Axis, apply_point, vary_parameters
from cvid.scenario import load_scenario

DPRK = "dprk-2018-step-by-step"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=40,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_parse_vary() -> None:
    sc = load_scenario(DPRK)
    a = parse_vary("detection_probability=0:0.5:3", sc)
    assert a == Axis("detection_probability", (0.0, 0.25, 0.5))
    assert parse_vary("strategy.pressure=1:1:1", sc).values == (1.0,)
    for bad, match in [
        ("detection_probability", "PARAM=LO:HI:STEPS"),
        ("detection_probability=0:1", "LO:HI:STEPS"),
        ("detection_probability=a:1:3", "numbers"),
        ("detection_probability=0:1:0", "at least 1"),
        ("counterpart.decision_hazard=0:1:3", "did you mean 'counterpart.decision_hazard_base'"),
        ("strategy.colour=0:1:3", "unknown parameter"),
    ]:
        with pytest.raises(InputError, match=match):
            parse_vary(bad, sc)


def test_vary_parameters_cover_counterpart_regime_and_strategy() -> None:
    names = vary_parameters(load_scenario(DPRK))
    for n in (
        "detection_probability",
        "strategy.stall_tolerance_months",
        "counterpart.prior.sincere",
        "counterpart.decision_hazard_base",
        "counterpart.clandestine_share.hedger",
        "verification.challenge_inspections_per_year",
        "agreement.provisions.challenge_notice_hours",
    ):
        assert n in names


def test_varying_one_prior_entry_rescales_the_others() -> None:
    sc = load_scenario(DPRK)  # prior 0.15 / 0.55 / 0.30
    variant, overrides, detection = apply_point(sc, {"counterpart.prior.sincere": 0.5})
    prior = variant.counterpart.prior
    assert math.isclose(prior.sincere, 0.5)
    assert math.isclose(prior.time_buyer, 0.5 * 0.55 / 0.85)
    assert math.isclose(prior.hedger, 0.5 * 0.30 / 0.85)
    assert overrides == {} and detection is None


def test_out_of_range_grid_values_are_input_errors() -> None:
    sc = load_scenario(DPRK)
    with pytest.raises(InputError, match="decision_hazard_base"):
        apply_point(sc, {"counterpart.decision_hazard_base": 1.5})
    with pytest.raises(InputError, match="not a probability"):
        apply_point(sc, {"detection_probability": -0.1})
    with pytest.raises(InputError, match="not a probability"):
        apply_point(sc, {"counterpart.prior.hedger": 2.0})
    with pytest.raises(InputError, match="strategy"):
        apply_point(sc, {"strategy.pressure": 3.0})


@pytest.mark.slow
def test_sweep_on_two_workers_equals_simulate_in_one_process(scheduler: str) -> None:
    """Same seed, same numbers: each grid point of a sweep run on two Dask workers (three
    blocks, one task each) equals simulate() of that point in this process."""
    runs = 2 * 32_768 + 1000
    result = sweep(
        DPRK,
        ["detection_probability=0.05:0.25:2"],
        ["agreement", "libya-model"],
        runs=runs,
        months=24,
        seed=8,
        scheduler=scheduler,
    )
    df = result.frame
    assert len(df) == 4
    for p in (0.05, 0.25):
        direct = simulate(
            DPRK,
            ["agreement", "libya-model"],
            runs=runs,
            months=24,
            seed=8,
            detection_probability=p,
        ).summary_frame()
        part = df[df["detection_probability"] == p].drop(columns="detection_probability")
        pd.testing.assert_frame_equal(part.reset_index(drop=True), direct, check_exact=True)


@pytest.mark.slow
def test_sweep_on_a_default_local_cluster(tmp_path: Path) -> None:
    result = sweep(
        DPRK,
        ["strategy.stall_tolerance_months=3:12:2", "counterpart.prior.sincere=0.1:0.5:2"],
        ["agreement"],
        runs=500,
        months=24,
        workers=2,
    )
    assert len(result.frame) == 4
    d = result.to_dict()
    assert set(d["parameters"]) == {"strategy.stall_tolerance_months", "counterpart.prior.sincere"}
    fig = plot_surface(result, path=tmp_path / "surface.png")
    assert (tmp_path / "surface.png").stat().st_size > 0
    assert fig.axes


def test_unreachable_scheduler_is_an_input_error_within_the_timeout() -> None:
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="no Dask scheduler answered within 1 s"):
        sweep(
            DPRK,
            ["detection_probability=0:1:2"],
            ["agreement"],
            runs=10,
            scheduler="tcp://127.0.0.1:9",
            timeout=1.0,
        )
    assert time.perf_counter() - t0 < 15


def test_write_table_parquet_and_csv(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1.0, 2.0], "strategy": ["x", "y"]})
    for name in ("t.parquet", "t.csv"):
        path = write_table(df, tmp_path / name)
        back = pd.read_parquet(path) if name.endswith("parquet") else pd.read_csv(path)
        pd.testing.assert_frame_equal(back, df)
    with pytest.raises(InputError, match=r"\.parquet or \.csv"):
        write_table(df, tmp_path / "t.xlsx")
    with pytest.raises(InputError, match="folder does not exist"):
        write_table(df, tmp_path / "missing" / "t.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.parquet"]


def test_an_address_that_is_not_a_dask_scheduler_is_an_input_error() -> None:
    """A TCP server that answers with something else (here an HTTP reply) is refused cleanly."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello" * 4)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        t0 = time.perf_counter()
        with pytest.raises(InputError, match="scheduler"):
            sweep(
                DPRK,
                ["detection_probability=0:1:2"],
                ["agreement"],
                runs=10,
                scheduler=f"tcp://127.0.0.1:{port}",
                timeout=2.0,
            )
        assert time.perf_counter() - t0 < 20
    finally:
        stop.set()
        thread.join()
        server.close()


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["sincere", "time-buyer", "hedger"]), value=st.floats(0.0, 1.0))
def test_rescaled_prior_always_sums_to_one(kind: str, value: float) -> None:
    variant, _, _ = apply_point(load_scenario(DPRK), {f"counterpart.prior.{kind}": value})
    prior = variant.counterpart.prior
    assert math.isclose(sum(prior.as_tuple()), 1.0, abs_tol=1e-9)
    assert math.isclose(
        dict(zip(("sincere", "time-buyer", "hedger"), prior.as_tuple(), strict=True))[kind], value
    )
