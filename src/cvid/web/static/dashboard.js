// The dashboard: verify the latest signed checkpoint in this browser and refresh the live
// part of the page when the ledger, the assessments or the simulations change. The page asks
// /dashboard/version (a few bytes) every few seconds and fetches the new HTML only on change.
"use strict";
(function () {
  const live = document.getElementById("live");
  const panel = document.getElementById("checkpoint-panel");
  const status = document.getElementById("live-status");
  if (!live || !panel) return;
  const vkey = panel.dataset.verifierKey;
  const POLL_MS = 2000;
  let problem = null;

  function showProblem() {
    const li = document.getElementById("browser-alert");
    if (!li) return;
    if (problem === null) { li.hidden = true; return; }
    li.hidden = false;
    li.textContent = "";
    const sev = document.createElement("span");
    sev.className = "sev";
    sev.textContent = "fail";
    li.append(sev, " " + problem);
    const none = document.getElementById("no-alerts");
    if (none) none.hidden = true;
    const count = document.getElementById("alert-count");
    if (count && !count.dataset.bumped) {
      count.textContent = String(Number(count.textContent) + 1);
      count.dataset.bumped = "1";
    }
  }

  async function checkCheckpoint() {
    const out = document.getElementById("checkpoint-status");
    const since = document.getElementById("since-last-visit");
    if (!window.isSecureContext || !crypto.subtle) {
      out.textContent = "✗ this browser cannot check signatures here (Web Crypto needs HTTPS or localhost)";
      out.className = "result bad";
      return;
    }
    try {
      const r = await fetch("/api/v1/ledger/checkpoint", { credentials: "same-origin" });
      if (!r.ok) throw new Error(`checkpoint: HTTP ${r.status}`);
      const cp = await r.json();
      const c = await window.cvidVerify.openCheckpoint(cp.note, vkey);
      const sigs = cp.note.slice(cp.note.lastIndexOf("\n\n") + 2).split("\n").filter((l) => l).length;
      const others = sigs - 1;
      const hexRoot = Array.from(c.root.slice(0, 8), (x) => x.toString(16).padStart(2, "0")).join("");
      out.textContent = `✓ checkpoint of ${c.size} records (root ${hexRoot}…) signed by ${c.origin}` +
        (others > 0 ? `, with ${others} further signature(s)` : "");
      out.className = "result good";
      out.dataset.size = String(c.size);
      problem = null;
    } catch (e) {
      out.textContent = "✗ " + e.message;
      out.className = "result bad";
      problem = "the latest checkpoint does not verify in this browser: " + e.message;
    }
    try {
      await window.cvidVerify.checkSinceLastVisit(vkey, since);
    } catch (e) {
      since.textContent = "✗ " + e.message;
      since.className = "result bad";
      problem = "the log's history changed since your last visit: " + e.message;
    }
    showProblem();
  }

  async function refresh() {
    try {
      const r = await fetch("/dashboard/version", { credentials: "same-origin" });
      if (r.status === 401) { status.textContent = "Your session ended; log in again to see updates."; return; }
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const v = await r.json();
      if (v.version !== live.dataset.version) {
        const page = await fetch("/dashboard/live", { credentials: "same-origin" });
        if (!page.ok) throw new Error(`HTTP ${page.status}`);
        live.innerHTML = await page.text();
        live.dataset.version = v.version;
        const t = new Date().toISOString().slice(11, 19);
        status.textContent = `Updated at ${t} UTC: the ledger holds ${v.tree_size} records.`;
        await checkCheckpoint();
      }
    } catch (e) {
      status.textContent = "Could not refresh (" + e.message + "); trying again.";
    }
    setTimeout(refresh, POLL_MS);
  }

  checkCheckpoint();
  setTimeout(refresh, POLL_MS);
})();
