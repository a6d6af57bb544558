"""The backtest as one self-contained HTML page (inline CSS, nothing fetched)."""

from __future__ import annotations

from html import escape

from cvid.cases.backtest import BacktestResult, Correlation

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.pass{color:#176b2c;font-weight:bold}.warn{color:#8a6100;font-weight:bold}
.fail{color:#a11;font-weight:bold}.small{font-size:.8rem;color:#555}
"""


def _corr(c: Correlation) -> str:
    if c.rho is None:
        return f"undefined (n = {c.n}: a constant series)"
    p = "" if c.p_value is None else f", p = {c.p_value:.3g}"
    return f"ρ = {c.rho:.3f}{p}, n = {c.n}"


def _grade(g: str) -> str:
    return f'<span class="{escape(g)}">{escape(g.upper())}</span>'


def backtest_report_html(r: BacktestResult) -> str:
    """The backtest result as an HTML page: the case × lesson × outcome table, the
    statistics, the cases the lessons do not explain, and the sensitivity lines."""
    h: list[str] = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>cvid cases backtest</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Backtest of the four lessons against the documented outcomes</h1>",
        f"<p class='small'>Catalogue {escape(r.catalog)}; {r.runs} runs per case, seed "
        f"{r.seed}; simulated under the {escape(r.counterpart)}. Grades are cvid's rules "
        "applied to each scenario as written.</p>",
        "<h2>Cases</h2><table><tr><th>case</th><th>years</th><th>L1</th><th>L2</th><th>L3</th>"
        "<th>L4</th><th>with evidence</th><th>score</th><th>P(verified disarmament)</th>"
        "<th>outcome</th>"
        "<th>outcome source</th><th>reference grades</th><th>evidence</th>"
        "<th>inputs at built-in defaults</th></tr>",
    ]
    for c in r.cases:
        se = c.standard_errors.get("verified_cvid", 0.0)
        ref = "—" if c.reference is None else " ".join(escape(g) for g in c.reference.grades)
        diff = (
            f"<br><span class='small'>differs on lesson(s) "
            f"{', '.join(str(i) for i in c.grade_differences)}</span>"
            if c.grade_differences
            else ""
        )
        outcome = escape(c.outcome.kind) + ("" if c.scored else " (not scored)")
        kinds = ", ".join(f"{escape(k)} {n}" for k, n in sorted(c.evidence_source_kinds.items()))
        h.append(
            f"<tr><td>{escape(c.name)}<br><span class='small'>{escape(c.title)}</span></td>"
            f"<td>{escape(c.years)}</td>"
            + "".join(f"<td>{_grade(g)}</td>" for g in c.grades)
            + "<td class='small'>"
            + ("—" if c.grades_with_evidence is None else " ".join(c.grades_with_evidence))
            + "</td>"
            + f"<td>{c.lesson_score}</td><td>{c.p_verified:.3f} ± {se:.3f}</td>"
            f"<td>{outcome}<br><span class='small'>{escape(c.outcome.date or '')}</span></td>"
            f"<td class='small'>{escape(c.outcome.source)}</td><td>{ref}{diff}</td>"
            f"<td class='small'>{c.evidence_records} records<br>{kinds}</td>"
            f"<td class='small'>{escape(', '.join(c.defaults_used) or 'none')}</td></tr>"
        )
    h.append("</table>")
    skill = "undefined" if r.brier_skill is None else f"{r.brier_skill:.3f}"
    h += [
        "<h2>How well the grades and the simulation explain the outcomes</h2><ul>",
        f"<li>Spearman, lesson score vs outcome rank: {_corr(r.spearman_grades)}</li>",
        f"<li>Spearman, simulated P(verified disarmament) vs outcome rank: "
        f"{_corr(r.spearman_simulated)}</li>",
        f"<li>Brier score of P(verified disarmament): {r.brier:.4f}; base rate {r.base_rate:.3f} "
        f"gives {r.brier_base_rate:.4f}; skill {skill}</li>",
        f"<li>Not scored: {escape(', '.join(r.not_scored) or 'none')}</li></ul>",
        "<h2>Cases the lessons do not explain</h2>",
    ]
    if not r.unexplained:
        h.append("<p>None.</p>")
    for u in r.unexplained:
        h.append(
            f"<h3>{escape(u.name)}: {escape(u.kind)} ({escape(u.outcome)}; grades "
            f"{' '.join(escape(g) for g in u.grades)})</h3><ul>"
            + "".join(f"<li>{escape(x)}</li>" for x in u.findings_to_change)
            + "</ul>"
        )
        if u.reference_note:
            h.append(f"<p class='small'>Research note: {escape(u.reference_note)}</p>")
    h.append("<h2>Sensitivity</h2>")
    h.append(f"<p>{escape(r.sensitivity_summary())}.</p>")
    if r.sensitivity:
        h.append(
            "<table><tr><th>parameter</th><th>range</th><th>ρ with defaults (low / high)</th>"
            "<th>ρ with outcomes (low / high)</th><th>survives</th></tr>"
        )
        for s in r.sensitivity:

            def f(x: float | None) -> str:
                return "—" if x is None else f"{x:.2f}"

            h.append(
                f"<tr><td>{escape(s.parameter)}</td><td>{s.low:g} – {s.high:g}</td>"
                f"<td>{f(s.rho_with_defaults_low)} / {f(s.rho_with_defaults_high)}</td>"
                f"<td>{f(s.rho_with_outcomes_low)} / {f(s.rho_with_outcomes_high)}</td>"
                f"<td>{'—' if s.survives is None else ('yes' if s.survives else 'no')}</td></tr>"
            )
        h.append("</table>")
    h.append("</body></html>")
    return "\n".join(h)
