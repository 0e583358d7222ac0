// The example course page's script (static/embed.html). The page's CSP forbids inline script,
// so it lives here. It makes three iframes of the playground and drives the first one with the
// postMessage API described in the README:
//   commands in:  {type: 'logscope', v: 1, command: 'load' | 'seek' | 'play' | 'pause' | 'run', ...}
//   events out:   {type: 'logscope', v: 1, event: 'ready' | 'step' | 'finding' | 'answer', ...}
// The playground takes commands only from the origins its address lists (origin=...), and posts
// events only to them. This page lists its own origin, unless its own address says
// ?origin=<another> (the end-to-end test uses that to check that a page whose origin is not
// listed is ignored).

const params = new URLSearchParams(location.search);
const hostOrigin = params.get('origin') ?? location.origin;
const app = new URL('./', location.href);

function frame(id, query, width, height, title) {
  const iframe = document.createElement('iframe');
  const src = new URL(app);
  src.search = `embed=1&${query}&origin=${encodeURIComponent(hostOrigin)}`;
  iframe.src = src.href;
  iframe.width = String(width);
  iframe.height = String(height);
  iframe.title = title;
  document.getElementById(id).append(iframe);
  return iframe;
}

const driven = frame('driven', 'controls=step,play&console=0', 800, 600, 'logscope, driven by this page');
frame('free', 'console=1', 800, 600, 'logscope, free play');
frame('small', 'controls=play&console=0', 480, 360, 'logscope, small');

// Every event the driven frame sent, for people (the list) and for the end-to-end test.
window.logscopeEvents = [];
const list = document.getElementById('events');

window.addEventListener('message', (e) => {
  // Only the driven frame, only from the playground's origin, only our message type.
  if (e.source !== driven.contentWindow || e.origin !== app.origin) return;
  const m = e.data;
  if (!m || m.type !== 'logscope' || m.v !== 1) return;
  window.logscopeEvents.push(m);
  const item = document.createElement('li');
  const { type, v, event, ...rest } = m;
  item.textContent = `${event} ${JSON.stringify(rest)}`;
  list.append(item);
  while (list.children.length > 20) list.firstElementChild.remove();
});

function send(command, fields = {}) {
  driven.contentWindow.postMessage({ type: 'logscope', v: 1, command, ...fields }, app.origin);
}
window.logscopeSend = send;

const scenario = [
  '# acks=all on three brokers: a produce survives the loss of its leader',
  'cluster brokers=3 seed=7',
  'kafka-topics --create --topic orders --replica-assignment 1:2:3 --config min.insync.replicas=2',
  'producer add p1 acks=all',
  'settle',
  'produce p1 orders key=k value=v1',
  'settle',
].join('\n');

document.getElementById('load').addEventListener('click', () => send('load', { script: scenario, seed: 7 }));
document.getElementById('kill').addEventListener('click', () => send('run', { line: 'broker kill 1' }));
document.getElementById('seek').addEventListener('click', () => send('seek', { step: 50 }));
document.getElementById('play').addEventListener('click', () => send('play'));
document.getElementById('pause').addEventListener('click', () => send('pause'));
