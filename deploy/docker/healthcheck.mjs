// Docker HEALTHCHECK / compose healthcheck: GET /health/ready (dependencies reachable, not stopping) on the
// port the selected service serves it on.
// Exit 0 = healthy, 1 = unhealthy. Uses Node's built-in fetch, no dependencies.
// Override the probed address with HEALTHCHECK_URL if needed.
const env = (name) => (process.env[name] === undefined || process.env[name] === '' ? undefined : process.env[name]);

const service = env('SERVICE') ?? 'gateway';
const defaultHealthPorts = { auth: 5011, conversation: 5012, voice: 5013, usage: 5014 };

let url = env('HEALTHCHECK_URL');
// The simulator has no contract for /health: any HTTP answer below 500 means it is up.
const anyAnswer = service === 'chatgpt-sim';
if (!url) {
  let port;
  if (service === 'gateway') port = env('PORT') ?? 5005;
  else if (service === 'chatgpt-sim') port = env('PORT') ?? 5099;
  else port = env('HEALTH_PORT') ?? defaultHealthPorts[service];
  if (!port) {
    console.error(`healthcheck: no health port known for SERVICE=${service}; set HEALTH_PORT or HEALTHCHECK_URL`);
    process.exit(1);
  }
  url = `http://127.0.0.1:${port}/health/ready`;
}

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  await res.body?.cancel();
  const healthy = res.ok || (anyAnswer && res.status < 500);
  if (!healthy) console.error(`healthcheck: ${url} -> HTTP ${res.status}`);
  process.exit(healthy ? 0 : 1);
} catch (err) {
  console.error(`healthcheck: ${url} -> ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
