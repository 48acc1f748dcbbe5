// Small map on resource pages: vendored Leaflet; tiles come from OpenStreetMap when online,
// and the page still shows the coordinates and an OSM link when they do not load.
(function () {
  const el = document.getElementById("map");
  if (!el || typeof L === "undefined") { if (el) el.remove(); return; }
  const at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.long)];
  const map = L.map(el).setView(at, 6);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18, attribution: "&copy; OpenStreetMap contributors",
  }).addTo(map);
  L.marker(at).addTo(map);
})();
