/** Reads an SSE body into its `data:` payloads, for tests that check the wire format itself. */
export async function readSseData(body: ReadableStream<Uint8Array>): Promise<string[]> {
  const text = await new Response(body).text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) =>
      block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n'),
    );
}
