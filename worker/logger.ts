/**
 * One structured JSON line per event. Shipped code logs only through here;
 * callers pass fields, never prompts, code, tokens or keys. As a second line
 * of defence, fields whose names say they carry such content are replaced by
 * "[redacted]" before the line is written: a mistake in a caller costs a
 * field, not a leak.
 *
 * `child()` binds fields every line of a request must carry (request id,
 * trace id, team), so the trace id is in every line without each caller
 * remembering it.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export type Logger = {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
};

type Level = "info" | "warn" | "error";

const LEVELS: Level[] = ["info", "warn", "error"];
let lowest: Level = "info";

/**
 * The lowest level written (`KILN_LOG_LEVEL`: info, the default, warn or
 * error); lines below it are not even formatted. Set from the environment
 * as each entry point starts, since the logger is shared by the module.
 */
export function setLogLevel(value: string | undefined): void {
  lowest = LEVELS.includes(value as Level) ? (value as Level) : "info";
}

/** Field names that would carry content or credentials; checked case-insensitively. */
const FORBIDDEN_FIELD =
  /^(prompt|message|messages|content|text|code|system|body|authorization|cookie|password|secret|api_?key|access_?token|refresh_?token|token)$/i;

export function safeFields(fields: LogFields | undefined): LogFields {
  const safe: LogFields = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    safe[key] = FORBIDDEN_FIELD.test(key) ? "[redacted]" : value;
  }
  return safe;
}

function write(level: Level, event: string, fields: LogFields) {
  if (LEVELS.indexOf(level) < LEVELS.indexOf(lowest)) return;
  const line = JSON.stringify({
    level,
    event,
    time: new Date().toISOString(),
    ...safeFields(fields),
  });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

function createLogger(bound: LogFields): Logger {
  return {
    info: (event, fields) => write("info", event, { ...bound, ...fields }),
    warn: (event, fields) => write("warn", event, { ...bound, ...fields }),
    error: (event, fields) => write("error", event, { ...bound, ...fields }),
    child: (fields) => createLogger({ ...bound, ...fields }),
  };
}

export const logger: Logger = createLogger({});
