// Copy the built browser files of the npm packages into kg/serve/static/vendor.
// Only the minified bundles, licences and package.json (name, version, licence) are copied (no source maps): the built files
// are committed so a fresh clone serves the query page without Node; `make ui` rebuilds them.
import { cpSync, mkdirSync, rmSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "kg", "serve", "static", "vendor");
const nm = join(here, "node_modules");
const files = {
  yasgui: [["@zazuko/yasgui/build/yasgui.min.js", "yasgui.min.js"],
           ["@zazuko/yasgui/build/yasgui.min.css", "yasgui.min.css"],
           ["@zazuko/yasgui/package.json", "package.json"]],
  leaflet: [["leaflet/dist/leaflet.js", "leaflet.js"], ["leaflet/dist/leaflet.css", "leaflet.css"],
            ["leaflet/dist/images", "images"], ["leaflet/LICENSE", "LICENSE"],
            ["leaflet/package.json", "package.json"]],
};
rmSync(out, { recursive: true, force: true });
for (const [pkg, list] of Object.entries(files)) {
  mkdirSync(join(out, pkg), { recursive: true });
  for (const [src, dst] of list) cpSync(join(nm, src), join(out, pkg, dst), { recursive: true });
}
const versions = Object.fromEntries(["@zazuko/yasgui", "leaflet"].map((p) =>
  [p, JSON.parse(readFileSync(join(nm, p, "package.json"), "utf8")).version]));
console.log("vendored", JSON.stringify(versions), "into", out);
