// The official openai npm package against Sluice's front door. NodeClientsIT starts the stack and
// runs `node --test` here with SLUICE_BASE_URL (…/v1), SLUICE_KEY and SIM_STATS_URL set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';

const baseURL = process.env.SLUICE_BASE_URL;
const apiKey = process.env.SLUICE_KEY;
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
const user = (content) => [{ role: 'user', content }];
const weather = [{
  type: 'function',
  function: { name: 'get_weather', description: 'Weather of a city',
    parameters: { type: 'object', properties: { input: { type: 'string' } } } },
}];

async function simRequests() {
  const r = await fetch(process.env.SIM_STATS_URL);
  return (await r.json()).requests;
}

async function rejects(promise, status) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.status, status, String(e));
    return e;
  }
  assert.fail(`expected HTTP ${status}`);
}

test('non-streaming chat', async () => {
  const c = await client.chat.completions.create({ model: 'gpt', messages: user('Hello from Node') });
  assert.equal(c.object, 'chat.completion');
  assert.equal(c.choices[0].message.content, 'Echo: Hello from Node');
  assert.equal(c.choices[0].finish_reason, 'stop');
  assert.ok(c.usage.total_tokens > 0);
});

test('streaming with include_usage', async () => {
  const stream = await client.chat.completions.create({
    model: 'gpt', messages: user('stream me some words'), stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      text += choice.delta?.content ?? '';
      finish = choice.finish_reason ?? finish;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, 'Echo: stream me some words');
  assert.equal(finish, 'stop');
  assert.ok(usage && usage.completion_tokens > 0, JSON.stringify(usage));
});

test('tool calls streamed', async () => {
  const stream = await client.chat.completions.create({
    model: 'gpt', messages: user('get_weather: Paris'), tools: weather, stream: true,
  });
  const calls = [];
  let finish = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      for (const d of choice.delta?.tool_calls ?? []) {
        calls[d.index] ??= { id: '', name: '', arguments: '' };
        calls[d.index].id += d.id ?? '';
        calls[d.index].name += d.function?.name ?? '';
        calls[d.index].arguments += d.function?.arguments ?? '';
      }
      finish = choice.finish_reason ?? finish;
    }
  }
  assert.equal(calls.length, 1);
  assert.equal(calls[0].name, 'get_weather');
  assert.ok(calls[0].id.length > 0);
  assert.equal(JSON.parse(calls[0].arguments).input, 'Paris');
  assert.equal(finish, 'tool_calls');
});

test('Idempotency-Key: a repeat gets the first answer with no second provider call', async () => {
  const key = `node-idem-${randomUUID()}`;
  const body = { model: 'gpt', messages: user(`idempotent ${key}`) };
  const first = await client.chat.completions.create(body, { headers: { 'Idempotency-Key': key } });
  const before = await simRequests();
  const again = await client.chat.completions
    .create(body, { headers: { 'Idempotency-Key': key } })
    .withResponse();
  assert.equal(first.id, key);
  assert.equal(again.data.id, key);
  assert.equal(again.data.choices[0].message.content, first.choices[0].message.content);
  assert.equal(await simRequests(), before, 'the repeat called the provider');
});

test('x-sluice-session-id keeps the history', async () => {
  const session = `node-session-${randomUUID()}`;
  const headers = { 'x-sluice-session-id': session };
  await client.chat.completions.create(
    { model: 'gpt', messages: user('my name is Zed and I like long sentences') }, { headers });
  const withHistory = await client.chat.completions.create(
    { model: 'gpt', messages: user('what is my name') }, { headers });
  const alone = await client.chat.completions.create({ model: 'gpt', messages: user('what is my name') });
  // the simulator counts every turn's words in the prompt: the history makes it longer
  assert.ok(withHistory.usage.prompt_tokens > alone.usage.prompt_tokens,
    `${withHistory.usage.prompt_tokens} <= ${alone.usage.prompt_tokens}`);
});

test('Prefer: respond-async answers 202 with a Location to poll', async () => {
  const key = `node-async-${randomUUID()}`;
  const response = await client.chat.completions
    .create({ model: 'gpt', messages: user('answer me later') },
      { headers: { Prefer: 'respond-async', 'Idempotency-Key': key } })
    .asResponse();
  assert.equal(response.status, 202);
  const location = response.headers.get('location');
  assert.equal(location, `/v1/requests/${key}`);
  const url = new URL(location, baseURL).toString();
  const deadline = Date.now() + 20_000;
  let polled;
  do {
    polled = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
    if (polled.status === 200) break;
    assert.equal(polled.status, 202);
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  assert.equal(polled.status, 200);
  const body = await polled.json();
  assert.equal(body.choices[0].message.content, 'Echo: answer me later');
});

test('404 for an unknown model', async () => {
  const e = await rejects(client.chat.completions.create({ model: 'no-such-model', messages: user('hi') }), 404);
  assert.ok(e instanceof OpenAI.NotFoundError);
  assert.equal(e.code, 'unknown_model');
});

test('400 for bad JSON and for a field of the wrong type', async () => {
  const raw = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST', body: '{"model": ',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
  });
  assert.equal(raw.status, 400);
  assert.equal((await raw.json()).error.type, 'invalid_request_error');
  const e = await rejects(client.chat.completions.create(
    { model: 'gpt', messages: user('hi'), temperature: 'hot' }), 400);
  assert.ok(e instanceof OpenAI.BadRequestError);
  assert.equal(e.param, 'temperature');
});

test('413 for a body over the limit', async () => {
  const e = await rejects(client.chat.completions.create(
    { model: 'gpt', messages: user('x'.repeat(100_000)) }), 413);
  assert.equal(e.status, 413);
});

test('429 from the provider passed through', async () => {
  const e = await rejects(client.chat.completions.create({ model: 'limited', messages: user('hi') }), 429);
  assert.ok(e instanceof OpenAI.RateLimitError);
  assert.ok(e.headers.get('retry-after'), 'no Retry-After');
});

test('200 concurrent requests with no cross-talk', async () => {
  const n = 200;
  const answers = await Promise.all(Array.from({ length: n }, (_, i) =>
    client.chat.completions.create({ model: 'gpt', messages: user(`concurrent ${i}`) })));
  answers.forEach((c, i) => assert.equal(c.choices[0].message.content, `Echo: concurrent ${i}`));
  assert.equal(new Set(answers.map((c) => c.id)).size, n);
});
