// Reload the page after a short wait (used while a report is being rendered).
"use strict";
setTimeout(() => window.location.reload(), 1000);
