/** The bindings and variables the Worker and the TeamGateway object receive. */
export type Env = {
  ENVIRONMENT: string;
  KILN_VERSION: string;
  ASSETS: Fetcher;
  TEAM_GATEWAY: DurableObjectNamespace<import("../durable-objects/team-gateway.ts").TeamGateway>;
  KILN_KV: KVNamespace;
  HYPERDRIVE: Hyperdrive;
  /** Messages, request metadata and sandbox records, saved in batches (db/write-queue.ts). */
  KILN_WRITES: Queue<import("./db/write-queue.ts").WriteMessage>;

  /** HS256 secret of the Supabase project (legacy JWT secret) or the local one. */
  SUPABASE_JWT_SECRET?: string;
  SUPABASE_URL?: string;
  /** Overrides the JWKS location derived from SUPABASE_URL. */
  SUPABASE_JWKS_URL?: string;
  /** The project's publishable (anon) key: lets the SPA sign in with supabase-js. */
  SUPABASE_ANON_KEY?: string;

  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  /** An OpenAI-compatible server (Ollama, vLLM, OpenRouter): base URL ending in /v1. */
  OPENAI_COMPATIBLE_BASE_URL?: string;
  OPENAI_COMPATIBLE_API_KEY?: string;
  /** openai | anthropic | openai-compatible | simulator; chosen from the keys when unset. */
  KILN_PROVIDER?: string;
  KILN_MODEL?: string;
  /** Development sign-in only: comma-separated emails that get the platform operator role. */
  KILN_PLATFORM_OPERATORS?: string;
  /** How long a TeamGateway keeps the routing read from KV, in ms (default 5000). */
  KILN_ROUTING_CACHE_MS?: string;
  /** How long a dropped stream waits for its client to come back, in ms (default 10000). */
  KILN_STREAM_GRACE_MS?: string;
  /** Silence after which an answer's stream gets an SSE keep-alive comment, in ms (default 15000). */
  KILN_SSE_KEEPALIVE_MS?: string;
  /** Where the local provider simulator listens when no provider is configured. */
  KILN_SIMULATOR_URL?: string;

  /** Edge rate limits (worker/middleware/rate-limit): Upstash when both are set. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** JSON `{"user"|"team"|"ip": {"limit", "windowSeconds"}}`; defaults in rate-limit/config.ts. */
  KILN_RATE_LIMITS?: string;
  KILN_RATE_LIMIT_TIMEOUT_MS?: string;
  KILN_RATE_LIMIT_PREFIX?: string;
  /** Workers rate-limiting bindings, used when Upstash is not configured or not answering. */
  RATE_LIMIT_USER?: RateLimit;
  RATE_LIMIT_TEAM?: RateLimit;
  RATE_LIMIT_IP?: RateLimit;
  /** "off" turns the KV prompt cache off (durable-objects/cache/prompt-cache.ts). */
  KILN_PROMPT_CACHE?: string;
  /** E2B sandboxes; without a key, web templates preview in the browser only. */
  E2B_API_KEY?: string;
  /** Control-plane base URL; the local E2B simulator's origin in development. */
  E2B_API_URL?: string;
  /** One origin for envd and the code interpreter; set only for the local simulator. */
  E2B_SANDBOX_URL?: string;
  /** Sign-up stage while KV holds no admission policy: allow_list | waitlist | open (default). */
  KILN_ADMISSION_DEFAULT?: string;

  // Observability (issue 7): each is optional; unset means off.
  PLATFORM_METRICS: DurableObjectNamespace<
    import("../durable-objects/observability/platform-metrics.ts").PlatformMetrics
  >;
  /** Workers Analytics Engine dataset for platform-wide figures. */
  KILN_ANALYTICS?: AnalyticsEngineDataset;
  SENTRY_DSN?: string;
  /** Browser DSN for the SPA (often a separate Sentry project); falls back to SENTRY_DSN. */
  SENTRY_BROWSER_DSN?: string;
  /** OTLP/HTTP collector base URL; spans go to `${url}/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  /** `key=value,key2=value2` headers for the collector (its API key). */
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  /** Salt for the user hash in logs, spans and reports that leave Kiln. */
  KILN_LOG_HASH_SALT?: string;
  /** The lowest log level written: info (default), warn or error. */
  KILN_LOG_LEVEL?: string;
  /** Slack-compatible incoming webhook for alerts. */
  ALERT_WEBHOOK_URL?: string;
  /** Linked from every alert; defaults to docs/runbook.md in the repository. */
  KILN_RUNBOOK_URL?: string;
  /** How long a chat turn may reuse the incident switches it read (ms); 15 s by default. */
  KILN_SWITCHES_CACHE_MS?: string;
  /** How long a team object keeps the price table it read (ms, default 10 s). */
  KILN_PRICES_CACHE_MS?: string;
};

export type AppVariables = {
  requestId: string;
  auth: import("./auth/verify.ts").AuthContext;
  /** The one verification of this request's bearer token (worker/middleware/auth/). */
  bearerCheck?: Promise<import("./auth/verify.ts").AuthContext | undefined>;
  /** The active team and the caller's role in it, set by `allow()` on team routes. */
  team: import("../contract/api.ts").TeamView;
  /** This request's hop in its W3C trace (worker/observability/trace.ts). */
  trace: import("./observability/trace.ts").TraceContext;
  /** The team the request acts for, once a route has resolved it (for the request log). */
  teamId?: string;
};

export type AppBindings = { Bindings: Env; Variables: AppVariables };
