// The compose demo's last step (service demo-credential): once the gateway answers, asks the simulator for
// an account and prints its access token and a curl line, as `npm run demo` does. Node's fetch, no dependencies.
const env = (name, fallback) => process.env[name] || fallback;
const simUrl = env('SIM_URL', 'http://chatgpt-sim:5099');
const gatewayUrl = env('GATEWAY_URL', 'http://gateway:5005');
const publishedUrl = env('PUBLISHED_URL', 'http://127.0.0.1:5005');

async function waitFor(url, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

try {
  await waitFor(`${gatewayUrl}/health/ready`);
  const res = await fetch(`${simUrl}/_sim/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'demo@example.com', plan: 'plus' }) });
  if (!res.ok) throw new Error(`the simulator answered ${res.status} for a demo account`);
  const account = await res.json();
  process.stdout.write(
    [
      '',
      `chatgate is up: ${publishedUrl}/v1`,
      '',
      'Demo credential (a simulator ChatGPT access token):',
      '',
      `  export CHATGATE_KEY=${account.accessToken}`,
      '',
      'Try it:',
      '',
      `  curl -N ${publishedUrl}/v1/chat/completions -H "Authorization: Bearer $CHATGATE_KEY" -H 'content-type: application/json' \\`,
      `    -d '{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Hello from the demo"}]}'`,
      '',
    ].join('\n') + '\n',
  );
} catch (err) {
  process.stderr.write(`demo-credential: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
