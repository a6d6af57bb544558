"""Drawers of lesson 3's verification curves: attribute sampling, the search for an
undeclared site (against inspections, notice and time) and the material balance test."""

from __future__ import annotations

from typing import Any

import numpy as np

from cvid.assess.figures.model import FigureData, num
from cvid.assess.figures.palette import GREY, OKABE_ITO, new_figure

_C = OKABE_ITO


def mark(ax: Any, x: float, y: float, text: str) -> None:
    ax.plot([x], [y], marker="o", ms=7, color=_C["vermillion"], lw=0, zorder=5)
    ax.annotate(
        text,
        (x, y),
        xytext=(8, -12 if y > 0.5 else 8),
        textcoords="offset points",
        fontsize=8,
        color=_C["vermillion"],
    )


def draw_sample_size(fd: FigureData) -> Any:
    d = fd.data
    fig = new_figure(5.2, 3.4)
    ax = fig.subplots()
    ax.plot(d["n"], d["detection_probability"], color=_C["blue"], lw=2, label="exact")
    ax.axhline(d["detection_goal"], color=GREY, ls="--", lw=1, label="detection goal")
    n = d["sample_size"]
    p = d["detection_probability"][min(int(n), len(d["detection_probability"]) - 1)]
    mark(ax, n, p, f"n = {n} for the goal")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, d["items"])
    ax.set_xlabel(fd.xlabel)
    ax.set_ylabel(fd.ylabel)
    ax.set_title(f"Detecting {d['defects']} falsified of {d['items']} items", loc="left")
    ax.legend(loc="lower right")
    return fig


def draw_curve(fd: FigureData, xkey: str, mark_text: str) -> Any:
    d = fd.data
    fig = new_figure(5.2, 3.4)
    ax = fig.subplots()
    ax.plot(d[xkey], d["probability"], color=_C["blue"], lw=2)
    mark(ax, d["current"], d["probability_at_current"], mark_text.format(**d))
    if "concealment_hours" in d:
        lo, hi = d["concealment_hours"]
        ax.axvspan(lo, hi, color=GREY, alpha=0.15, lw=0, label="concealment time range")
        ax.legend(loc="upper right")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(fd.xlabel)
    ax.set_ylabel(fd.ylabel)
    ax.set_title(fd.title, loc="left", fontsize=9)
    return fig


def draw_site_search(fd: FigureData) -> Any:
    d = fd.data
    fig = new_figure(5.2, 3.4)
    ax = fig.subplots()
    ax.fill_between(
        d["months"],
        d["low"],
        d["high"],
        color=_C["sky_blue"],
        alpha=0.35,
        lw=0,
        label="concealment-time range",
    )
    ax.plot(d["months"], d["probability"], color=_C["blue"], lw=2, label="central")
    ax.axvline(12, color=GREY, ls=":", lw=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, d["months"][-1])
    ax.set_xlabel(fd.xlabel)
    ax.set_ylabel(fd.ylabel)
    ax.set_title(fd.title, loc="left", fontsize=9)
    ax.legend(loc="lower right")
    return fig


def draw_sigma_muf(fd: FigureData) -> Any:
    d = fd.data
    fig = new_figure(5.2, 3.4)
    ax = fig.subplots()
    x = np.asarray(d["muf_kg"])
    h0 = np.asarray(d["density_no_diversion"])
    h1 = np.asarray(d["density_one_sq_diverted"])
    ax.plot(x, h0, color=_C["blue"], lw=2, label="no diversion")
    ax.plot(x, h1, color=_C["orange"], lw=2, ls="--", label="one SQ diverted")
    thr = d["threshold_kg"]
    ax.fill_between(
        x,
        0,
        h1,
        where=x >= thr,
        color=_C["orange"],
        alpha=0.25,
        lw=0,
        label=f"detected: P = {d['detection_probability']:.3f}",
    )
    ax.axvline(thr, color="black", lw=1, ls=":", label=f"alarm threshold {num(thr, 3)} kg")
    ax.axvline(d["significant_quantity_kg"], color=GREY, lw=1)
    ax.set_xlabel(fd.xlabel)
    ax.set_ylabel(fd.ylabel)
    ax.set_title(
        f"σMUF = {num(d['sigma_muf_kg'], 3)} kg vs SQ = {num(d['significant_quantity_kg'])} kg",
        loc="left",
        fontsize=9,
    )
    ax.legend(loc="upper center")
    return fig


def draw_inspections(fd: FigureData) -> Any:
    """The undeclared-site curve against challenge inspections a year."""
    return draw_curve(fd, "inspections_per_year", "this regime: {current:g} a year")


def draw_notice(fd: FigureData) -> Any:
    """The undeclared-site curve against the notice of a challenge inspection."""
    return draw_curve(fd, "notice_hours", "this agreement: {current:g} h")
