/** chat2api's `/tokens` page, for a browser: the count and how to change it. Holds no user input. */
export function tokensPage(count: number): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>chatgate · tokens</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Tokens</h1>
<p>Usable accounts in the pool: <strong>${Math.trunc(count)}</strong></p>
<p>Upload tokens (one a line, <code>#</code> lines skipped) with <code>POST tokens/upload</code>, list the ones that need a new token with
<code>POST tokens/error</code>, remove them all with <code>POST tokens/clear</code>; every call with <code>Authorization: Bearer &lt;ADMIN_PASSWORD&gt;</code>.
The full admin API is described at <code>admin/v1/openapi.json</code>.</p>
</body>
</html>
`;
}
