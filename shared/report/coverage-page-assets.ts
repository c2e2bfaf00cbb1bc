/**
 * The coverage page's inline style and script, kept apart from the markup so the page's
 * Content-Security-Policy can allow exactly these two by hash. Plain browser JavaScript:
 * the page must work offline, from a file, with nothing else loaded.
 */

/** Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), each state also marked by a glyph. */
export const COVERAGE_PAGE_STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
body { margin: 1rem 1.5rem; color: #111; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
header p { margin: 0 0 .5rem; color: #333; }
.legend { display: flex; flex-wrap: wrap; gap: 1.25rem; list-style: none; padding: 0; margin: .5rem 0; }
.legend .cell { display: inline-block; }
.scroll { overflow-x: auto; }
table.heatmap { border-collapse: separate; border-spacing: 2px; }
table.heatmap thead th { font-weight: normal; font-size: 10px; color: #444; vertical-align: bottom; }
table.heatmap thead th span { writing-mode: vertical-rl; transform: rotate(180deg); }
th.name { position: sticky; left: 0; z-index: 1; background: #fff; text-align: left; white-space: nowrap; padding-right: .75rem; font-size: 13px; min-width: 15rem; }
th.name small { display: block; color: #555; font-weight: normal; font-size: 11px; }
.cell { width: 16px; min-width: 16px; height: 18px; padding: 0; text-align: center; font-size: 12px; line-height: 18px; color: #000; border-radius: 2px; cursor: pointer; }
.s-complete { background: #009e73; }
.s-partial { background: #f0e442; }
.s-in-progress { background: #56b4e9; }
.s-failed { background: #d55e00; }
.s-missing { background: #fff; box-shadow: inset 0 0 0 1px #777; }
.s-none { background: #f2f2f2; cursor: default; }
.cell:focus { outline: 3px solid #000; outline-offset: 1px; }
.cell[aria-selected="true"] { box-shadow: 0 0 0 3px #0072b2; }
#details table { border-collapse: collapse; font-size: 13px; }
#details th, #details td { text-align: left; padding: .2rem .6rem; border-bottom: 1px solid #ddd; white-space: nowrap; }
#details td.num { text-align: right; font-variant-numeric: tabular-nums; }
#details td.error { color: #7a2400; white-space: pre-wrap; max-width: 40rem; }
button.rerun { font: inherit; font-size: 12px; padding: .1rem .5rem; }
.rerun-result[data-result="accepted"] { color: #005a3c; }
.rerun-result[data-result="refused"] { color: #7a2400; }
`;

export const COVERAGE_PAGE_SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("coverage-data").textContent);
  var STATES = { E: ["exported", "\\u2713"], P: ["in progress", "\\u2026"], F: ["failed", "\\u2717"], M: ["missing", "\\u00b7"] };
  var details = document.getElementById("details");
  var selected = null;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(minutes) { return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60); }
  function bytes(n) {
    if (n < 1024) return n + " B";
    if (n < 1048576) return (n / 1024).toFixed(1) + " KiB";
    if (n < 1073741824) return (n / 1048576).toFixed(1) + " MiB";
    return (n / 1073741824).toFixed(2) + " GiB";
  }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function show(td) {
    var cell = data.cells[Number(td.getAttribute("data-cell"))];
    if (!cell) return;
    if (selected) selected.removeAttribute("aria-selected");
    selected = td;
    td.setAttribute("aria-selected", "true");
    var table = el("table");
    var head = el("tr");
    var rerun = data.rerun && td.closest("section[data-rerun]") ? data.rerun : null;
    var dayMs = Date.parse(td.getAttribute("data-day") + "T00:00:00Z");
    var columns = ["window (UTC)", "state", "rows", "bytes", "run", "last error"];
    if (rerun) columns.push("action");
    columns.forEach(function (h) { var th = el("th", h); th.scope = "col"; head.appendChild(th); });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    for (var i = 0; i < cell.s.length; i++) {
      var start = cell.f + i * cell.m;
      var state = STATES[cell.s.charAt(i)];
      var tr = el("tr");
      tr.setAttribute("data-state", state[0]);
      tr.appendChild(el("td", clock(start) + "\\u2013" + clock(start + cell.m)));
      tr.appendChild(el("td", state[1] + " " + state[0]));
      tr.appendChild(el("td", cell.s.charAt(i) === "E" ? cell.r[i].toLocaleString("en-US") : "", "num"));
      tr.appendChild(el("td", cell.s.charAt(i) === "E" ? bytes(cell.b[i]) : "", "num"));
      tr.appendChild(el("td", cell.u[i] >= 0 ? data.strings[cell.u[i]] : ""));
      tr.appendChild(el("td", cell.e && cell.e[i] >= 0 ? data.strings[cell.e[i]] : "", "error"));
      if (rerun) {
        var exported = cell.s.charAt(i) === "E";
        tr.appendChild(el("td")).appendChild(rerunButton("re-run", td, dayMs + start * 60000, dayMs + (start + cell.m) * 60000, exported,
          exported ? "export this window again as its next generation (force)" : "export this window"));
      }
      body.appendChild(tr);
    }
    var title = el("h2", td.getAttribute("data-table") + " \\u00b7 " + td.getAttribute("data-day") + " \\u00b7 " + td.getAttribute("data-state").replace("-", " "));
    var parts = [title, el("p", td.getAttribute("title"))];
    if (rerun) {
      // A complete day is exported again (force); otherwise the windows without a manifest are filled in and the others left alone.
      var complete = cell.s.replace(/E/g, "") === "";
      var day = rerunButton("re-run day", td, dayMs + cell.f * 60000, dayMs + (cell.f + cell.s.length * cell.m) * 60000, complete,
        complete ? "export every window of the day again (force)" : "export the day's windows that have no manifest");
      var bar = el("p");
      bar.appendChild(day);
      parts.push(bar, el("p", "", "rerun-result"));
      parts[parts.length - 1].setAttribute("role", "status");
    }
    parts.push(table);
    details.replaceChildren.apply(details, parts);
  }
  function rerunButton(label, td, startMs, endMs, force, hint) {
    var button = el("button", label, "rerun");
    button.type = "button";
    button.title = hint;
    button.setAttribute("data-table", td.getAttribute("data-table"));
    button.setAttribute("data-start", new Date(startMs).toISOString());
    button.setAttribute("data-end", new Date(endMs).toISOString());
    button.setAttribute("data-force", force ? "true" : "false");
    return button;
  }
  function say(text, state) {
    var out = details.querySelector(".rerun-result");
    out.textContent = text;
    out.setAttribute("data-result", state);
  }
  function problemText(status, body) {
    var params = (body && body["invalid-params"]) || [];
    var reasons = params.map(function (p) { return p.name + ": " + p.reason; }).join("; ");
    return "Refused (" + status + (body && body.title ? " " + body.title : "") + ")" + (body && body.detail ? ": " + body.detail : "") + (reasons ? " [" + reasons + "]" : "");
  }
  function rerunWindows(button) {
    var request = { tables: [button.getAttribute("data-table")], start: button.getAttribute("data-start"), end: button.getAttribute("data-end"), force: button.getAttribute("data-force") === "true" };
    var until = request.end.slice(0, 10) === request.start.slice(0, 10) ? request.end.slice(11, 16) : "24:00";
    var what = request.tables[0] + " " + request.start.slice(0, 16).replace("T", " ") + "\\u2013" + until + (request.force ? " (force)" : "");
    Array.prototype.forEach.call(details.querySelectorAll("button.rerun"), function (b) { b.disabled = true; });
    say("Re-running " + what + "\\u2026", "pending");
    fetch(data.rerun, { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(request) })
      .then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          try { body = JSON.parse(text); } catch (e) { body = null; }
          if (response.status === 202 && body) say("Accepted: run " + body.runId + " re-runs " + what + ", " + body.windows + " window(s); follow " + body.statusUrl, "accepted");
          else say(body ? problemText(response.status, body) : "Failed: HTTP " + response.status, "refused");
        });
      }, function (error) { say("Failed: " + error.message, "refused"); })
      .then(function () { Array.prototype.forEach.call(details.querySelectorAll("button.rerun"), function (b) { b.disabled = false; }); });
  }
  details.addEventListener("click", function (event) {
    var button = event.target.closest("button.rerun");
    if (button) rerunWindows(button);
  });
  function gridCells(grid) {
    return Array.prototype.map.call(grid.tBodies[0].rows, function (row) { return Array.prototype.slice.call(row.querySelectorAll("td.cell")); });
  }
  function move(from, to) {
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.heatmap"), function (grid) {
    var cells = gridCells(grid);
    if (cells.length === 0 || cells[0].length === 0) return;
    cells[0][0].tabIndex = 0;
    grid.addEventListener("click", function (event) {
      var td = event.target.closest("td.cell");
      if (!td || !td.hasAttribute("data-cell")) return;
      Array.prototype.forEach.call(grid.querySelectorAll("td[tabindex='0']"), function (c) { c.tabIndex = -1; });
      td.tabIndex = 0;
      td.focus();
      show(td);
    });
    grid.addEventListener("keydown", function (event) {
      var td = event.target.closest("td.cell");
      if (!td) return;
      var r = td.parentElement.sectionRowIndex;
      var c = td.cellIndex - 1;
      var row = cells[r];
      var next = null;
      switch (event.key) {
        case "ArrowRight": next = row[c + 1]; break;
        case "ArrowLeft": next = row[c - 1]; break;
        case "ArrowDown": next = cells[r + 1] && cells[r + 1][c]; break;
        case "ArrowUp": next = cells[r - 1] && cells[r - 1][c]; break;
        case "Home": next = row[0]; break;
        case "End": next = row[row.length - 1]; break;
        case "Enter": case " ": show(td); event.preventDefault(); return;
        default: return;
      }
      event.preventDefault();
      if (next) move(td, next);
    });
  });
})();
`;
