import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "../../errors.ts";

/** Reads and validates a JSON body, answering bad input with a stable code. */
export async function parseJsonBody<Schema extends z.ZodType>(
  c: Context,
  schema: Schema,
): Promise<z.infer<Schema>> {
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
