/**
 * The provider simulator driven by the real `openai` and `@anthropic-ai/sdk`
 * clients, the way Kiln's adapters use them.
 *
 * Faults are covered in faults.test.ts here and through the gateway in
 * test/workers/faults.test.ts.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseCodeAnswer } from "../../../contract/code-format.ts";
import { chooseAnswer } from "./apps.ts";
import { FAULT_HEADERS } from "./faults.ts";
import { PACING_HEADERS } from "./pacing.ts";
import { type ProviderSimulator, startProviderSimulator } from "./server.ts";
import { sliceBytes } from "./sse.ts";

const SYSTEM = "You are Kiln. Answer with a short explanation, then files.";
const COUNTER_PROMPT = "Build me a counter app";
/** Matches no keyword, so the answer is the hello app, which echoes it. */
const HELLO_PROMPT = "Say hi to José 🚀";

let simulator: ProviderSimulator;

beforeAll(async () => {
  simulator = await startProviderSimulator({ firstTokenDelayMs: 0, chunkDelayMs: 0 });
});

afterAll(async () => {
  await simulator.close();
});

function openai(headers: Record<string, string | null> = {}): OpenAI {
  return new OpenAI({
    apiKey: "sk-test",
    baseURL: `${simulator.url}/v1`,
    maxRetries: 0,
    defaultHeaders: headers,
  });
}

function anthropic(headers: Record<string, string | null> = {}): Anthropic {
  return new Anthropic({
    apiKey: "sk-ant-test",
    baseURL: simulator.url,
    maxRetries: 0,
    defaultHeaders: headers,
  });
}

/** The documented rule: a token per four characters of system and messages, rounded up. */
function expectedInputTokens(...texts: string[]): number {
  return Math.ceil(Array.from(texts.join("")).length / 4);
}

async function streamOpenAi(options: { prompt: string; headers?: Record<string, string> }) {
  const stream = await openai(options.headers).chat.completions.create({
    model: "gpt-5.4-mini",
    messages: [
      { role: "system", content: SYSTEM },
      { role: "user", content: options.prompt },
    ],
    stream: true,
    stream_options: { include_usage: true },
  });

  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.content || []);
  return { chunks, pieces, text: pieces.join(""), usage: chunks.at(-1)?.usage };
}

async function streamAnthropic(options: { prompt: string; headers?: Record<string, string> }) {
  const stream = await anthropic(options.headers).messages.create({
    model: "claude-sonnet-4-6",
    max_tokens: 4096,
    system: SYSTEM,
    messages: [{ role: "user", content: options.prompt }],
    stream: true,
  });

  const events: Anthropic.RawMessageStreamEvent[] = [];
  for await (const event of stream) {
    events.push(event);
  }
  const pieces = events.flatMap((event) =>
    event.type === "content_block_delta" && event.delta.type === "text_delta"
      ? [event.delta.text]
      : [],
  );
  return { events, pieces, text: pieces.join("") };
}

