"""The assessment renders itself in Jupyter (``_repr_html_``) and converts to DataFrames."""

from __future__ import annotations

import html5lib

from cvid.assess import assess


def test_assessment_to_frame_is_the_scorecard() -> None:
    a = assess("dprk-2018-step-by-step", runs=500)
    frame = a.to_frame()
    assert list(frame.index) == [1, 2, 3, 4]
    for lesson in a.lessons:
        row = frame.loc[lesson.id]
        assert row["grade"] == lesson.grade
        assert row["summary"] == lesson.summary
        assert row["fail"] == sum(f.severity == "fail" for f in lesson.findings)
        assert row["fail"] + row["warn"] + row["info"] == len(lesson.findings)


def test_findings_frame_holds_every_finding_with_its_field() -> None:
    a = assess("six-party-2007", simulate=False)
    frame = a.findings_frame()
    assert len(frame) == sum(len(lesson.findings) for lesson in a.lessons)
    assert list(frame.columns) == ["lesson", "severity", "field", "message"]
    first = a.lesson(2).findings[0]
    rows = frame[(frame.lesson == 2) & (frame.message == first.message)]
    assert rows.iloc[0]["field"] == first.field


def test_repr_html_is_valid_and_escaped() -> None:
    a = assess("dprk-2018-step-by-step", runs=500)
    for fragment in (a._repr_html_(), a.lesson(4)._repr_html_()):
        parser = html5lib.HTMLParser(strict=True)
        parser.parseFragment(fragment)
        assert not parser.errors
    page = a._repr_html_()
    assert "FAIL" in page
    assert "Simulated probability of verified CVID" in page
    # Quotes in a finding ('close-test-site') come out escaped, not as raw markup.
    lesson = a.lesson(4)._repr_html_()
    assert "&#x27;close-test-site&#x27;" in lesson
