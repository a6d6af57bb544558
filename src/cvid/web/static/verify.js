// Check, in the browser, that a ledger record is in the log the server signed.
//
// 1. The latest checkpoint (C2SP signed note) must carry a valid Ed25519 signature by the key
//    pinned on the page (C2SP signed-note: key ID = SHA-256(name || 0x0A || 0x01 || key)[:4]).
// 2. The record's leaf hash is recomputed: SHA-256(0x00 || canonical bytes) (RFC 9162 §2.1.1).
// 3. The RFC 9162 §2.1.3.2 inclusion proof for the checkpoint's tree size must lead from that
//    leaf hash to the checkpoint's root hash.
// 4. Witnesses: the largest checkpoint witnesses cosigned carries C2SP tlog-cosignature lines
//    (cosignature/v1: key ID = SHA-256(name || 0x0A || 0x04 || key)[:4]; the line's blob is
//    key ID || u64 big-endian POSIX time || Ed25519 signature over "cosignature/v1\n" ||
//    "time <t>\n" || checkpoint body); each is verified against the witness keys pinned in
//    this browser (or, until some are pinned, the keys the server names), and the latest
//    checkpoint must extend the witnessed one (an RFC 9162 consistency proof).
// Only window.crypto.subtle is used (SHA-256 and Ed25519); nothing is loaded from elsewhere.
"use strict";
(function () {
  const enc = new TextEncoder();

  function b64bytes(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function hexbytes(h) {
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
    return out;
  }
  function hex(b) {
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  function concat(...parts) {
    const n = parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    let d = 0;
    for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

  // C2SP verifier key "name+hexid+base64(0x01 || key)".
  async function parseVerifierKey(vkey) {
    // name+keyid+base64: the base64 key may itself contain "+", so split at the first two
    const i = vkey.indexOf("+");
    const j = vkey.indexOf("+", i + 1);
    if (i <= 0 || j < 0) throw new Error("malformed verifier key");
    const name = vkey.slice(0, i), kid = vkey.slice(i + 1, j), b64 = vkey.slice(j + 1);
    const raw = b64bytes(b64);
    if (raw.length !== 33 || raw[0] !== 1) throw new Error("verifier key is not Ed25519");
    const key = raw.slice(1);
    const want = (await sha256(concat(enc.encode(name + "\n"), Uint8Array.of(1), key))).slice(0, 4);
    if (hex(want) !== kid) throw new Error("verifier key ID does not match");
    return { name, kid: want, key };
  }

  // Verify the signed note; return {origin, size, root} of the checkpoint.
  async function openCheckpoint(note, vkey) {
    const cut = note.lastIndexOf("\n\n");
    if (cut < 0 || !note.endsWith("\n")) throw new Error("malformed signed note");
    const text = note.slice(0, cut + 1);
    const sigLines = note.slice(cut + 2).split("\n").filter((l) => l.length);
    const v = await parseVerifierKey(vkey);
    const key = await crypto.subtle.importKey("raw", v.key, { name: "Ed25519" }, false, ["verify"]);
    let ok = false;
    for (const line of sigLines) {
      if (!line.startsWith("\u2014 ")) throw new Error("malformed signature line");
      const [name, blob64] = line.slice(2).split(" ");
      const blob = b64bytes(blob64);
      if (name !== v.name || blob.length !== 68 || !equal(blob.slice(0, 4), v.kid)) continue;
      if (!(await crypto.subtle.verify({ name: "Ed25519" }, key, blob.slice(4), enc.encode(text)))) {
        throw new Error("checkpoint signature does not verify");
      }
      ok = true;
    }
    if (!ok) throw new Error("checkpoint is not signed by the pinned key");
    const lines = text.split("\n");
    return { origin: lines[0], size: Number(lines[1]), root: b64bytes(lines[2]) };
  }

  // C2SP cosignature/v1 verifier key "name+hexid+base64(0x04 || key)".
  async function parseWitnessKey(vkey) {
    const i = vkey.indexOf("+");
    const j = vkey.indexOf("+", i + 1);
    if (i <= 0 || j < 0) throw new Error("malformed witness key");
    const name = vkey.slice(0, i), kid = vkey.slice(i + 1, j);
    const raw = b64bytes(vkey.slice(j + 1));
    if (raw.length !== 33 || raw[0] !== 4) throw new Error("not a cosignature/v1 Ed25519 key");
    const key = raw.slice(1);
    const want = (await sha256(concat(enc.encode(name + "\n"), Uint8Array.of(4), key))).slice(0, 4);
    if (hex(want) !== kid) throw new Error("witness key ID does not match");
    return { name, kid: want, key };
  }

  // The witnesses of `vkeys` whose cosignature of `note` verifies: [{name, time}].
  async function verifyCosignatures(note, vkeys) {
    const cut = note.lastIndexOf("\n\n");
    if (cut < 0 || !note.endsWith("\n")) throw new Error("malformed signed note");
    const body = enc.encode(note.slice(0, cut + 1));
    const lines = note.slice(cut + 2).split("\n").filter((l) => l.length);
    const good = [];
    for (const vkey of new Set(vkeys)) {
      const w = await parseWitnessKey(vkey);
      const key = await crypto.subtle.importKey("raw", w.key, { name: "Ed25519" }, false, ["verify"]);
      for (const line of lines) {
        const [name, blob64] = line.slice(2).split(" ");
        const blob = b64bytes(blob64);
        if (name !== w.name || blob.length !== 76 || !equal(blob.slice(0, 4), w.kid)) continue;
        let t = 0n;
        for (const b of blob.slice(4, 12)) t = (t << 8n) | BigInt(b);
        const msg = concat(enc.encode(`cosignature/v1\ntime ${t}\n`), body);
        if (!(await crypto.subtle.verify({ name: "Ed25519" }, key, blob.slice(12), msg))) {
          throw new Error(`the cosignature by ${w.name} does not verify`);
        }
        good.push({ name: w.name, time: new Date(Number(t) * 1000).toISOString() });
        break;
      }
    }
    return good;
  }

  async function checkWitnesses(vkey, out) {
    const cp = await getJSON("/api/v1/ledger/checkpoint");
    const w = cp.witnessed;
    if (!w) {
      out.textContent = "no witness has cosigned a checkpoint of this log yet";
      out.className = "result";
      return;
    }
    const c = await openCheckpoint(w.note, vkey);
    const pinned = JSON.parse(window.localStorage.getItem("cvid-witnesses") || "[]");
    const keys = pinned.length ? pinned : w.cosignatures.map((x) => x.vkey);
    const good = await verifyCosignatures(w.note, keys);
    if (good.length === 0) throw new Error(`no valid cosignature by ${pinned.length ? "a pinned" : "any"} witness key`);
    const latest = await openCheckpoint(cp.note, vkey);
    if (c.size > 0 && c.size < latest.size) {
      const proof = await getJSON(`/api/v1/ledger/consistency?old=${c.size}&new=${latest.size}`);
      await verifyConsistency(c.size, latest.size, c.root, latest.root, proof.proof.map(hexbytes));
    } else if (c.size === latest.size && !equal(c.root, latest.root)) {
      throw new Error("the witnessed checkpoint and the latest one differ at the same size");
    }
    const whose = pinned.length ? `${good.length} of ${new Set(pinned).size} pinned witnesses`
      : `${good.length} witness${good.length === 1 ? "" : "es"} named by the server (pin their keys below)`;
    out.textContent = `✓ the tree of ${c.size} records is cosigned by ${whose}: ` +
      good.map((g) => `${g.name} at ${g.time}`).join(", ") +
      (latest.size > c.size ? `; the latest checkpoint (${latest.size}) extends it` : "");
    out.className = "result good";
  }

  // RFC 9162 §2.1.3.2: recompute the root from a leaf hash and its inclusion proof.
  async function rootFromInclusion(index, size, leaf, path) {
    if (index >= size) throw new Error("index beyond tree size");
    let fn = BigInt(index), sn = BigInt(size - 1), r = leaf;
    for (const p of path) {
      if (sn === 0n) throw new Error("proof too long");
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n; sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("proof too short");
    return r;
  }

  // RFC 9162 §2.1.4.2: check that the tree of `second` leaves (root secondRoot) extends the
  // tree of `first` leaves (root firstRoot) with the consistency proof `path`.
  async function verifyConsistency(first, second, firstRoot, secondRoot, path) {
    if (first < 1 || first > second) throw new Error("bad tree sizes");
    if (first === second) {
      if (path.length !== 0) throw new Error("proof must be empty for equal sizes");
      if (!equal(firstRoot, secondRoot)) throw new Error("same size, different roots");
      return;
    }
    if (path.length === 0) throw new Error("empty consistency proof");
    let p = path;
    if ((first & (first - 1)) === 0) p = [firstRoot, ...path];
    let fn = BigInt(first - 1), sn = BigInt(second - 1);
    while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
    let fr = p[0], sr = p[0];
    for (const c of p.slice(1)) {
      if (sn === 0n) throw new Error("consistency proof too long");
      if ((fn & 1n) === 1n || fn === sn) {
        fr = await nodeHash(c, fr);
        sr = await nodeHash(c, sr);
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
        }
      } else {
        sr = await nodeHash(sr, c);
      }
      fn >>= 1n; sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("consistency proof too short");
    if (!equal(fr, firstRoot)) throw new Error("the earlier root does not match: the log was rewritten");
    if (!equal(sr, secondRoot)) throw new Error("the new root does not match the proof");
  }

  async function getJSON(url) {
    const r = await fetch(url, { credentials: "same-origin" });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  }

  async function verifyRecord(index, vkey) {
    if (!window.isSecureContext || !crypto.subtle) {
      throw new Error("the browser's Web Crypto needs a secure context (HTTPS or localhost)");
    }
    const cp = await getJSON("/api/v1/ledger/checkpoint");
    const c = await openCheckpoint(cp.note, vkey);
    if (index >= c.size) throw new Error(`record ${index} is newer than the checkpoint (${c.size})`);
    const rec = await getJSON(`/api/v1/ledger/records/${index}`);
    const leaf = await sha256(concat(Uint8Array.of(0), b64bytes(rec.data)));
    const proof = await getJSON(`/api/v1/ledger/records/${index}/inclusion?tree_size=${c.size}`);
    if (hex(leaf) !== proof.leaf_hash) throw new Error("record bytes do not match the proof's leaf");
    const root = await rootFromInclusion(index, c.size, leaf, proof.proof.map(hexbytes));
    if (!equal(root, c.root)) throw new Error("inclusion proof does not lead to the signed root");
    return `included in the tree of ${c.size} signed by ${c.origin}`;
  }

  // Remember the last signed checkpoint this browser checked; on the next visit prove that the
  // log only grew since (a consistency proof), so a rewritten history cannot go unnoticed.
  async function checkSinceLastVisit(vkey, out) {
    const store = window.localStorage;
    const slot = "cvid-checkpoint:" + vkey;
    const cp = await getJSON("/api/v1/ledger/checkpoint");
    const c = await openCheckpoint(cp.note, vkey);
    const before = JSON.parse(store.getItem(slot) || "null");
    let message;
    if (before === null) {
      message = `✓ signed checkpoint of ${c.size} records checked and remembered in this browser`;
    } else if (before.size > c.size) {
      throw new Error(`the log shrank from ${before.size} to ${c.size} records since ${before.seen}`);
    } else {
      if (before.size > 0) {
        const proof = before.size === c.size
          ? { proof: [] }
          : await getJSON(`/api/v1/ledger/consistency?old=${before.size}&new=${c.size}`);
        await verifyConsistency(before.size, c.size, hexbytes(before.root), c.root,
                                proof.proof.map(hexbytes));
      }
      message = `✓ the log only grew since you last checked it (${before.size} → ${c.size} records, ${before.seen})`;
    }
    store.setItem(slot, JSON.stringify({ size: c.size, root: hex(c.root), seen: new Date().toISOString() }));
    out.textContent = message;
    out.className = "result good";
  }

  window.cvidVerify = {
    verifyRecord, openCheckpoint, rootFromInclusion, verifyConsistency, checkSinceLastVisit,
    verifyCosignatures,
  };
  const table = document.getElementById("records");
  if (!table) return;
  const vkey = table.dataset.verifierKey;
  const since = document.getElementById("since-last-visit");
  if (since && window.isSecureContext && crypto.subtle) {
    checkSinceLastVisit(vkey, since).catch((e) => {
      since.textContent = "✗ " + e.message;
      since.className = "result bad";
    });
  }
  const witnesses = document.getElementById("witnesses");
  const run = () => {
    if (!witnesses || !window.isSecureContext || !crypto.subtle) return;
    checkWitnesses(vkey, witnesses).catch((e) => {
      witnesses.textContent = "✗ " + e.message;
      witnesses.className = "result bad";
    });
  };
  run();
  const keysBox = document.getElementById("witness-keys");
  const pinButton = document.getElementById("pin-witnesses");
  if (keysBox && pinButton) {
    keysBox.value = JSON.parse(window.localStorage.getItem("cvid-witnesses") || "[]").join("\n");
    pinButton.addEventListener("click", () => {
      const keys = keysBox.value.split(/\s+/).filter((k) => k.length);
      window.localStorage.setItem("cvid-witnesses", JSON.stringify(keys));
      witnesses.textContent = "checking…";
      run();
    });
  }
  table.addEventListener("click", async (ev) => {
    const btn = ev.target.closest("button.verify");
    if (!btn) return;
    const index = Number(btn.dataset.index);
    const out = document.getElementById(`result-${index}`);
    out.className = "result";
    out.textContent = "checking…";
    try {
      out.textContent = "✓ " + (await verifyRecord(index, vkey));
      out.classList.add("good");
    } catch (e) {
      out.textContent = "✗ " + e.message;
      out.classList.add("bad");
    }
  });
})();