describe("OpenAI chat completions", () => {
  it("streams the canned answer and ends with a usage-only chunk, then [DONE]", async () => {
    const { chunks, pieces, text, usage } = await streamOpenAi({ prompt: COUNTER_PROMPT });

    expect(text).toBe(chooseAnswer(COUNTER_PROMPT).text);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.choices).toEqual([]);

    const inputTokens = expectedInputTokens(SYSTEM, COUNTER_PROMPT);
    expect(usage).toMatchObject({
      prompt_tokens: inputTokens,
      completion_tokens: pieces.length,
      total_tokens: inputTokens + pieces.length,
    });
  });

  it("sends no usage at all unless stream_options.include_usage is set", async () => {
    const stream = await openai().chat.completions.create({
      model: "gpt-5.4-mini",
      messages: [{ role: "user", content: COUNTER_PROMPT }],
      stream: true,
    });

    for await (const chunk of stream) {
      expect(chunk.choices).toHaveLength(1);
      expect(chunk).not.toHaveProperty("usage");
    }
  });

  it("answers without streaming with the same text and usage as the stream", async () => {
    const streamed = await streamOpenAi({ prompt: COUNTER_PROMPT });

    const completion = await openai().chat.completions.create({
      model: "gpt-5.4-mini",
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: COUNTER_PROMPT },
      ],
    });

    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe(streamed.text);
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toEqual(streamed.usage);
  });

  it("stops at max_completion_tokens with finish_reason length", async () => {
    const completion = await openai().chat.completions.create({
      model: "gpt-5.4-mini",
      messages: [{ role: "user", content: COUNTER_PROMPT }],
      max_completion_tokens: 5,
    });

    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(5);
    expect(
      chooseAnswer(COUNTER_PROMPT).text.startsWith(completion.choices[0]?.message.content ?? "-"),
    ).toBe(true);
  });

  it("lists models", async () => {
    const page = await openai().models.list();

    expect(page.data.map((model) => model.id)).toContain("gpt-5.4-mini");
  });

  it("refuses a request without an API key with 401 in OpenAI's error shape", async () => {
    const request = openai({ authorization: null }).chat.completions.create({
      model: "gpt-5.4-mini",
      messages: [{ role: "user", content: COUNTER_PROMPT }],
    });

    const error = await request.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      error: { type: "invalid_request_error", param: null, code: null },
    });
  });

  it("refuses a body without messages or model with 400 in OpenAI's error shape", async () => {
    const client = openai();

    const noMessages = await client
      .post("/chat/completions", { body: { model: "gpt-5.4-mini" } })
      .catch((caught: unknown) => caught);
    expect(noMessages).toBeInstanceOf(OpenAI.BadRequestError);
    expect(noMessages).toMatchObject({
      status: 400,
      error: {
        message: "Missing required parameter: 'messages'.",
        type: "invalid_request_error",
        param: "messages",
        code: "missing_required_parameter",
      },
    });

    const noModel = await client
      .post("/chat/completions", { body: { messages: [{ role: "user", content: "hi" }] } })
      .catch((caught: unknown) => caught);
    expect(noModel).toBeInstanceOf(OpenAI.BadRequestError);
    expect(noModel).toMatchObject({ status: 400, error: { type: "invalid_request_error" } });
  });
});

describe("Anthropic messages", () => {
  it("streams the canned answer in the API's event order", async () => {
    const { events, pieces, text } = await streamAnthropic({ prompt: COUNTER_PROMPT });

    expect(text).toBe(chooseAnswer(COUNTER_PROMPT).text);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 2)).toEqual(["message_start", "content_block_start"]);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(types.filter((type) => type === "content_block_delta")).toHaveLength(pieces.length);
  });

  it("reports usage in message_start and a running output total in message_delta", async () => {
    const { events, pieces } = await streamAnthropic({ prompt: COUNTER_PROMPT });

    const start = events.find((event) => event.type === "message_start");
    const delta = events.find((event) => event.type === "message_delta");
    expect(start?.message.usage).toMatchObject({
      input_tokens: expectedInputTokens(SYSTEM, COUNTER_PROMPT),
      output_tokens: 1,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
    expect(delta?.usage.output_tokens).toBe(pieces.length);
    expect(delta?.delta.stop_reason).toBe("end_turn");
  });

  it("gives the SDK's stream helper the same message as a call without streaming", async () => {
    const client = anthropic();
    const params = {
      model: "claude-sonnet-4-6",
      max_tokens: 4096,
      system: SYSTEM,
      messages: [{ role: "user" as const, content: COUNTER_PROMPT }],
    };

    const streamed = await client.messages.stream(params).finalMessage();
    const message = await client.messages.create(params);

    expect(message.content).toEqual([
      { type: "text", text: chooseAnswer(COUNTER_PROMPT).text, citations: null },
    ]);
    expect(streamed.content).toEqual(message.content);
    expect(streamed.usage).toEqual(message.usage);
    expect(message.stop_reason).toBe("end_turn");
  });

  it("stops at max_tokens with stop_reason max_tokens", async () => {
    const message = await anthropic().messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 5,
      messages: [{ role: "user", content: COUNTER_PROMPT }],
    });

    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(5);
  });

  it("lists models in Anthropic's shape on the shared /v1/models path", async () => {
    const page = await anthropic().models.list();

    expect(page.data.map((model) => model.id)).toContain("claude-sonnet-4-6");
    expect(page.data[0]?.type).toBe("model");
  });

  it("refuses a request without an API key with 401 in Anthropic's error shape", async () => {
    const request = anthropic({ authorization: null }).messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 100,
      messages: [{ role: "user", content: COUNTER_PROMPT }],
    });

    const error = await request.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      type: "authentication_error",
      error: { type: "error", error: { type: "authentication_error" } },
    });
  });

  it("refuses a body without max_tokens with 400 in Anthropic's error shape", async () => {
    const error = await anthropic()
      .post("/v1/messages", {
        body: { model: "claude-sonnet-4-6", messages: [{ role: "user", content: "hi" }] },
      })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      error: {
        type: "error",
        error: { type: "invalid_request_error", message: "max_tokens: Field required" },
      },
    });
  });
});

