// Starts the app from a file rather than Trunk's inline module script, so that the
// Content-Security-Policy in index.html allows scripts from this origin only: no
// 'unsafe-inline', no hash that changes with every build, no nonce. Trunk.toml's
// `pattern_script` puts the hashed file names of this build on this script's data attributes.
const boot = document.querySelector('script[data-wasm]');
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });
