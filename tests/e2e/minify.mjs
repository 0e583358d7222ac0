// Trunk's post-build hook (Trunk.toml): in release builds, minifies wasm-bindgen's JS glue and
// the loader boot.js with terser, which Trunk itself leaves as they are (its `minify` covers the
// CSS and the HTML; its JS minifier fails on the glue with a warning and keeps it whole). The glue is preloaded with a Subresource Integrity hash that Trunk wrote into
// index.html before this hook runs, so the hash is recomputed for the minified file. 2,043 bytes
// less gzipped when it landed (ARCHITECTURE.md). The course-page example (embed.js) stays
// readable: it is meant to be copied.
//
// Without terser (tests/e2e not installed: `cargo xtask test` installs it) the build still works,
// unminified, with a warning.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== 'release' || !staging) process.exit(0);

let minify;
try {
  ({ minify } = await import('terser'));
} catch {
  console.warn('warning: terser is not installed (npm ci in tests/e2e); the JS stays unminified');
  process.exit(0);
}

const sri = (text) => 'sha384-' + createHash('sha384').update(text).digest('base64');
const indexPath = join(staging, 'index.html');
let index = readFileSync(indexPath, 'utf8');

const glue = readdirSync(staging).filter((f) => /^logscope-web-[0-9a-f]+\.js$/.test(f));
if (glue.length !== 1) throw new Error(`expected one wasm-bindgen glue file in ${staging}, found ${glue}`);
for (const name of [glue[0], 'boot.js']) {
  const path = join(staging, name);
  const source = readFileSync(path, 'utf8');
  const { code } = await minify(source, { module: true, compress: true, mangle: true });
  writeFileSync(path, code);
  const before = sri(source);
  if (index.includes(before)) {
    index = index.replaceAll(before, sri(code));
  } else if (name !== 'boot.js') {
    // The preload would be refused: better no build than a page that loads nothing.
    throw new Error(`index.html has no integrity hash for ${name} to update`);
  }
}
writeFileSync(indexPath, index);
