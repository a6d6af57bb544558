"""The report is one valid, self-contained HTML page with every section and every figure.

Checks: strict HTML5 parsing (html5lib, the WHATWG parsing algorithm); every section and every
figure of each bundled example, each figure an inline ``<svg role="img">`` with a title, a
description and its axis labels; nothing that a browser would fetch (no http(s) or
protocol-relative src/href, no scripts, no stylesheets by link, no @import or url() to a
file, no web fonts); colours only from the Okabe–Ito palette or greys; unique element ids.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import html5lib
import pytest

from cvid.assess import Report, build_report
from cvid.assess.figures import OKABE_ITO
from tests.report.conftest import EXAMPLES, GENERATED

FIGURES = [
    "lesson1-timeline",
    "lesson2-concessions",
    "lesson3-sample-size",
    "lesson3-inspections",
    "lesson3-notice",
    "lesson3-sigma-muf",
    "lesson3-site-search",
    "lesson4-end-state",
    "simulation-outcomes",
    "simulation-capability",
    "simulation-concessions",
]
SECTIONS = ["summary", "lesson-1", "lesson-2", "lesson-3", "lesson-4", "simulation", "assumptions"]
#: Attributes through which a page loads or links to something.
URL_ATTRIBUTES = {"src", "href", "xlink:href", "data", "poster", "srcset", "action", "formaction"}


class Collector(HTMLParser):
    """Every start tag with its attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"style", "script"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "script"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def collect(html: str) -> Collector:
    c = Collector()
    c.feed(html)
    c.close()
    return c


def svg_of(html: str, figure_id: str) -> str:
    m = re.search(rf'<figure id="fig-{figure_id}".*?(<svg.*?</svg>)', html, re.S)
    assert m, f"no SVG in figure {figure_id}"
    return m.group(1)


@pytest.mark.parametrize("name", EXAMPLES)
def test_report_parses_as_strict_html5(reports: dict[str, Report], name: str) -> None:
    parser = html5lib.HTMLParser(strict=True)
    doc = parser.parse(reports[name].html)
    assert doc is not None
    assert not parser.errors


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_section_and_figure_is_there(reports: dict[str, Report], name: str) -> None:
    report = reports[name]
    c = collect(report.html)
    ids = [a.get("id") for _, a in c.tags if a.get("id")]
    for section in SECTIONS:
        assert section in ids, section
        assert section in report.sections
    text = " ".join(c.text)
    for fid in FIGURES:
        if fid in report.figures:
            assert f"fig-{fid}" in ids, fid
        else:  # left out only with the reason in its place (issue 16: no flat zero lines)
            assert fid.startswith("lesson3-") and fid in report.omitted, fid
            assert "Figure left out:" in text
            assert report.omitted[fid].split(":")[0] in unescape(text), fid
    assert len(ids) == len(set(ids)), "element ids must be unique across the page"
    # Every lesson shows its verdict and the reason.
    text = " ".join(c.text)
    for lesson_id in (1, 2, 3, 4):
        assert f"Lesson {lesson_id} ·" in text


