// Query page: YASGUI (vendored, see ui/) against this server's /sparql; example buttons load
// a query from queries/*.rq (or its plain form, queries/plain/) into the editor and run it.
(function () {
  const queries = JSON.parse(document.getElementById("kg-queries").textContent);
  const endpoint = new URL("/sparql", window.location.href).href;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9",
    },
    copyEndpointOnNewTab: false,
    persistenceId: null,  // no localStorage: the page always opens on our default query
    yasqe: { value: queries.default },
  });
  window.kgYasgui = yasgui;
  document.querySelectorAll("button.example").forEach((b) => {
    b.addEventListener("click", () => {
      const tab = yasgui.getTab();
      const yasqe = tab.getYasqe();
      // "plain form": the readable query with the same rows as a tuned example (queries/plain/)
      const source = b.dataset.form === "plain" ? queries.plain : queries.examples;
      yasqe.setValue(source[b.dataset.name]);
      yasqe.query();
    });
  });
})();
