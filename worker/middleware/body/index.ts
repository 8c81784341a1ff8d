import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppBindings } from "../../env.ts";
import { ApiError } from "../../errors.ts";

/**
 * Caps request bodies on the bytes actually read (hono counts the stream, so
 * a missing or false Content-Length does not get past it).
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppBindings> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError({
        status: 413,
        code: "payload_too_large",
        message: `The request body is larger than ${maxBytes} bytes.`,
        hint: "Attach fewer or smaller files.",
      });
    },
  });
}