@pytest.mark.parametrize("name", EXAMPLES)
def test_figures_are_accessible(reports: dict[str, Report], name: str) -> None:
    report = reports[name]
    for fid, fd in report.figures.items():
        svg = svg_of(report.html, fid)
        head = svg[: svg.index(">")]
        assert 'role="img"' in head
        assert f'aria-labelledby="{fid}-title {fid}-desc"' in head
        title = re.search(rf'<title id="{fid}-title">(.*?)</title>', svg, re.S)
        desc = re.search(rf'<desc id="{fid}-desc">(.*?)</desc>', svg, re.S)
        assert title and unescape(title.group(1)) == fd.title
        assert desc and len(unescape(desc.group(1))) > 40
        # Axis labels (with their units) are drawn as text in the SVG.
        texts = unescape(" ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)))
        assert fd.xlabel in texts or fd.xlabel.split(" (")[0] in texts, (fid, fd.xlabel)


@pytest.mark.parametrize("name", EXAMPLES)
def test_nothing_is_fetched(reports: dict[str, Report], name: str) -> None:
    html = reports[name].html
    c = collect(html)
    for tag, attrs in c.tags:
        assert tag not in {"script", "link", "iframe", "object", "embed", "img", "base"}, tag
        for key, value in attrs.items():
            if key in URL_ATTRIBUTES and value is not None:
                assert value.startswith("#"), (tag, key, value)
    assert "@import" not in html
    assert "@font-face" not in html
    for url in re.findall(r"url\(([^)]*)\)", html):
        assert url.strip("'\" ").startswith("#"), url
    # No protocol-relative or absolute URL in any attribute, whatever its name, except the
    # SVG and XLink namespace names (identifiers that are never fetched).
    for attr, url in re.findall(r'([\w:-]+)\s*=\s*"((?:https?:)?//[^"]*)"', html):
        assert (attr, url) in {
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
        }, (attr, url)


@pytest.mark.parametrize("name", EXAMPLES)
def test_colours_are_okabe_ito_or_grey(reports: dict[str, Report], name: str) -> None:
    allowed = {c.lower() for c in OKABE_ITO.values()}
    for fid in reports[name].figures:
        svg = svg_of(reports[name].html, fid)
        for colour in set(re.findall(r"#([0-9a-fA-F]{6})\b", svg)):
            r, g, b = colour[0:2], colour[2:4], colour[4:6]
            assert f"#{colour.lower()}" in allowed or r == g == b, (fid, colour)


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_formatting_leaks(reports: dict[str, Report], name: str) -> None:
    text = " ".join(collect(reports[name].html).text)
    for leak in ("None", "nan", "{{", "{%", "Undefined", "TODO", "placeholder"):
        assert not re.search(rf"\b{re.escape(leak)}\b", text), leak


def test_same_inputs_give_the_same_report(reports: dict[str, Report]) -> None:
    from tests.report.conftest import RUNS

    again = build_report("six-party-2007", runs=RUNS, seed=7, generated_at=GENERATED)
    assert again.html == reports["six-party-2007"].html


def test_without_simulation_the_section_is_left_out_with_a_note() -> None:
    report = build_report("libya-2003", simulate=False, generated_at=GENERATED)
    assert "simulation" not in report.sections
    assert 'id="simulation"' not in report.html
    assert not any(f.startswith("simulation-") for f in report.figures)
    assert "Simulation not run" in report.omitted["simulation"]
    assert report.omitted["simulation"] in report.html
    for section in ("summary", "lesson-1", "lesson-2", "lesson-3", "lesson-4", "assumptions"):
        assert f'id="{section}"' in report.html


def test_without_a_ledger_the_compliance_section_names_what_would_produce_it(
    reports: dict[str, Report],
) -> None:
    report = reports["libya-2003"]
    assert "compliance" not in report.sections
    assert "--ledger" in report.omitted["compliance"]
    assert report.omitted["compliance"] in report.html


def test_assumptions_table_lists_every_parameter_with_value_default_and_source(
    reports: dict[str, Report],
) -> None:
    from cvid.assess import assess

    html = reports["dprk-2018-step-by-step"].html
    section = html[html.index('id="assumptions"') :]
    a = assess("dprk-2018-step-by-step", simulate=False)
    for key in a.assumptions:
        assert f"<code>{key}</code>" in section, key
    # A parameter the scenario sets differs from its default and carries the file's source.
    row = section[section.index("<code>verification.candidate_sites</code>") :]
    row = row[: row.index("</tr>")]
    assert "differs from the default" in row
    assert "Assumptions: a large, dispersed program" in row
    for key in ("simulation.runs", "simulation.seed", "simulation.months"):
        assert f"<code>{key}</code>" in section
    assert "cvid assess dprk-2018-step-by-step --report report.html --runs 4000" in section
    assert "seed 7" in section