describe("canned apps", () => {
  it.each([
    ["Build me a counter app", "counter"],
    ["I need a todo list", "todo"],
    ["a to-do app please", "todo"],
    ["track my tasks", "todo"],
    ["a landing page for my startup", "landing"],
    ["make a website for a bakery", "landing"],
    ["a homepage", "landing"],
    ["a static page", "landing"],
    ["what is the weather", "hello"],
  ])("answers %j with the %s app", (prompt, kind) => {
    expect(chooseAnswer(prompt).kind).toBe(kind);
  });

  it("chooses by the last user message, not the history", async () => {
    const completion = await openai().chat.completions.create({
      model: "gpt-5.4-mini",
      messages: [
        { role: "user", content: "Build me a counter" },
        { role: "assistant", content: chooseAnswer("counter").text },
        { role: "user", content: "Now a todo list instead" },
      ],
    });

    expect(completion.choices[0]?.message.content).toBe(chooseAnswer("todo").text);
  });

  it.each([COUNTER_PROMPT, "a todo list", "a landing page", HELLO_PROMPT])(
    "answers %j in the code format, with multibyte text",
    (prompt) => {
      const answer = chooseAnswer(prompt);
      const parsed = parseCodeAnswer(answer.text);

      expect(parsed.template).toBe(answer.template);
      expect(parsed.explanation).toContain("’");
      expect(parsed.explanation).toMatch(/✨|🚀/u);
      expect(parsed.files.length).toBeGreaterThan(1);
      expect(parsed.files.every((file) => file.complete)).toBe(true);
    },
  );

  it("gives the counter a src/App.tsx with a Count button that imports its styles", () => {
    const files = parseCodeAnswer(chooseAnswer(COUNTER_PROMPT).text).files;
    const app = files.find((file) => file.path === "src/App.tsx")?.content ?? "";

    expect(files.map((file) => file.path)).toEqual(["src/App.tsx", "src/styles.css"]);
    expect(app).toContain("export default function App");
    expect(app).toContain("Count: {count}");
    expect(app).toContain('import "./styles.css";');
  });

  it("gives the landing page index.html linking style.css and script.js", () => {
    const files = parseCodeAnswer(chooseAnswer("a landing page").text).files;
    const html = files.find((file) => file.path === "index.html")?.content ?? "";

    expect(files.map((file) => file.path)).toEqual(["index.html", "style.css", "script.js"]);
    expect(html).toContain('href="style.css"');
    expect(html).toContain('src="script.js"');
  });

  it.each([COUNTER_PROMPT, "a todo list", HELLO_PROMPT])(
    "imports only react and relative files in the React app for %j",
    (prompt) => {
      const files = parseCodeAnswer(chooseAnswer(prompt).text).files;
      const sources = files.filter((file) => file.path.endsWith(".tsx"));
      const specifiers = sources.flatMap((file) =>
        [...file.content.matchAll(/^import\s.*?["']([^"']+)["'];$/gm)].map((match) => match[1]),
      );

      expect(specifiers.length).toBeGreaterThan(0);
      for (const specifier of specifiers) {
        expect(specifier === "react" || specifier?.startsWith("./")).toBe(true);
      }
    },
  );

  it("echoes a hostile prompt safely inside the hello app", () => {
    const prompt = 'Ignore this:\n```\n"); alert(1); ("\\ and a long tail '.padEnd(200, "x");
    const parsed = parseCodeAnswer(chooseAnswer(prompt).text);
    const app = parsed.files.find((file) => file.path === "src/App.tsx")?.content ?? "";
    const literal = app.match(/^const request = (".*");$/m)?.[1] ?? "";

    expect(parsed.files.map((file) => file.path)).toEqual(["src/App.tsx", "src/styles.css"]);
    expect(JSON.parse(literal)).toMatch(
      /^Ignore this: ``` "\); alert\(1\); \("\\ and a long tail x+…$/,
    );
  });
});

describe("pacing", () => {
  it("waits the first-token delay a request header asks for", async () => {
    const startedAt = Date.now();
    const stream = await openai({
      [PACING_HEADERS.firstTokenDelayMs]: "250",
    }).chat.completions.create({
      model: "gpt-5.4-mini",
      messages: [{ role: "user", content: COUNTER_PROMPT }],
      stream: true,
    });

    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) {
        expect(Date.now() - startedAt).toBeGreaterThanOrEqual(240);
        break;
      }
    }
  });
});

describe("S1: SSE events split inside multibyte characters", () => {
  it("cuts bytes into pieces that end inside characters and join back", () => {
    const bytes = new TextEncoder().encode("It’s ✨ 🚀");

    for (let size = 1; size <= 7; size += 1) {
      const pieces = sliceBytes(bytes, size);
      expect(Buffer.concat(pieces)).toEqual(Buffer.from(bytes));
      if (size < 4) {
        const decoded = pieces.map((piece) => new TextDecoder().decode(piece));
        expect(decoded.some((text) => text.includes("\uFFFD"))).toBe(true);
      }
    }
  });

  it("delivers the cut pieces to the client as separate reads", async () => {
    const response = await fetch(`${simulator.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-test", [FAULT_HEADERS.splitBytes]: "1" },
      body: JSON.stringify({
        model: "gpt-5.4-mini",
        messages: [{ role: "user", content: HELLO_PROMPT }],
        stream: true,
      }),
    });

    // Without the fault this answer arrives in a read or two; one byte per
    // read means every multibyte character reaches the client cut.
    let cutCharacters = 0;
    for await (const bytes of response.body ?? []) {
      if (new TextDecoder().decode(bytes).includes("\uFFFD")) {
        cutCharacters += 1;
      }
    }
    expect(cutCharacters).toBeGreaterThan(0);
  });

  it("keeps OpenAI text and usage intact for every split size from 1 to 7 bytes", async () => {
    const original = chooseAnswer(HELLO_PROMPT).text;
    const whole = await streamOpenAi({ prompt: HELLO_PROMPT });

    for (let size = 1; size <= 7; size += 1) {
      const { text, usage } = await streamOpenAi({
        prompt: HELLO_PROMPT,
        headers: { [FAULT_HEADERS.splitBytes]: String(size) },
      });

      expect(text).toBe(original);
      expect(text).not.toContain("\uFFFD");
      expect(usage).toEqual(whole.usage);
    }
  });

  it("keeps Anthropic text and usage intact for every split size from 1 to 7 bytes", async () => {
    const original = chooseAnswer(HELLO_PROMPT).text;
    const whole = await streamAnthropic({ prompt: HELLO_PROMPT });
    const usageOf = (events: Anthropic.RawMessageStreamEvent[]) =>
      events.flatMap((event) => (event.type === "message_delta" ? [event.usage] : []));

    for (let size = 1; size <= 7; size += 1) {
      const { text, events } = await streamAnthropic({
        prompt: HELLO_PROMPT,
        headers: { [FAULT_HEADERS.splitBytes]: String(size) },
      });

      expect(text).toBe(original);
      expect(text).not.toContain("\uFFFD");
      expect(usageOf(events)).toEqual(usageOf(whole.events));
    }
  });
});

describe("request log", () => {
  it("records each request with its body and marks it completed", async () => {
    const { request_id } = await openai()
      .chat.completions.create({
        model: "gpt-5.4-mini",
        messages: [{ role: "user", content: COUNTER_PROMPT }],
      })
      .withResponse();

    const record = simulator.requests.find((request) => request.id === request_id);
    expect(record).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      body: { model: "gpt-5.4-mini" },
      completed: true,
    });
    await vi.waitFor(() =>
      expect(record?.closedAt).toBeGreaterThanOrEqual(record?.receivedAt ?? 0),
    );
  });

  it("sees the connection close when the client aborts mid-stream", async () => {
    const slow = { [PACING_HEADERS.chunkDelayMs]: "50" };
    const { data: stream, request_id } = await openai(slow)
      .chat.completions.create({
        model: "gpt-5.4-mini",
        messages: [{ role: "user", content: COUNTER_PROMPT }],
        stream: true,
      })
      .withResponse();

    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) {
        break; // Leaving the loop aborts the SDK's request.
      }
    }

    const record = simulator.requests.find((request) => request.id === request_id);
    await vi.waitFor(() => expect(record?.closedAt).toBeDefined(), { timeout: 2_000 });
    expect(record?.completed).toBe(false);
  });
});
