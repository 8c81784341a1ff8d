/**
 * What `POST /api/chat` accepts before anything is saved or sent: which
 * Idempotency-Keys, when a retried body counts as the same message, and
 * which `model` names.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { joinedText } from "../support/sse.ts";
import {
  chat,
  marker,
  metaOf,
  newTag,
  readChatEvents,
  setRouting,
  simCalls,
  TWO_TARGETS,
} from "./gateway-helpers.ts";
import { readError, signIn } from "./helpers.ts";

beforeEach(async () => {
  await setRouting(TWO_TARGETS, {
    classes: { final: { targets: TWO_TARGETS }, draft: { targets: TWO_TARGETS } },
  });
});

describe("Idempotency-Key", () => {
  it("accepts printable ASCII with spaces, and a retry with it replays the answer", async () => {
    const session = await signIn();
    const tag = newTag();
    const message = `a counter ${marker({ tag })}`;
    const headers = { "idempotency-key": "order 17, retry of message 3" };

    const first = await chat(session.access_token, message, headers);
    expect(first.status).toBe(200);
    const answer = await readChatEvents(first);
    expect(answer.at(-1)?.event.type).toBe("done");

    const retry = await chat(session.access_token, message, headers);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(joinedText(await readChatEvents(retry))).toBe(joinedText(answer));
    expect(await simCalls(tag)).toHaveLength(1);
  });

  it.each([
    ["a control character", "abc\tdefghijk", "control or non-ASCII"],
    ["too few characters", "short", "is 5 characters long; it needs at least 8"],
    ["too many characters", "k".repeat(201), "is 201 characters long; at most 200"],
  ])("refuses %s with a 400 that says why", async (_, key, reason) => {
    const session = await signIn();
    const response = await chat(session.access_token, "hi", { "idempotency-key": key });
    expect(response.status).toBe(400);
    const error = await readError(response);
    expect(error.code).toBe("invalid_idempotency_key");
    expect(error.message).toContain(reason);
    expect(error.hint).toContain("8 to 200 printable ASCII characters (spaces allowed)");
  });

  it("accepts exactly 200 characters", async () => {
    const session = await signIn();
    const key = `${crypto.randomUUID()} `.repeat(6).slice(0, 199).concat("z");
    const response = await chat(session.access_token, `a counter ${marker({ tag: newTag() })}`, {
      "idempotency-key": key,
    });
    expect(response.status).toBe(200);
    await readChatEvents(response);
  });
});

describe("a retried body", () => {
  it("is the same message when it only spells out a default (quality: draft, attachments: [])", async () => {
    const session = await signIn();
    const tag = newTag();
    const message = `a counter ${marker({ tag })}`;
    const headers = { "idempotency-key": crypto.randomUUID() };

    const answer = await readChatEvents(await chat(session.access_token, message, headers));
    for (const spelled of [{ quality: "draft" }, { attachments: [], contextIds: [] }]) {
      const retry = await chat(session.access_token, message, headers, spelled);
      expect(retry.status).toBe(200);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      const replayed = await readChatEvents(retry);
      expect(metaOf(replayed).replay).toBe(true);
      expect(joinedText(replayed)).toBe(joinedText(answer));
    }
    expect(await simCalls(tag)).toHaveLength(1);
  });

  it("is still a conflict (422) when it really differs", async () => {
    const session = await signIn();
    const message = `a counter ${marker({ tag: newTag() })}`;
    const headers = { "idempotency-key": crypto.randomUUID() };
    await readChatEvents(await chat(session.access_token, message, headers));

    for (const different of [{ quality: "final" }, { model: "draft" }, { template: "static" }]) {
      const retry = await chat(session.access_token, message, headers, different);
      expect(retry.status).toBe(422);
      expect((await readError(retry)).code).toBe("idempotency_key_reused");
    }
  });
});

describe("model", () => {
  it("answers with a model class the routing knows", async () => {
    const session = await signIn();
    const response = await chat(
      session.access_token,
      `a counter ${marker({ tag: newTag() })}`,
      {},
      {
        model: "final",
      },
    );
    expect(response.status).toBe(200);
    expect((await readChatEvents(response)).at(-1)?.event.type).toBe("done");
  });

  it.each(["gpt-4o", "FINAL", "anything at all"])(
    "refuses %j with 400 and lists the accepted classes, before calling a provider",
    async (model) => {
      const session = await signIn();
      const tag = newTag();
      const response = await chat(
        session.access_token,
        `a counter ${marker({ tag })}`,
        {},
        {
          model,
        },
      );
      expect(response.status).toBe(400);
      const error = await readError(response);
      expect(error.code).toBe("unknown_model");
      expect(error.message).toContain(JSON.stringify(model));
      expect(error.hint).toContain("final, draft");
      expect(await simCalls(tag)).toHaveLength(0);
    },
  );
});
