// Minimal query page: run the query through the SPARQL protocol, render a table.
const form = document.getElementById("form");
const queryBox = document.getElementById("query");
const table = document.getElementById("results");
const statusEl = document.getElementById("status");
const errorEl = document.getElementById("error");

document.querySelectorAll("a.example").forEach((a) => {
  a.addEventListener("click", (ev) => {
    ev.preventDefault();
    queryBox.value = document.getElementById("q-" + a.dataset.name).textContent.trim();
    form.requestSubmit();
  });
});

function cell(term) {
  if (!term) return "";
  return term.value;
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  errorEl.textContent = "";
  table.innerHTML = "";
  statusEl.textContent = "running…";
  const started = performance.now();
  const resp = await fetch("/sparql", {
    method: "POST",
    headers: {"Content-Type": "application/x-www-form-urlencoded",
              "Accept": "application/sparql-results+json, text/turtle;q=0.5"},
    body: new URLSearchParams({query: queryBox.value}),
  });
  const text = await resp.text();
  if (!resp.ok) { statusEl.textContent = ""; errorEl.textContent = text; return; }
  const ms = Math.round(performance.now() - started);
  if (!(resp.headers.get("Content-Type") || "").includes("json")) {
    statusEl.textContent = `${ms} ms`; errorEl.textContent = text; return;
  }
  const data = JSON.parse(text);
  if ("boolean" in data) { statusEl.textContent = `${data.boolean} (${ms} ms)`; return; }
  const vars = data.head.vars;
  const head = table.insertRow();
  vars.forEach((v) => { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
  data.results.bindings.forEach((b) => {
    const row = table.insertRow();
    row.className = "result-row";
    vars.forEach((v) => { row.insertCell().textContent = cell(b[v]); });
  });
  statusEl.textContent = `${data.results.bindings.length} rows (${ms} ms)`;
});
