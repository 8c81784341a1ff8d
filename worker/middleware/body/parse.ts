import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "../../errors.ts";

/** Reads and validates a JSON body, answering bad input with a stable code. */
export async function parseJsonBody<Schema extends z.ZodType>(
  c: Context,
  schema: Schema,
): Promise<z.infer<Schema>> {
  // JSON only: a text/plain or form body is the shape of a cross-site form post.
  const contentType = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType.trim())) {
    throw new ApiError({
      status: 415,
      code: "unsupported_media_type",
      message: "The request body must be JSON.",
      hint: "Send it with `Content-Type: application/json`.",
    });
  }

  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError({
      status: 400,
      code: "invalid_json",
      message: "The request body is not valid JSON.",
      hint: "Send a JSON object with `Content-Type: application/json`.",
    });
  }

  const result = schema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first?.path.length ? first.path.join(".") : "body";
    throw new ApiError({
      status: 400,
      code: "invalid_body",
      message: `Invalid ${where}: ${first?.message ?? "unexpected value"}.`,
      hint: "See the API section of the README for the expected body.",
    });
  }
  return result.data;
}
