"""C2SP signed notes and checkpoints, against the Go reference vector (sumdb/note)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cvid.ledger.note import (
    Checkpoint,
    NoteError,
    key_id,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
    verify_checkpoint,
)

# golang.org/x/mod/sumdb/note note_test.go: the PeterNeumann key pair and signed note.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn"
    "gotpRZb6KE6RyyBwJnAM=\n"
)


def _go_private_key() -> Ed25519PrivateKey:
    raw = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert raw[0] == 1
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def test_key_id_and_verifier_key_match_go() -> None:
    name, public = parse_verifier_key(GO_VKEY)
    assert name == "PeterNeumann"
    assert key_id(name, public).hex() == "c74f20a3"
    assert _go_private_key().public_key().public_bytes_raw() == public
    assert verifier_key(name, public) == GO_VKEY


def test_signing_reproduces_the_go_note_byte_for_byte() -> None:
    # Ed25519 is deterministic (RFC 8032), so the signature must be the published one.
    assert sign_note(GO_TEXT, "PeterNeumann", _go_private_key()) == GO_TEXT + "\n" + GO_SIG
    assert open_note(GO_TEXT + "\n" + GO_SIG, GO_VKEY) == GO_TEXT


def test_changed_text_or_signature_is_refused() -> None:
    note = GO_TEXT + "\n" + GO_SIG
    with pytest.raises(NoteError):
        open_note(note.replace("cryptography", "cryptographY"), GO_VKEY)
    blob = bytearray(base64.b64decode(GO_SIG.split(" ")[2]))
    blob[10] ^= 1
    bad = GO_TEXT + "\n\u2014 PeterNeumann " + base64.b64encode(bytes(blob)).decode() + "\n"
    with pytest.raises(NoteError):
        open_note(bad, GO_VKEY)
    with pytest.raises(NoteError):  # no signature by this key at all
        open_note(GO_TEXT + "\n\u2014 Other AAAAAAAA\n", GO_VKEY)


def test_signature_with_nonzero_padding_bits_is_refused() -> None:
    """A 68-byte signature blob in base64 ends in a character with two unused low bits (RFC 4648
    §3.5); setting them decodes to the same bytes. Such a note is another text carrying the same
    signature, so it is refused rather than accepted as the same checkpoint (found by the
    single-byte tamper property in tests/ledger/test_tamper.py)."""
    b64 = GO_SIG.split(" ")[2].strip()
    last = b64[-2]  # the character before the one '=' of padding
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    twin = b64[:-2] + alphabet[alphabet.index(last) ^ 0b10] + "="
    assert base64.b64decode(twin) == base64.b64decode(b64)  # the same bytes ...
    with pytest.raises(NoteError, match="canonical"):  # ... but not the canonical spelling
        open_note(GO_TEXT + "\n\u2014 PeterNeumann " + twin + "\n", GO_VKEY)


def test_mangled_verifier_keys_are_refused() -> None:
    for i in range(len(GO_VKEY)):
        mangled = GO_VKEY[:i] + chr(ord(GO_VKEY[i]) + 1) + GO_VKEY[i + 1 :]
        with pytest.raises(NoteError):
            parse_verifier_key(mangled)


def test_checkpoint_round_trip_and_origin_pinning() -> None:
    key = Ed25519PrivateKey.generate()
    vkey = verifier_key("example.com/log", key.public_key().public_bytes_raw())
    cp = Checkpoint("example.com/log", 42, bytes(range(32)))
    note = sign_checkpoint(cp, "example.com/log", key)
    lines = note.split("\n")
    assert lines[:3] == ["example.com/log", "42", base64.b64encode(bytes(range(32))).decode()]
    assert lines[3] == ""
    assert verify_checkpoint(note, vkey) == cp
    with pytest.raises(NoteError):
        verify_checkpoint(note, vkey, origin="other.example/log")
    with pytest.raises(NoteError):
        verify_checkpoint(note.replace("\n42\n", "\n43\n"), vkey)


@pytest.mark.parametrize(
    "text",
    [
        "origin\n",
        "origin\n01\nAAAA\n",
        "origin\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n5\nnot base64!\n",
        "origin\n5\n" + base64.b64encode(bytes(31)).decode() + "\n",
        "\n5\n" + base64.b64encode(bytes(32)).decode() + "\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(text)
