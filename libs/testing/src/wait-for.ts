/** Polls until `check` returns a truthy value, or fails with what was awaited. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  } while (Date.now() < deadline);
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
