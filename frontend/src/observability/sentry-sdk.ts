/**
 * The parts of the Sentry browser SDK the SPA uses, re-exported from one
 * module so the dynamic import of this file tree-shakes the rest (replay,
 * feedback, tracing) out of the lazily loaded chunk.
 */
export { init, setTag } from "@sentry/browser";
