// Poll a running simulation job and reload the page when it has finished.
"use strict";
(function () {
  const status = document.getElementById("status");
  if (!status) return;
  const job = status.dataset.job;
  async function poll() {
    const r = await fetch(`/api/v1/simulations/${job}`, { credentials: "same-origin" });
    if (!r.ok) { status.textContent = `error ${r.status}`; return; }
    const j = await r.json();
    status.textContent = j.status;
    document.getElementById("progress").value = j.progress;
    document.getElementById("pct").textContent = `${Math.round(j.progress * 100)}%`;
    if (j.status === "done" || j.status === "failed") { window.location.reload(); return; }
    setTimeout(poll, 500);
  }
  if (status.textContent === "queued" || status.textContent === "running") setTimeout(poll, 300);
})();
