// Trunk's post-build hook (Trunk.toml): in release builds, after Trunk's own wasm-opt,
//
// 1. runs wasm-opt once more on the wasm: `--flatten --rereloop` (rebuilds the control flow
//    from scratch, which -Oz then folds tighter than rustc's: 2.9 KiB) and `-Oz` twice (the
//    second finds what the first made possible), all of it a second time (0.75 KiB more; a
//    third round made it larger), the `producers` and `target_features` sections dropped (the
//    browser reads neither), and `--minify-imports-and-exports-and-modules`, which renames the
//    ~200 names the glue and the wasm share (`__wbg_setAttribute_<16 hex digits>`, ...) to one or
//    two letters; the same renaming is applied to the glue, and the build fails if a name is left
//    over or missing, so the page never meets a wasm its glue does not fit;
// 2. minifies wasm-bindgen's JS glue and the loader boot.js with terser, which Trunk itself leaves
//    as they are (its `minify` covers the CSS and the HTML; its JS minifier fails on the glue with
//    a warning and keeps it whole).
//
// The wasm and the glue are preloaded with Subresource Integrity hashes that Trunk wrote into
// index.html before this hook runs, so the hashes are recomputed for the files written here.
// Savings, gzipped, when each landed (ARCHITECTURE.md): terser 2,043 bytes; step 1 see there. The
// course-page example (embed.js) stays readable: it is meant to be copied.
//
// Without terser (tests/e2e not installed: `cargo xtask test` installs it) the build still works,
// unminified, with a warning.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
const wasmName = glue[0].replace(/\.js$/, '_bg.wasm');
const renamedGlue = minifyWasm(join(staging, wasmName), readFileSync(join(staging, glue[0]), 'utf8'));

for (const name of [glue[0], 'boot.js']) {
  const path = join(staging, name);
  const original = readFileSync(path, 'utf8');
  const source = name === glue[0] ? renamedGlue : original;
  const { code } = await minify(source, { module: true, compress: true, mangle: true });
  writeFileSync(path, code);
  const before = sri(original);
  if (index.includes(before)) {
    index = index.replaceAll(before, sri(code));
  } else if (name !== 'boot.js') {
    // The preload would be refused: better no build than a page that loads nothing.
    throw new Error(`index.html has no integrity hash for ${name} to update`);
  }
}
writeFileSync(indexPath, index);

/// Step 1 (see the top): rewrites the wasm at `wasmPath` and returns `glue` with the same names.
function minifyWasm(wasmPath, glue) {
  const wasmOpt = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '.bin', 'wasm-opt');
  if (!existsSync(wasmOpt)) {
    console.warn('warning: wasm-opt is not installed (npm ci in tests/e2e); the wasm keeps its names');
    return glue;
  }
  const before = readFileSync(wasmPath);
  // The features rustc's wasm32-unknown-unknown target enables today; wasm-opt must accept them.
  const features = ['bulk-memory', 'nontrapping-float-to-int', 'sign-ext', 'mutable-globals',
    'reference-types', 'multivalue'].map((f) => `--enable-${f}`);
  const run = spawnSync(wasmOpt, [...features, '--low-memory-unused', '--flatten', '--rereloop', '-Oz', '-Oz',
    '--flatten', '--rereloop', '-Oz', '-Oz', '--strip-producers', '--strip-target-features',
    '--minify-imports-and-exports-and-modules', wasmPath, '-o', wasmPath], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`wasm-opt failed: ${run.stderr}`);
  // wasm-opt prints the renaming: {"imports": [[module, old, new], ...], "exports": [[old, new], ...]}.
  const names = JSON.parse(run.stdout);
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const modules = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
  if (modules.length !== 1) throw new Error(`expected the wasm to import from one module, found ${modules}`);

  const once = (text, pattern, replacement, what) => {
    let count = 0;
    const out = text.replace(pattern, () => (count++, replacement));
    if (count !== 1) throw new Error(`${what}: found ${count} times in the glue, expected once`);
    return out;
  };
  const word = (name) => name.replace(/[$]/g, '\\$&');
  // The glue's import object: `const import0 = { __proto__: null, NAME: function(...) ..., };`
  // returned as `{ "./logscope-web_bg.js": import0 }`.
  for (const [from, oldName, newName] of names.imports) {
    if (from !== './logscope-web_bg.js') throw new Error(`unexpected import module ${from}`);
    glue = once(glue, new RegExp(`(?<=^\\s*)${word(oldName)}(?=:)`, 'gm'), newName, `import ${oldName}`);
  }
  glue = once(glue, /"\.\/logscope-web_bg\.js"(?=: import0)/g, JSON.stringify(modules[0]), 'the import module');
  // Exports are read as `wasm.NAME`; some (the entry point, the abort hooks) the glue never reads.
  for (const [oldName, newName] of names.exports) {
    glue = glue.replace(new RegExp(`(?<=\\bwasm\\.)${word(oldName)}\\b`, 'g'), () => newName);
  }
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const [, read] of glue.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)) {
    if (!exported.has(read)) throw new Error(`the glue reads wasm.${read}, which the wasm does not export`);
  }

  const after = readFileSync(wasmPath);
  if (index.includes(sri(before))) index = index.replaceAll(sri(before), sri(after));
  else throw new Error(`index.html has no integrity hash for ${wasmPath} to update`);
  console.log(`minify.mjs: wasm ${before.length} -> ${after.length} bytes, ${names.imports.length} imports and ${names.exports.length} exports renamed`);
  return glue;
}
