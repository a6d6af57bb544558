"""Record schemas, the kind → role policy, canonical JSON and record signatures."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from cvid.errors import InputError
from cvid.ledger import KIND_SIGNERS, KINDS, Role, canonical_json, record_schema, sign_record
from cvid.ledger.keys import generate_party_key
from cvid.ledger.records import check_signed, check_signed_all, validate_record
from tests.ledger.samples import PAYLOADS, SIGNER_ROLE, sample_record


def test_every_kind_has_a_schema_and_a_signer_policy() -> None:
    assert set(KINDS) == set(PAYLOADS) == set(KIND_SIGNERS)
    assert len(KINDS) == 14
    for kind in KINDS:
        schema = record_schema(kind)
        assert schema["properties"]["kind"]["const"] == kind
        assert schema["additionalProperties"] is False
        assert validate_record(sample_record(kind), signed=False) == kind
        assert KIND_SIGNERS[kind] <= set(Role)


def test_the_state_cannot_file_findings_and_the_inspectorate_cannot_declare() -> None:
    assert KIND_SIGNERS["finding"] == {Role.INSPECTORATE}
    assert Role.STATE not in KIND_SIGNERS["inspection"]
    assert KIND_SIGNERS["declaration"] == {Role.STATE}
    state = generate_party_key("dprk", "state")
    with pytest.raises(InputError, match="may not sign 'finding'"):
        sign_record(sample_record("finding"), state)
    iaea = generate_party_key("iaea", "inspectorate")
    with pytest.raises(InputError, match="may not sign 'declaration'"):
        sign_record(sample_record("declaration"), iaea)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.update(kind="rumour"), "kind"),
        (lambda r: r.update(colour="red"), "colour"),
        (lambda r: r["payload"].update(colour="red"), "payload.colour"),
        (lambda r: r.update(time="2019-03-01 10:00:00"), "time"),
        (lambda r: r.update(time="2019-03-01T10:00:00+09:00"), "time"),
        (lambda r: r.update(time="2019-02-30T10:00:00Z"), "time"),
        (lambda r: r["payload"].update(access="most"), "payload.access"),
        (lambda r: r["payload"].update(notice_hours=-1), "payload.notice_hours"),
        (lambda r: r["payload"].update(notice_hours="24"), "payload.notice_hours"),
        (lambda r: r.update(attachments=[{"name": "x", "sha256": "ABC"}]), "attachments.0.sha256"),
        (lambda r: r["refs"].update(commitments=["has space"]), "refs.commitments.0"),
        (lambda r: r.pop("agreement"), "agreement"),
    ],
)
def test_records_failing_their_schema_are_refused_naming_the_field(change: Any, field: str) -> None:
    record = json.loads(json.dumps(sample_record("inspection")))
    change(record)
    with pytest.raises(InputError) as err:
        validate_record(record, signed=False, source="in.jsonl")
    assert err.value.field == field
    assert err.value.source == "in.jsonl"


def test_signature_binds_every_byte_of_the_record() -> None:
    iaea = generate_party_key("iaea", "inspectorate")
    parties = {"iaea": iaea.public}
    signed = sign_record(sample_record("finding"), iaea)
    assert signed["signer"]["role"] == "inspectorate"
    check_signed(signed, parties)
    changed = json.loads(json.dumps(signed))
    changed["payload"]["measured_quantity"] = 40
    with pytest.raises(InputError, match="does not verify"):
        check_signed(changed, parties)
    changed = json.loads(json.dumps(signed))
    changed["signer"]["role"] = "state"
    with pytest.raises(InputError, match="registered as inspectorate"):
        check_signed(changed, parties)
    other = generate_party_key("iaea", "inspectorate")
    with pytest.raises(InputError, match="not the registered one"):
        check_signed(sign_record(sample_record("finding"), other), parties)
    with pytest.raises(InputError, match="not a registered party"):
        check_signed(signed, {})


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_changed_byte_of_the_signature_is_detected(data: st.DataObject) -> None:
    import base64

    iaea = generate_party_key("iaea", "inspectorate")
    signed = sign_record(sample_record("seal-check", data.draw(st.integers(0, 500))), iaea)
    sig = bytearray(base64.b64decode(signed["signature"]))
    sig[data.draw(st.integers(0, 63))] ^= 1 << data.draw(st.integers(0, 7))
    signed["signature"] = base64.b64encode(bytes(sig)).decode()
    with pytest.raises(InputError):
        check_signed(signed, {"iaea": iaea.public})


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
_json_floats = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_json, _json_floats))
def test_canonical_json_equals_the_rfc8785_library(value: Any) -> None:
    """Our fast path (json.dumps for float-free, ASCII-keyed values) must give JCS bytes, and
    must refuse what JCS refuses (integers beyond 2^53, lone surrogates)."""
    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        with pytest.raises(InputError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


def test_canonical_json_of_known_values() -> None:
    # RFC 8785 §3.2.3 sorting and §3.2.2.3 number examples
    assert (
        canonical_json({"b": 1, "a": [True, None, "é\n"]})
        == '{"a":[true,null,"é\\n"],"b":1}'.encode()
    )
    assert canonical_json({"x": 1e21, "y": 0.000001, "z": 4.0}) == b'{"x":1e+21,"y":0.000001,"z":4}'
    assert canonical_json({"\u20ac": 1, "\U0001f600": 2, "\ufb33": 3}) == rfc8785.dumps(
        {"\u20ac": 1, "\U0001f600": 2, "\ufb33": 3}
    )
    with pytest.raises(InputError):
        canonical_json({"x": float("inf")})


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_can_be_signed_by_its_role(kind: str) -> None:
    key = generate_party_key("p", SIGNER_ROLE[kind])
    signed = sign_record(sample_record(kind), key)
    checked = check_signed(signed, {"p": key.public})
    assert checked.kind == kind
    assert checked.data == rfc8785.dumps(signed)


def test_checking_many_records_raises_what_checking_them_in_order_would() -> None:
    """check_signed_all checks every schema first and every signature after (one loop), yet
    the error raised is that of the first failing record, as check_signed one by one."""
    iaea = generate_party_key("iaea", "inspectorate")
    parties = {"iaea": iaea.public}
    good = [sign_record(sample_record("finding", n), iaea) for n in range(3)]
    forged = dict(good[1], signature=good[0]["signature"])  # a valid-looking wrong signature
    broken = dict(good[2], kind="no-such-kind")

    def where(n: int) -> str:
        return f"record {n}"

    assert [c.data for c in check_signed_all(good, parties, source=where)] == [
        check_signed(r, parties).data for r in good
    ]
    with pytest.raises(InputError, match="does not verify") as bad_sig:
        check_signed_all([good[0], forged, broken], parties, source=where)
    assert bad_sig.value.source == "record 2"
    with pytest.raises(InputError, match="unknown record kind") as bad_kind:
        check_signed_all([good[0], broken, forged], parties, source=where)
    assert bad_kind.value.source == "record 2"


_any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.binary(max_size=3),  # not JSON: the encoder's TypeError
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text() | st.integers() | st.booleans() | st.none(), inner, max_size=4)
    ),
    max_leaves=20,
)


def _outcome(fn: Any, value: Any) -> tuple[str, str]:
    try:
        return "ok", fn(value)
    except Exception as exc:  # the very exception, by type and message
        return type(exc).__name__, str(exc)


@settings(max_examples=400, deadline=None)
@given(_any_json)
def test_the_reused_c_encoder_gives_what_the_json_encoder_gives(value: Any) -> None:
    """_fast_json (one C encoder without circular-reference markers, made once) returns, or
    raises, exactly what json.JSONEncoder.encode with the same options does."""
    from cvid.ledger.records import _JSON, _fast_json

    assert _outcome(_fast_json, value) == _outcome(_JSON.encode, value)
    assert _outcome(_fast_json, {"v": value}) == _outcome(_JSON.encode, {"v": value})


def test_the_reused_c_encoder_refuses_what_contains_itself_as_json_does() -> None:
    from cvid.ledger.records import _JSON, _fast_json

    looped: dict[str, Any] = {"a": [1]}
    looped["a"].append(looped)
    inner: list[Any] = []
    inner.append(inner)
    deep: dict[str, Any] = {}
    at = deep
    for _ in range(5000):
        at["x"] = at = {}
    for value in (looped, {"b": inner}, deep):
        assert _outcome(_fast_json, value) == _outcome(_JSON.encode, value)
    assert _outcome(_fast_json, looped) == ("ValueError", "Circular reference detected")
    assert _fast_json({"a": 1}) == '{"a":1}'  # the encoder still works after its errors


@pytest.mark.parametrize("tail", ["\n", "=", "A", ""])
def test_a_signature_of_another_length_is_refused_as_before(tail: str) -> None:
    """The 64-byte decode of a signature that passed its schema (86 base64 characters and
    "=="): a signature the schema would let through with a different length still goes
    through unb64, so its error is the one it always was."""
    iaea = generate_party_key("iaea", "inspectorate")
    signed = sign_record(sample_record("finding"), iaea)
    signed["signature"] = signed["signature"][:-1] if not tail else signed["signature"] + tail
    with pytest.raises(InputError) as err:
        check_signed(signed, {"iaea": iaea.public})
    assert err.value.field == "signature"


def test_errors_name_the_record_that_fails_whatever_the_check() -> None:
    """check_signed_all asks for a record's name only when it fails: the error is still the
    one check_signed gives with that name, for every kind of failure."""
    iaea = generate_party_key("iaea", "inspectorate")
    parties = {"iaea": iaea.public}
    good = sign_record(sample_record("finding", 1), iaea)
    bad = [
        dict(good, kind="no-such-kind"),
        dict(good, colour="red"),
        dict(good, signer=dict(good["signer"], name="nobody")),
        dict(good, signer=dict(good["signer"], role="state")),
        sign_record(sample_record("finding", 2), generate_party_key("iaea", "inspectorate")),
        dict(good, signature=sign_record(sample_record("finding", 3), iaea)["signature"]),
    ]
    asked: list[int] = []

    def where(n: int) -> str:
        asked.append(n)
        return f"in.jsonl: record {n}"

    for record in bad:
        with pytest.raises(InputError) as one:
            check_signed(record, parties, source="in.jsonl: record 3")
        asked.clear()
        with pytest.raises(InputError) as many:
            check_signed_all([good, good, record, good], parties, source=where)
        assert (str(many.value), many.value.source, many.value.field) == (
            str(one.value),
            one.value.source,
            one.value.field,
        )
        assert asked == [3]
    assert check_signed_all([good, good], parties, source=where) and asked == [3]


def test_floats_in_the_basis_are_written_in_canonical_form() -> None:
    """An estimate's basis.uncertainty may hold floats while the payload holds none: the bytes
    signed and stored are still RFC 8785 (the rfc8785 library on the same record: 5.0 is
    written 5 and 1e-07 as 1e-7), so a verifier with any JCS implementation gets them."""
    iaea = generate_party_key("iaea", "inspectorate")
    record = sample_record("seal-check")
    assert "." not in json.dumps(record["payload"])  # no float in the payload
    record["basis"] = {
        "kind": "estimate", "document": "IAEA report", "time_zone": "UTC",
        "uncertainty": {"low": 1e-07, "high": 5.0, "unit": "kg", "meaning": "range"},
        "method": "mass balance",
    }  # fmt: skip
    signed = sign_record(record, iaea)
    checked = check_signed(signed, {"iaea": iaea.public})
    assert checked.data == rfc8785.dumps(signed)
    assert b'"high":5,"low":1e-7' in checked.data


@pytest.mark.parametrize(
    ("field", "value"),
    [("time", "2019-03-01T08:00:00Z\n"), ("basis.date", "2019-03-01\n")],
)
def test_a_trailing_newline_is_not_a_valid_time_or_date(field: str, value: str) -> None:
    record = sample_record("seal-check")
    record["basis"] = {"kind": "measurement", "document": "IAEA report", "time_zone": "UTC"}
    if field == "time":
        record["time"] = value
    else:
        record["basis"]["date"] = value
    with pytest.raises(InputError) as info:
        validate_record(record, signed=False)
    assert info.value.field == field


def test_a_party_name_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(InputError):
        generate_party_key("iaea\n", "inspectorate")


@pytest.mark.timeout(20)
def test_canonical_json_refuses_a_value_that_contains_itself() -> None:
    value: dict[str, Any] = {"a": 1}
    value["self"] = value
    with pytest.raises(InputError, match="canonical JSON"):
        canonical_json(value)
    shared = {"x": 1}
    assert canonical_json([shared, shared]) == b'[{"x":1},{"x":1}]'  # shared, not a cycle
