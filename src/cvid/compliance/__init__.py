"""Compliance from evidence: the state of every commitment derived from the evidence ledger.

"Not words but concrete actions": a commitment is ``verified`` only when the evidence it needs
is on the ledger, signed by a party allowed to verify it; statements make it ``claimed`` at
most. Besides statuses the engine reports findings (violations, declared against measured or
estimated quantities judged with cvid.verify's one-sided test, access delays and denials,
relief before results) and the indicators of a strategic decision or of pretence.

>>> from cvid.compliance import evaluate, evidence_from_ledger      # doctest: +SKIP
>>> state = evaluate(scenario, evidence_from_ledger(ledger), at="2004-04-19")  # doctest: +SKIP
>>> state.commitment("remove-remaining").status                    # doctest: +SKIP
'verified'

For a service that reads compliance often while records arrive, keep a
:class:`ComplianceTracker`: ``tracker.absorb_ledger(ledger)`` reads only the new records (by
tree size) and ``tracker.state(at)`` assembles the state from what it has absorbed.
"""

from __future__ import annotations

from cvid.compliance.beliefs import (
    BeliefPoint,
    BeliefState,
    BeliefTracker,
    Demand,
    act_probabilities,
    beliefs,
    information_gain,
)
from cvid.compliance.datasets import (
    FORMATS,
    ICBM_MISSILES,
    KNOWN_LAUNCH_TIMES,
    SLV_MISSILES,
    ImportReport,
    dataset_records,
    import_dataset,
)
from cvid.compliance.engine import (
    DAYS_PER_MONTH,
    ComplianceTracker,
    agreement_id,
    agreement_start,
    check_evidence,
    estimate_sigma,
    evaluate,
    months_after,
    violations,
)
from cvid.compliance.evidence import (
    Evidence,
    agreement_evidence,
    as_utc,
    evidence_from_ledger,
    inferred_source_kind,
)
from cvid.compliance.replay import (
    ReplayReport,
    bundled_streams,
    demo_key,
    load_stream,
    replay_stream,
    stream_path,
)
from cvid.compliance.result import (
    STATUSES,
    AccessOutcome,
    Change,
    CommitmentStatus,
    ComplianceFinding,
    ComplianceState,
    ConcessionCheck,
    Indicator,
    Status,
)
from cvid.compliance.rules import (
    CLASS_TESTS,
    METHOD_EVIDENCE,
    METHOD_SIGNERS,
    TESTING_TARGETS,
    RuleContext,
    contradiction,
    is_moratorium,
    satisfies_method,
)

__all__ = [
    "CLASS_TESTS",
    "DAYS_PER_MONTH",
    "FORMATS",
    "ICBM_MISSILES",
    "KNOWN_LAUNCH_TIMES",
    "METHOD_EVIDENCE",
    "METHOD_SIGNERS",
    "SLV_MISSILES",
    "STATUSES",
    "TESTING_TARGETS",
    "AccessOutcome",
    "BeliefPoint",
    "BeliefState",
    "BeliefTracker",
    "Change",
    "CommitmentStatus",
    "ComplianceFinding",
    "ComplianceState",
    "ComplianceTracker",
    "ConcessionCheck",
    "Demand",
    "Evidence",
    "ImportReport",
    "Indicator",
    "ReplayReport",
    "RuleContext",
    "Status",
    "act_probabilities",
    "agreement_evidence",
    "agreement_id",
    "agreement_start",
    "as_utc",
    "beliefs",
    "bundled_streams",
    "check_evidence",
    "contradiction",
    "dataset_records",
    "demo_key",
    "estimate_sigma",
    "evaluate",
    "evidence_from_ledger",
    "import_dataset",
    "inferred_source_kind",
    "information_gain",
    "is_moratorium",
    "load_stream",
    "months_after",
    "replay_stream",
    "satisfies_method",
    "stream_path",
    "violations",
]
