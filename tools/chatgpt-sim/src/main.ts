// CLI: `node dist/main.js`. PORT (default 5099), HOST (default 127.0.0.1), SIM_JWT_SECRET, SIM_JWT_PRIVATE_KEY (PKCS#8 PEM).
// Prints one JSON line when listening, one with a demo account and one with a Codex login of it
// (fake credentials).
import { startSimulator } from './server.js';

const port = Number(process.env.PORT ?? 5099);
const host = process.env.HOST ?? '127.0.0.1';
const jwtSecret = process.env.SIM_JWT_SECRET || undefined;
const jwtPrivateKey = process.env.SIM_JWT_PRIVATE_KEY || undefined;

const sim = await startSimulator({ port, host, jwtSecret, jwtPrivateKey });
console.log(JSON.stringify({ msg: 'chatgpt-sim listening', url: sim.url, jwksUrl: sim.jwksUrl }));
const demo = sim.issueAccount({ email: 'demo@sim.local', plan: 'plus' });
console.log(JSON.stringify({ msg: 'chatgpt-sim demo account', ...demo }));
const codex = sim.codex.login({ account: demo.accountId });
console.log(JSON.stringify({ msg: 'chatgpt-sim demo codex login', codexBaseUrl: sim.codex.baseUrl, authFile: codex.authFile }));

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  sim.close().then(
    () => {
      console.log(JSON.stringify({ msg: 'chatgpt-sim stopped', signal }));
      process.exit(0);
    },
    () => process.exit(1),
  );
}
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
