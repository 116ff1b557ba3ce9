// The OpenAI Agents SDK's default runner (Responses API) with one function tool, against the gateway.
// Env: CHATGATE_BASE_URL (…/v1), CHATGATE_KEY, MODEL, PROMPT, STREAM ("1": run streamed).
// Prints one JSON line: the final output, the tool's calls and the raw responses' ids.
import { Agent, run, setDefaultOpenAIClient, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';

// Tracing would export to OpenAI itself; behind a gateway it is turned off (reference §6.5).
setTracingDisabled(true);
setDefaultOpenAIClient(new OpenAI({ baseURL: process.env.CHATGATE_BASE_URL, apiKey: process.env.CHATGATE_KEY, maxRetries: 0 }));

const calls = [];
const getWeather = tool({
  name: 'get_weather',
  description: 'The weather in a city now.',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => {
    calls.push(city);
    return `Sunny and 21 degrees in ${city}`;
  },
});
const agent = new Agent({ name: 'Weather', instructions: 'Answer with the weather tool.', model: process.env.MODEL, tools: [getWeather] });

const streamed = process.env.STREAM === '1';
const result = streamed ? await run(agent, process.env.PROMPT, { stream: true }) : await run(agent, process.env.PROMPT);
if (streamed) {
  for await (const event of result) void event;
  await result.completed;
}
console.log(JSON.stringify({ finalOutput: result.finalOutput, calls, responseIds: result.rawResponses.map((r) => r.responseId ?? null) }));
