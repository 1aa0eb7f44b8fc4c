// Builds the browser side into dist/web/: the library (src/web/index.ts -> index.js, beside the
// index.d.ts tsc wrote), the page's scripts (web/app.ts, web/scan-worker.ts), the page itself and
// matcher.wasm. esbuild bundles for the browser with src/platform/*.ts swapped for their
// .browser.ts twins; a Node built-in reaching the bundle fails the build.
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(root, "dist/web");

/** src/platform/x.js -> src/platform/x.browser.ts; node:* refused. */
const browserPlatform = {
  name: "browser-platform",
  setup(b) {
    b.onResolve({ filter: /[/\\]platform[/\\][\w-]+\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path).replace(/\.js$/, ".browser.ts"),
    }));
    b.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path} reached the browser build (from ${args.importer})` }],
    }));
  },
};

await mkdir(out, { recursive: true });
await build({
  entryPoints: {
    index: resolve(root, "src/web/index.ts"),
    app: resolve(root, "web/app.ts"),
    "scan-worker": resolve(root, "web/scan-worker.ts"),
  },
  outdir: out,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
  plugins: [browserPlatform],
});
await copyFile(resolve(root, "build/matcher.wasm"), resolve(out, "matcher.wasm"));
for (const file of ["index.html", "style.css"]) await copyFile(resolve(root, "web", file), resolve(out, file));
