/**
 * Connect protocol framing with the JSON codec, as envd speaks it: each
 * message of a stream is an envelope of one flag byte, a 4-byte big-endian
 * length and the JSON payload; flag 0x02 marks the end-of-stream envelope.
 */
export const END_STREAM_FLAG = 0x02;

export function envelope(payload: unknown, flags = 0): Buffer {
  const json = Buffer.from(JSON.stringify(payload), "utf8");
  const header = Buffer.alloc(5);
  header.writeUInt8(flags, 0);
  header.writeUInt32BE(json.length, 1);
  return Buffer.concat([header, json]);
}

/** Reads the single flag-0 envelope a server-streaming request carries. */
export function readRequestEnvelope(body: Buffer): unknown {
  if (body.length < 5) throw new Error("connect request shorter than an envelope header");
  const length = body.readUInt32BE(1);
  return JSON.parse(body.subarray(5, 5 + length).toString("utf8"));
}

export function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
