// Sign a ledger record in this browser and append it.
//
// The party's private key is read from its key file (the JSON that `cvid ledger keygen`
// writes: {"party", "role", "algorithm": "ed25519", "private_key": base64 of the 32-byte
// seed}) or generated here; it is imported into Web Crypto as a non-extractable Ed25519 key
// and never sent anywhere. The record form is built from the kind's JSON Schema
// (/api/v1/ledger/kinds/KIND/schema) and the record is checked against that schema before it
// is signed. The signature is Ed25519 over "cvid-ledger record v1\n" followed by the RFC 8785
// canonical JSON of the record with its signer (as cvid.ledger.sign_record); only the signed
// record goes to the server.
"use strict";
(function () {
  const root = document.getElementById("signer");
  if (!root) return;
  const CONTEXT = "cvid-ledger record v1\n";
  // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410 §7): a fixed 16-byte prefix.
  const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03,
    0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  const me = { name: root.dataset.party, role: root.dataset.role, publicKey: root.dataset.publicKey || null };
  const csrf = root.dataset.csrf;
  const agreements = JSON.parse(root.dataset.agreements || "[]");
  let key = null; // { privateKey: CryptoKey (not extractable), publicB64, party, role }
  let schema = null;
  let widget = null;

  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ bytes
  function b64(bytes) {
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }
  function unb64(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
      throw new Error("not valid base64");
    }
    const bin = atob(text);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  const b64url2b64 = (s) => s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);

  // ------------------------------------------------------------------ keys
  async function importSeed(seed) {
    if (seed.length !== 32) throw new Error(`an Ed25519 private key is 32 bytes, this one is ${seed.length}`);
    const der = new Uint8Array(48);
    der.set(PKCS8_PREFIX, 0);
    der.set(seed, 16);
    try {
      // extractable once, to read the public half; then imported again, not extractable
      const tmp = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
      const jwk = await crypto.subtle.exportKey("jwk", tmp);
      const privateKey = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
      return { privateKey, publicB64: b64url2b64(jwk.x) };
    } finally {
      der.fill(0);
    }
  }

  function showKey(message, good) {
    const out = $("key-status");
    out.textContent = message;
    out.className = good ? "result good" : "result bad";
  }

  async function useKeyFile(text) {
    let data;
    try { data = JSON.parse(text); } catch (e) { throw new Error("the key file is not JSON"); }
    if (!data || typeof data !== "object") throw new Error("a key file holds a JSON object");
    if (data.algorithm !== "ed25519") throw new Error("the key file's algorithm must be \"ed25519\"");
    if (typeof data.private_key !== "string") {
      throw new Error(data.public_key ? "this is a public key file (.pub); load the private .key file" : "the key file has no private_key");
    }
    if (data.party !== me.name) throw new Error(`this key is party ${JSON.stringify(data.party)}'s; you are signed in as ${me.name}`);
    if (data.role !== me.role) throw new Error(`this key is for the role ${data.role}; your role is ${me.role}`);
    const seed = unb64(data.private_key);
    data.private_key = "";
    try {
      const k = await importSeed(seed);
      key = { ...k, party: data.party, role: data.role };
    } finally {
      seed.fill(0);
    }
    await refreshMe();
    if (me.publicKey && me.publicKey !== key.publicB64) {
      showKey(`✗ this key (${key.publicB64}) is not the one registered for ${me.name}`, false);
      key = null;
      return;
    }
    showKey(me.publicKey
      ? `✓ key of ${key.party} loaded in this browser; it matches your registered public key`
      : `✓ key loaded; ${me.name} has no registered key yet: ask an administrator to register ${key.publicB64}`, true);
  }

  function download(link, name, text) {
    link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    link.download = name;
    link.hidden = false;
  }

  async function generate() {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
    const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
    const seed = der.slice(16);
    der.fill(0);
    const pub = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    const file = { party: me.name, role: me.role, algorithm: "ed25519", private_key: b64(seed) };
    download($("download-key"), `${me.name}.key`, JSON.stringify(file, null, 2) + "\n");
    file.private_key = "";
    const k = await importSeed(seed);
    seed.fill(0);
    key = { ...k, party: me.name, role: me.role };
    const pubFile = { party: me.name, role: me.role, algorithm: "ed25519", public_key: b64(pub) };
    download($("download-pub"), `${me.name}.pub`, JSON.stringify(pubFile, null, 2) + "\n");
    $("new-public-key").textContent = b64(pub);
    $("generated").hidden = false;
    showKey(`✓ new key generated in this browser; save ${me.name}.key now (it exists nowhere else) and have an administrator register the public key`, true);
  }

  async function refreshMe() {
    const r = await fetch("/api/v1/me", { credentials: "same-origin" });
    if (r.ok) me.publicKey = (await r.json()).public_key;
  }

  // ------------------------------------------------------------------ schema
  function resolve(s) {
    let out = s;
    let nullable = false;
    if (out.$ref) out = schema.$defs[out.$ref.split("/").pop()];
    if (out.anyOf) {
      const other = out.anyOf.filter((x) => x.type !== "null");
      nullable = other.length < out.anyOf.length;
      out = { ...other[0], title: s.title, description: s.description };
      if (out.$ref) out = { ...schema.$defs[out.$ref.split("/").pop()], title: s.title };
    }
    return { s: out, nullable };
  }

  const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
  const codePoints = (t) => Array.from(t).length;

  // Check a value against a (resolved) JSON Schema; each problem is [path, reason].
  function check(s0, value, path, problems) {
    const { s, nullable } = resolve(s0);
    if (value === null && nullable) return;
    if ("const" in s && value !== s.const) problems.push([path, `must be ${JSON.stringify(s.const)}`]);
    if (s.enum && !s.enum.includes(value)) problems.push([path, `must be one of ${s.enum.join(", ")}`]);
    switch (s.type) {
      case "object": {
        if (value === null || typeof value !== "object" || Array.isArray(value)) { problems.push([path, "must be an object"]); return; }
        for (const name of s.required || []) if (!(name in value)) problems.push([`${path}.${name}`, "is required"]);
        for (const [name, v] of Object.entries(value)) {
          const sub = (s.properties || {})[name];
          if (!sub) { if (s.additionalProperties === false) problems.push([`${path}.${name}`, "is not a field of this record"]); continue; }
          check(sub, v, `${path}.${name}`, problems);
        }
        return;
      }
      case "array":
        if (!Array.isArray(value)) { problems.push([path, "must be a list"]); return; }
        value.forEach((v, i) => check(s.items, v, `${path}.${i}`, problems));
        return;
      case "string":
        if (typeof value !== "string") { problems.push([path, "must be text"]); return; }
        if (s.minLength !== undefined && codePoints(value) < s.minLength) problems.push([path, s.minLength === 1 ? "is required" : `needs at least ${s.minLength} characters`]);
        if (s.maxLength !== undefined && codePoints(value) > s.maxLength) problems.push([path, `is longer than ${s.maxLength} characters`]);
        if (s.pattern && !new RegExp(s.pattern, "u").test(value)) {
          problems.push([path, s.pattern.includes("A-Za-z0-9._:/-") ? "must be an identifier: a letter or digit, then letters, digits . _ : / - (up to 128)" : `must match ${s.pattern}`]);
        }
        if (s.format === "date") {
          const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) &&
            new Date(Date.parse(value)).toISOString().slice(0, 10) === value;
          if (!ok) problems.push([path, "must be a date like 2019-03-01"]);
        }
        if (s.format === "date-time") {
          const ok = DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) &&
            new Date(Date.parse(value)).toISOString().slice(0, 19) === value.slice(0, 19);
          if (!ok) problems.push([path, "must be a UTC time like 2019-03-01T10:00:00Z"]);
        }
        return;
      case "number":
      case "integer":
        if (typeof value !== "number" || !Number.isFinite(value)) { problems.push([path, "must be a number"]); return; }
        if (s.type === "integer" && !Number.isInteger(value)) problems.push([path, "must be a whole number"]);
        if (Number.isInteger(value) && !Number.isSafeInteger(value) && !/e/.test(JSON.stringify(value))) {
          problems.push([path, "is too large to be exact; write it with an exponent (e.g. 1e21) or smaller"]);
        }
        if (s.minimum !== undefined && value < s.minimum) problems.push([path, `must be at least ${s.minimum}`]);
        if (s.maximum !== undefined && value > s.maximum) problems.push([path, `must be at most ${s.maximum}`]);
        if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) problems.push([path, `must be more than ${s.exclusiveMinimum}`]);
        return;
      case "boolean":
        if (typeof value !== "boolean") problems.push([path, "must be true or false"]);
        return;
      default:
    }
  }

  // ------------------------------------------------------------------ form
  const idOf = (path) => "f-" + path.replace(/[^A-Za-z0-9]+/g, "-");
  const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

  function labelText(name, s, required) {
    const base = (s.title || name).toLowerCase();
    return required ? `${base} (required)` : base;
  }

  function field(path, name, s, required, control, hint) {
    const wrap = document.createElement("div");
    wrap.className = "field";
    wrap.dataset.path = path;
    const id = idOf(path);
    control.id = id;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = labelText(name, s, required);
    const problem = document.createElement("span");
    problem.className = "problem";
    problem.id = id + "-problem";
    const help = document.createElement("span");
    help.className = "hint";
    help.id = id + "-hint";
    help.textContent = hint || "";
    control.setAttribute("aria-describedby", `${help.id} ${problem.id}`);
    if (required && control.type !== "checkbox") control.required = true;
    wrap.append(label, control, help, problem);
    return wrap;
  }

  function build(s0, path, name, required) {
    const { s, nullable } = resolve(s0);
    if ("const" in s) return { el: null, read: () => s.const };
    if (s.type === "object") {
      const fs = document.createElement("fieldset");
      fs.dataset.path = path;
      const legend = document.createElement("legend");
      legend.textContent = (s.title && name !== s.title.toLowerCase() ? name : s.title || name).replace(/Payload$/, " payload");
      fs.append(legend);
      if (s.description) {
        const d = document.createElement("p");
        d.className = "hint";
        d.textContent = s.description.replace(/``/g, "");
        fs.append(d);
      }
      // an optional object (e.g. a record's basis) is left out unless asked for
      const optional = !required || nullable;
      let body = fs;
      let include = null;
      if (optional) {
        include = document.createElement("input");
        include.type = "checkbox";
        include.id = idOf(path) + "-include";
        const label = document.createElement("label");
        label.className = "check";
        label.htmlFor = include.id;
        label.textContent = `include ${name}`;
        body = document.createElement("div");
        body.hidden = true;
        include.addEventListener("change", () => { body.hidden = !include.checked; });
        const row = document.createElement("div");
        row.className = "include";
        row.append(include, label);
        fs.append(row, body);
      }
      const kids = [];
      for (const [k, sub] of Object.entries(s.properties || {})) {
        const w = build(sub, path ? `${path}.${k}` : k, k, (s.required || []).includes(k));
        if (w.el) body.append(w.el);
        kids.push([k, w]);
      }
      return {
        el: fs,
        read: () => {
          if (include && !include.checked) return undefined;
          const out = {};
          for (const [k, w] of kids) {
            const v = w.read();
            if (v !== undefined) out[k] = v;
          }
          return out;
        },
      };
    }
    if (s.type === "array") {
      const item = resolve(s.items).s;
      if (item.type === "object") return buildList(s, path, name, required);
      const ta = document.createElement("textarea");
      ta.rows = 2;
      const el = field(path, name, s, false, ta, "one per line");
      return {
        el,
        read: () => {
          const lines = ta.value.split("\n").map((l) => l.trim()).filter((l) => l);
          return lines.length || required ? lines : undefined;
        },
      };
    }
    let control;
    let hint = "";
    if (s.enum) {
      control = document.createElement("select");
      control.append(new Option(required && !nullable ? "— choose —" : "—", ""));
      for (const v of s.enum) control.append(new Option(v, v));
    } else if (s.type === "boolean") {
      control = document.createElement("input");
      control.type = "checkbox";
    } else if (s.type === "string" && (s.maxLength || 0) > 200) {
      control = document.createElement("textarea");
      control.rows = 3;
    } else {
      control = document.createElement("input");
      control.type = "text";
      if (s.type === "number" || s.type === "integer") {
        control.inputMode = "decimal";
        hint = s.minimum !== undefined ? `a number, at least ${s.minimum}` : "a number";
      }
      if (s.format === "date") {
        control.placeholder = "2019-03-01";
        hint = "a date, like 2019-03-01";
      }
      if (s.format === "date-time") {
        control.placeholder = "2019-03-01T10:00:00Z";
        hint = "UTC, like 2019-03-01T10:00:00Z";
        if (path === "time") control.value = new Date().toISOString().slice(0, 19) + "Z";
      }
      if (path === "agreement" && agreements.length) {
        control.setAttribute("list", "agreements");
        control.value = agreements[0];
        hint = "the agreement's id (from its scenario)";
      }
    }
    const el = field(path, name, s, required, control, hint);
    return {
      el,
      read: () => {
        if (control.type === "checkbox") return control.checked;
        const raw = control.value;
        if (raw === "") return required ? "" : undefined;
        if (s.type === "number" || s.type === "integer") {
          const t = raw.trim();
          return NUMBER.test(t) ? Number(t) : t;
        }
        return raw;
      },
    };
  }

  function buildList(s, path, name, required) {
    const fs = document.createElement("fieldset");
    fs.dataset.path = path;
    const legend = document.createElement("legend");
    legend.textContent = labelText(name, s, required);
    const items = document.createElement("div");
    const add = document.createElement("button");
    add.type = "button";
    add.textContent = `Add ${name.replace(/s$/, "")}`;
    add.id = idOf(path) + "-add";
    fs.append(legend, items, add);
    const rows = [];
    function addRow() {
      const box = document.createElement("div");
      box.className = "list-item";
      const w = build(s.items, `${path}.${rows.length}`, `${name.replace(/s$/, "")} ${rows.length + 1}`, true);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      const row = { w, box };
      remove.addEventListener("click", () => { rows.splice(rows.indexOf(row), 1); box.remove(); });
      box.append(w.el, remove);
      items.append(box);
      rows.push(row);
    }
    add.addEventListener("click", addRow);
    if (required) addRow();
    return {
      el: fs,
      read: () => {
        const out = rows.map((r) => r.w.read());
        return out.length || required ? out : undefined;
      },
    };
  }

  async function chooseKind(kind) {
    const r = await fetch(`/api/v1/ledger/kinds/${encodeURIComponent(kind)}/schema`, { credentials: "same-origin" });
    if (!r.ok) throw new Error(`schema of ${kind}: HTTP ${r.status}`);
    schema = await r.json();
    const box = $("fields");
    box.textContent = "";
    widget = build(schema, "", kind, true);
    // the record's own fieldset: show its members directly
    for (const child of Array.from(widget.el.children)) {
      if (child.tagName !== "LEGEND") box.append(child);
    }
    $("problems").hidden = true;
    $("outcome").textContent = "";
  }

  function showProblems(problems) {
    for (const el of document.querySelectorAll("#fields .problem")) el.textContent = "";
    for (const el of document.querySelectorAll("#fields [aria-invalid]")) el.removeAttribute("aria-invalid");
    const list = $("problems");
    list.textContent = "";
    for (const [path, reason] of problems) {
      const p = path.replace(/^\./, "");
      const li = document.createElement("li");
      li.textContent = `${p}: ${reason}`;
      list.append(li);
      const control = $(idOf(p));
      if (control) {
        control.setAttribute("aria-invalid", "true");
        $(idOf(p) + "-problem").textContent = reason;
      }
    }
    list.hidden = problems.length === 0;
    if (problems.length) list.focus();
  }

  function readRecord() {
    const rec = widget.read();
    if (Array.isArray(rec.attachments) && rec.attachments.length === 0) delete rec.attachments;
    const problems = [];
    check(schema, rec, "", problems);
    return { rec, problems };
  }

  async function signRecord(rec) {
    if (!key) throw new Error("load your key file (or generate a key) first");
    if (key.party !== me.name) throw new Error(`the key loaded is ${key.party}'s, not yours`);
    await refreshMe();
    if (!me.publicKey) throw new Error(`${me.name} has no registered public key yet; ask an administrator to register ${key.publicB64}`);
    if (me.publicKey !== key.publicB64) throw new Error("the key loaded is not your registered key");
    const body = { ...rec, signer: { name: me.name, role: me.role, public_key: key.publicB64 } };
    const enc = new TextEncoder();
    const msg = new Uint8Array([...enc.encode(CONTEXT), ...window.cvidJCS.canonicalBytes(body)]);
    const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, msg));
    return { ...body, signature: b64(sig) };
  }

  function say(text, good) {
    const out = $("outcome");
    out.textContent = text;
    out.className = good ? "result good" : "result bad";
  }

  async function submit(append) {
    const { rec, problems } = readRecord();
    showProblems(problems);
    if (problems.length) { say(`✗ ${problems.length} problem(s) in the form; nothing was signed`, false); return; }
    let signed;
    try { signed = await signRecord(rec); } catch (e) { say("✗ " + e.message, false); return; }
    $("signed-json").textContent = JSON.stringify(signed, null, 2);
    $("signed").hidden = false;
    if (!append) {
      download($("download-signed"), `${rec.kind}-signed.json`, JSON.stringify(signed) + "\n");
      say("✓ signed in this browser (not appended); download it below", true);
      return;
    }
    const r = await fetch("/ledger/sign/append", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ records: [signed] }),
    });
    const answer = await r.json().catch(() => ({ detail: `HTTP ${r.status}` }));
    if (!r.ok) { say(`✗ the ledger refused it (HTTP ${r.status}): ${answer.detail}`, false); return; }
    const i = answer.indices[0];
    const out = $("outcome");
    out.className = "result good";
    out.textContent = `✓ appended as record #${i} (the ledger now holds ${answer.tree_size} records) `;
    const a = document.createElement("a");
    a.href = `/ledger/records/${i}`;
    a.id = "appended-link";
    a.textContent = `see record ${i}`;
    out.append(a);
  }

  // ------------------------------------------------------------------ wiring
  if (!window.isSecureContext || !crypto.subtle) {
    showKey("✗ this browser cannot sign here: Web Crypto needs HTTPS or localhost", false);
    return;
  }
  $("key-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    try {
      await useKeyFile(await file.text());
    } catch (e) {
      key = null;
      showKey("✗ " + e.message, false);
    } finally {
      ev.target.value = "";
    }
  });
  $("generate").addEventListener("click", () => generate().catch((e) => showKey("✗ " + e.message, false)));
  const kindSelect = $("kind");
  kindSelect.addEventListener("change", () => chooseKind(kindSelect.value).catch((e) => say("✗ " + e.message, false)));
  $("record-form").addEventListener("submit", (ev) => { ev.preventDefault(); submit(true).catch((e) => say("✗ " + e.message, false)); });
  $("sign-only").addEventListener("click", () => submit(false).catch((e) => say("✗ " + e.message, false)));
  window.cvidSign = { check, readRecord, signRecord, useKeyFile, get key() { return key; } };
  chooseKind(kindSelect.value).then(() => { root.dataset.ready = "1"; }).catch((e) => say("✗ " + e.message, false));
})();
