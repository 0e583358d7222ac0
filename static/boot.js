// Starts the app from a file rather than Trunk's inline module script, so that the
// Content-Security-Policy in index.html allows scripts from this origin only: no
// 'unsafe-inline', no hash that changes with every build, no nonce. Trunk.toml's
// `pattern_script` puts the hashed file names of this build on this script's data attributes.
const boot = document.querySelector('script[data-wasm]');

// The shipped build panics with `panic = immediate-abort` (xtask's `release_build`): a panic is
// a WebAssembly trap that never reaches the Rust panic hook of web/src/panic.rs. A trap shows
// the same box here, with the trap's message instead of the panic's. The texts are
// web/src/panic.rs's (a web test checks they agree). If the Rust hook already drew its box
// (debug builds, which trap after the hook has run), that box stays.
const TEXTS = {
  en: [
    'logscope stopped because of a bug. Your session is kept: reload to continue.',
    'Reload, keeping my session',
  ],
  ko: [
    'logscope가 버그 때문에 멈췄습니다. 세션은 보존되어 있으니 새로 고쳐서 이어 가세요.',
    '세션을 유지한 채 새로 고침',
  ],
};
function trapped(error) {
  if (!(error instanceof WebAssembly.RuntimeError) || document.querySelector('.panic')) return;
  const [headlineText, reloadText] = document.querySelector('main[lang="ko"]') ? TEXTS.ko : TEXTS.en;
  const box = document.createElement('div');
  box.className = 'panic';
  box.setAttribute('role', 'alert');
  const headline = document.createElement('p');
  headline.textContent = headlineText;
  const detail = document.createElement('pre');
  detail.className = 'panic__message';
  detail.textContent = String(error);
  const reload = document.createElement('a');
  reload.className = 'panic__reload';
  reload.href = document.URL;
  reload.textContent = reloadText;
  box.append(headline, detail, reload);
  document.body.append(box);
}
addEventListener('error', (e) => trapped(e.error));
addEventListener('unhandledrejection', (e) => trapped(e.reason));

const { default: init } = await import(boot.dataset.js);
try {
  await init({ module_or_path: boot.dataset.wasm });
} catch (e) {
  trapped(e);
  throw e;
}
