"""The red team as a self-contained HTML page: the path diagram and the provision values as
inline SVG (matplotlib, no network), the ranked table, the findings and the assumptions."""

from __future__ import annotations

import io
import re
import threading
from html import escape
from typing import Any, cast

from cvid.redteam.analysis import RedTeamResult

#: Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008).
_BLUE, _ORANGE, _GREEN, _VERMILLION, _PURPLE, _SKY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
)
_LOCK = threading.Lock()
_RC: dict[str, Any] = {
    "svg.hashsalt": "cvid-redteam",
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(fig: Any, fig_id: str, title: str, desc: str) -> str:
    buf = io.StringIO()
    fig.savefig(
        buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None}
    )
    import matplotlib.pyplot as plt

    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(
        r'(\bid="|url\(#|href="#)([^")]+)', lambda m: m.group(1) + fig_id + "-" + m.group(2), svg
    )
    end = svg.index(">") + 1
    head = svg[:end].replace(
        "<svg ", f'<svg role="img" aria-labelledby="{fig_id}-title {fig_id}-desc" ', 1
    )
    alt = (
        f'<title id="{fig_id}-title">{escape(title)}</title>'
        f'<desc id="{fig_id}-desc">{escape(desc)}</desc>'
    )
    return head + alt + svg[end:]


def path_diagram(r: RedTeamResult) -> str:
    """SVG: one row per ranked path over the agreement's months — hidden items from their
    breach, hollow claims, the stall, concessions collected and the month of exposure."""
    import matplotlib

    with _LOCK, matplotlib.rc_context(cast(Any, _RC)):
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        paths = r.paths
        fig, ax = plt.subplots(figsize=(8.5, 0.45 * max(3, len(paths)) + 1.2), layout="constrained")
        h = r.horizon_months
        for row, p in enumerate(paths):
            y = len(paths) - row
            ax.plot(
                [0, max(h, p.detection_by_month[-1][0] if p.detection_by_month else h)],
                [y, y],
                color="#DDDDDD",
                lw=6,
                solid_capstyle="butt",
            )
            curve = p.detection_by_month
            if curve:
                xs = [t for t, _ in curve]
                ax.scatter(
                    xs,
                    [y] * len(xs),
                    c=[q for _, q in curve],
                    cmap="Greys",
                    vmin=0,
                    vmax=1,
                    s=8,
                    marker="s",
                )
            if p.stall_month is not None:
                ax.plot([p.stall_month], [y], marker="X", color=_VERMILLION, ms=9, lw=0)
            if p.time_to_exposure_months is not None:
                ax.plot(
                    [p.time_to_exposure_months], [y], marker="|", color=_BLUE, ms=16, mew=3, lw=0
                )
            if p.first_concession_month is not None:
                ax.plot([p.first_concession_month], [y], marker="D", color=_GREEN, ms=6, lw=0)
        ax.set_yticks(
            [len(paths) - i for i in range(len(paths))],
            [f"#{p.rank} {p.label[:60]}" for p in paths],
        )
        end = max((t for p in paths for t, _ in p.detection_by_month), default=h)
        ax.axvline(h, color="#777777", ls="--", lw=1)
        ax.annotate(
            "end of the agreement", (h, len(paths) + 0.45), ha="right", va="bottom", fontsize=8
        )
        ax.set_xlim(0, max(end, h))
        ax.set_ylim(0.4, len(paths) + 0.9)
        ax.set_xlabel("months after the agreement's start (after the dashed line: follow-up)")
        handles = [
            Line2D(
                [],
                [],
                marker="s",
                color="#555555",
                lw=0,
                label="detection probability (darker = higher)",
            ),
            Line2D([], [], marker="|", color=_BLUE, ms=12, mew=3, lw=0, label="exposed"),
            Line2D([], [], marker="D", color=_GREEN, lw=0, label="first concession"),
            Line2D([], [], marker="X", color=_VERMILLION, lw=0, label="stall (overt)"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=4)
        desc = "; ".join(
            f"path {p.rank}: {p.label}, exposed at month "
            + ("never" if p.time_to_exposure_months is None else f"{p.time_to_exposure_months:g}")
            for p in paths
        )
        return _svg(fig, "redteam-paths", "The state's best paths over time", desc)


def provision_chart(r: RedTeamResult) -> str:
    """SVG: the drop in the state's best payoff when each provision is added."""
    import matplotlib

    with _LOCK, matplotlib.rc_context(cast(Any, _RC)):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7.0, 2.8), layout="constrained")
        labels = [p.label + (" (in force)" if p.in_force else "") for p in r.provisions]
        values = [p.value for p in r.provisions]
        colors = [_SKY if p.in_force else _ORANGE for p in r.provisions]
        ax.barh(range(len(values)), values, color=colors)
        top = max([*values, 0.0])
        ax.set_xlim(0.0, top * 1.25 if top > 0 else 0.05)
        for i, v in enumerate(values):
            ax.annotate(
                f"{v:.3f}", (max(v, 0.0), i), xytext=(3, 0), textcoords="offset points", va="center"
            )
        ax.set_yticks(range(len(values)), labels)
        ax.invert_yaxis()
        ax.set_xlabel("drop in the state's best payoff (all concessions = 1)")
        desc = "; ".join(f"{lab}: {v:.3f}" for lab, v in zip(labels, values, strict=True))
        return _svg(fig, "redteam-provisions", "Value of each verification provision", desc)


def render_html(r: RedTeamResult) -> str:
    """The whole report as one HTML document."""
    d = r.to_dict()
    rows = []
    for p in r.paths:
        t = "never" if p.time_to_exposure_months is None else f"{p.time_to_exposure_months:g}"
        m = p.material_sq
        rows.append(
            "<tr>"
            f"<td>{p.rank}</td><td>{escape(p.label)}</td><td>{escape(', '.join(p.kinds))}</td>"
            f"<td>{p.payoff:.3f}</td><td>{m['central']:.2f} ({m['low']:.2f}–{m['high']:.2f})</td>"
            f"<td>{p.detection_probability:.3f}</td><td>{p.deterrence_threshold:.3f}</td>"
            f"<td>{t}</td><td>{escape(', '.join(p.concessions_before_exposure) or '—')}</td>"
            "</tr>"
        )
    findings = "".join(f"<li>{escape(f)}</li>" for f in r.findings) or "<li>none</li>"
    cc = r.cheapest_change
    if cc is None:
        change = "<p>not computed</p>"
    elif cc.found:
        what = ", ".join(cc.provisions) or "no new provision"
        change = (
            f"<p>Cheapest change that deters every path: <b>{escape(what)}</b>, plus "
            f"{cc.extra_challenge_inspections_per_year:g} challenge inspections a year "
            f"(cost {cc.cost:g}; margin {cc.margin:.3f}; {cc.tried} changes tried).</p>"
        )
    else:
        change = (
            f"<p>No change tried deters every path; best margin {cc.margin:.3f} with "
            f"{escape(', '.join(cc.provisions) or 'no provision')} and "
            f"{cc.extra_challenge_inspections_per_year:g} more challenge inspections a year.</p>"
        )
    svg_paths = path_diagram(r) if r.paths else ""
    svg_prov = provision_chart(r) if r.provisions else ""
    assumptions = "".join(
        f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
        for k, v in d["assumptions"].items()
    )
    g = r.game
    lo, hi = g.value_bounds
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>cvid red team: {escape(r.scenario)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}}
svg{{max-width:100%;height:auto}}</style></head><body>
<h1>Red team: {escape(r.scenario)}</h1>
<p>{g.total_paths} paths, solved by {escape(g.method)} ({g.iterations} iteration(s)). Value of
the game to the state: <b>{g.value:.3f}</b> (bounds {lo:.3f}–{hi:.3f}); compliance pays
{g.compliance_payoff:.3f}. Equilibrium detection probability:
<b>{g.equilibrium_detection_probability:.3f}</b>. Budget {r.budget_inspections_per_year:g}
inspections a year, challenge quota {r.challenge_quota_per_year:g}. Payoff units: all of the
agreement's concessions = 1.</p>
<h2>Findings</h2><ul>{findings}</ul>
<h2>The state's best paths</h2>
<table><thead><tr><th>#</th><th>path</th><th>kind</th><th>payoff</th><th>SQ kept or made</th>
<th>detection probability</th><th>deterrence threshold</th><th>exposed (month)</th>
<th>concessions before exposure</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
<figure>{svg_paths}</figure>
<h2>Value of each provision</h2>
<figure>{svg_prov}</figure>
<h2>Cheapest change</h2>{change}
<h2>Assumptions</h2><table>{assumptions}</table>
</body></html>
"""
