// Show the assessment's HTML report in the page once the server has rendered it.
"use strict";
(function () {
  const frame = document.getElementById("report-frame");
  if (!frame) return;
  const status = document.getElementById("report-status");
  async function poll() {
    const r = await fetch(frame.dataset.api, { credentials: "same-origin" });
    if (!r.ok) { status.textContent = `The report is not available (HTTP ${r.status}).`; return; }
    if (!(await r.json()).report_ready) { setTimeout(poll, 1000); return; }
    frame.src = frame.dataset.src;
    frame.hidden = false;
    status.hidden = true;
  }
  poll();
})();
