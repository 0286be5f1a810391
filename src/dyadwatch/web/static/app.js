// dyadwatch workbench: the little script the pages need; no library, nothing fetched.
"use strict";

// A table row with data-href opens that address when clicked anywhere but on a link.
document.addEventListener("click", function (event) {
  if (event.target.closest("a, button, input, select")) { return; }
  var row = event.target.closest("tr[data-href]");
  if (row) { window.location.assign(row.getAttribute("data-href")); }
});

// The reader: bring the highlighted evidence into the middle of the window.
function showEvidence() {
  var evidence = document.getElementById("evidence");
  if (evidence && window.location.hash === "#evidence") {
    evidence.scrollIntoView({ block: "center" });
  }
}

// A trigger in the text links to its event row: mark the row so the eye finds it.
function flashRow() {
  document.querySelectorAll("tr.flash").forEach(function (row) { row.classList.remove("flash"); });
  if (window.location.hash.indexOf("#ev-") === 0) {
    var row = document.getElementById(window.location.hash.slice(1));
    if (row) { row.classList.add("flash"); }
  }
}

window.addEventListener("hashchange", flashRow);
document.addEventListener("DOMContentLoaded", function () { showEvidence(); flashRow(); });
