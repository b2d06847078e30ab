// Copies the NL Design System CSS (Utrecht components + design tokens), htmx, the Vega-Lite
// chart stack (vega, vega-lite, vega-embed: charts are embedded with `ast: true`, so Vega
// interprets expressions without eval and the strict CSP holds) and Redoc (the API reference
// page) from node_modules into src/kansrijk/static/vendor/. The output is committed, so running the app
// needs no Node.js; CI runs this script and fails when the committed files are stale.
// Source-map comments are left out: the maps are not vendored, and `collectstatic` with the
// hashed manifest storage refuses a file that names one it cannot find.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src", "kansrijk", "static", "vendor");
mkdirSync(out, { recursive: true });

const files = [
  ["@utrecht/component-library-css/dist/index.css", "utrecht-components.css"],
  ["@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css", "voorbeeld-theme.css"],
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["vega/build/vega.min.js", "vega.min.js"],
  ["vega-lite/build/vega-lite.min.js", "vega-lite.min.js"],
  ["vega-embed/build/vega-embed.min.js", "vega-embed.min.js"],
  ["redoc/bundles/redoc.standalone.js", "redoc.standalone.js"],
];
// Nothing is loaded from another site: Redoc's sidebar asks for its makers' logo on their CDN
// (an <img> that hides itself when it fails to load); an empty source fails at once, without a
// request.
const PATCHES = {
  "redoc.standalone.js": [['src:"https://cdn.redoc.ly/redoc/logo-mini.svg"', 'src:""']],
};
const notes = [];
for (const [source, target] of files) {
  const pkgName = source.split("/").slice(0, source.startsWith("@") ? 2 : 1).join("/");
  const pkg = JSON.parse(readFileSync(join(root, "node_modules", pkgName, "package.json"), "utf8"));
  const text = readFileSync(join(root, "node_modules", source), "utf8");
  let built = text.replace(/^\/\/# sourceMappingURL=.*$/gm, "");
  for (const [from, to] of PATCHES[target] ?? []) {
    if (!built.includes(from)) throw new Error(`${target}: ${from} not found; check the patch`);
    built = built.split(from).join(to);
  }
  writeFileSync(join(out, target), built);
  notes.push(`- ${target}: ${pkg.name} ${pkg.version} (${pkg.license})`);
}
writeFileSync(
  join(out, "SOURCES.md"),
  `# Vendored front-end files\n\nBuilt by \`npm ci && npm run build\` (scripts/build-static.mjs); do not edit.\n\n${notes.join("\n")}\n`,
);
console.log(notes.join("\n"));
