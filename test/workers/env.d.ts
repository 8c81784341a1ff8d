// `env` from "cloudflare:test" is typed as Cloudflare.Env: make it Kiln's Env.
type KilnEnv = import("../../worker/env.ts").Env;

declare namespace Cloudflare {
  interface Env extends KilnEnv {}
}
