// The AI SDK's default OpenAI provider (`openai(model)`: the Responses API) running a tool loop, against the gateway.
// Env: CHATGATE_BASE_URL (…/v1), CHATGATE_KEY, MODEL, PROMPT, STREAM ("1": streamText, else generateText).
// Prints one JSON line: the final text, the steps, the tool's calls.
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';

const openai = createOpenAI({ baseURL: process.env.CHATGATE_BASE_URL, apiKey: process.env.CHATGATE_KEY });
const calls = [];
const tools = {
  get_weather: tool({
    description: 'The weather in a city now.',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push(city);
      return `Sunny and 21 degrees in ${city}`;
    },
  }),
};
const options = { model: openai(process.env.MODEL), tools, stopWhen: stepCountIs(5), prompt: process.env.PROMPT, maxRetries: 0 };

let text;
let steps;
let finishReason;
if (process.env.STREAM === '1') {
  let failure = null;
  const result = streamText({ ...options, onError: ({ error }) => (failure = error) });
  for await (const part of result.textStream) void part;
  if (failure) throw failure;
  text = await result.text;
  steps = (await result.steps).length;
  finishReason = await result.finishReason;
} else {
  const result = await generateText(options);
  text = result.text;
  steps = result.steps.length;
  finishReason = result.finishReason;
}
console.log(JSON.stringify({ text, steps, finishReason, calls }));
