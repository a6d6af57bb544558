"""Verification-adequacy rules checked against the record of the historical cases (issue 14
follow-up): acts completed before an agreement and verified afterwards, removal of weapons to
another state, and how a declaration's completeness was verified."""

from __future__ import annotations

from cvid.cases import load_catalog
from cvid.scenario import Scenario
from cvid.verify.adequacy import RETROSPECTIVE_TABLE, adequacy, verifiable


def _case(name: str) -> Scenario:
    return load_catalog().case(name).scenario()


def _commitment(s: Scenario, cid: str):  # type: ignore[no-untyped-def]
    return next(c for c in s.agreement.commitments if c.id == cid)


def test_dismantlement_before_the_agreement_is_verified_from_what_it_left() -> None:
    # South Africa dismantled its six devices in 1990–91, before NPT accession; the IAEA
    # verified it afterwards from the operating and accounting records, the measured HEU of
    # the cores and interviews (IAEA Bulletin 37/1; GC(XXXVII)/1075, 1993-09-09).
    s = _case("south-africa-1989")
    c = _commitment(s, "dismantle-devices")
    assert c.completed_before_agreement
    assert verifiable(s, c), adequacy(s, c)
    # The same act done during the agreement would need a chain of custody and an
    # information barrier (UK–Norway Initiative; IPNDV 2017): the rule is about timing.
    during = c.model_copy(update={"completed_before_agreement": False})
    gaps = adequacy(s, during).gaps
    assert [g.target_class for g in gaps] == ["weapons"]
    assert "information-barrier" in gaps[0].needs
    # Records alone, without the material the cores left or the people, are not enough.
    records_only = c.model_copy(update={"verification": ["document-review"]})
    assert not verifiable(s, records_only)
    assert all(r.source for r in RETROSPECTIVE_TABLE)


def test_removal_of_weapons_to_another_state_under_escort_is_verifiable() -> None:
    # All strategic warheads left Kazakhstan (1995-04), Ukraine (by 1996-06-01) and Belarus
    # (1996-11-23) for Russia, observed by the parties (White House fact sheets 1996-06-01 and
    # 1996-11-24; cases.md §2): the state's own capability ended with the removal.
    s = _case("ukraine-kazakhstan-belarus-1992")
    for cid in ("kazakhstan-warheads", "ukraine-warheads", "belarus-warheads-out"):
        assert verifiable(s, _commitment(s, cid)), cid
    # Satellites do not see a warhead leave: national technical means alone verify nothing.
    c = _commitment(s, "ukraine-warheads")
    assert not verifiable(s, c.model_copy(update={"verification": ["national-technical-means"]}))
    # A transfer no source says was watched stays unverifiable (tactical warheads, 1992).
    assert not verifiable(s, _commitment(s, "tactical-to-russia"))


def test_declaration_completeness_by_reconciling_past_production() -> None:
    # South Africa's completeness (GC(XXXVII)/1075) rested on inspections, records, interviews
    # and the reconciliation of the Y-plant's production with the measured HEU inventory
    # (IAEA Bulletin 37/1; Albright 1994); environmental sampling is not named in the sources.
    s = _case("south-africa-1989")
    c = _commitment(s, "declare-programme")
    assert verifiable(s, c), adequacy(s, c)
    # Without the safeguards commitment's accountancy (or sampling) it is not verifiable.
    others = [x for x in s.agreement.commitments if x.kind != "verify"]
    agreement = s.agreement.model_copy(update={"commitments": others})
    bare = s.model_copy(update={"agreement": agreement})
    assert not verifiable(bare, c)


def test_item_dismantled_before_the_agreement_is_not_waiting_to_be_found() -> None:
    # The Circle facility (device assembly) was undisclosed at NPT accession, but the devices
    # it made had been dismantled in 1990–91 and the IAEA verified that in 1993 (IAEA
    # Bulletin 37/1; GC(XXXVII)/1075): it counts as irreversibly covered, not "until found".
    from cvid.assess.scope import item_coverage

    s = _case("south-africa-1989")
    status = {ic.item.item_id: ic.status for ic in item_coverage(s)}
    assert status["circle-facility"] == "irreversible-verified"
    assert status["devices"] == "irreversible-verified"
    # Advena is named by no act done before the agreement: it stays until found.
    assert status["advena"] == "until-found"
    # The same act planned inside the agreement would not reach an undeclared item.
    c = _commitment(s, "dismantle-devices")
    planned = c.model_copy(update={"completed_before_agreement": False})
    commitments = [planned if x.id == c.id else x for x in s.agreement.commitments]
    agreement = s.agreement.model_copy(update={"commitments": commitments})
    later = {
        ic.item.item_id: ic.status
        for ic in item_coverage(s.model_copy(update={"agreement": agreement}))
    }
    assert later["circle-facility"] == "until-found"
