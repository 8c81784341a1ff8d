/**
 * The incident switches: sandboxes off everywhere, a provider off, every
 * chat forced onto one fallback model. They live in KV and act within a
 * minute, without a deploy; each change says who made it and when.
 */
import { useState } from "react";
import type {
  IncidentSwitches,
  IncidentSwitchesUpdate,
} from "../../../../contract/observability.ts";
import { PROVIDER_IDS, type ProviderId, providerIdSchema } from "../../../../contract/routing.ts";
import type { ApiError } from "../../api/errors.ts";
import { ErrorNotice } from "../../layout/ErrorNotice.tsx";
import { putIncidentSwitches } from "../api.ts";

export function IncidentSwitchesPanel(props: {
  switches: IncidentSwitches;
  onChanged: (switches: IncidentSwitches) => void;
}) {
  const { switches } = props;
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fallback, setFallback] = useState(
    switches.forcedFallback
      ? `${switches.forcedFallback.provider}/${switches.forcedFallback.model}`
      : "",
  );

  async function change(update: IncidentSwitchesUpdate) {
    setSaving(true);
    const result = await putIncidentSwitches(update);
    setSaving(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    props.onChanged(result.data);
  }

  function toggleProvider(provider: ProviderId, off: boolean) {
    const next = off
      ? [...switches.providersOff, provider]
      : switches.providersOff.filter((name) => name !== provider);
    void change({ providersOff: [...new Set(next)] });
  }

  return (
    <section className="obs-card" aria-label="Incident switches">
      <h3>Incident switches</h3>
      <p className="small muted">Take effect within a minute on every edge; no deploy.</p>

      <label className="obs-switch">
        <span>Disable sandboxes globally</span>
        <input
          type="checkbox"
          checked={switches.sandboxesDisabled}
          disabled={saving}
          onChange={(event) => void change({ sandboxesDisabled: event.target.checked })}
        />
      </label>

      <fieldset className="obs-fieldset" disabled={saving}>
        <legend className="small">Providers switched off</legend>
        {PROVIDER_IDS.map((provider) => (
          <label key={provider} className="obs-switch">
            <span>{provider}</span>
            <input
              type="checkbox"
              checked={switches.providersOff.includes(provider)}
              onChange={(event) => toggleProvider(provider, event.target.checked)}
            />
          </label>
        ))}
      </fieldset>

      <form
        className="obs-switch"
        onSubmit={(event) => {
          event.preventDefault();
          void change({ forcedFallback: parseTarget(fallback) });
        }}
      >
        <label htmlFor="forced-fallback">Force fallback</label>
        <input
          id="forced-fallback"
          type="text"
          placeholder="provider/model"
          value={fallback}
          disabled={saving}
          onChange={(event) => setFallback(event.target.value)}
        />
        <button type="submit" className="button button--small" disabled={saving}>
          {fallback.trim() ? "Force" : "Clear"}
        </button>
      </form>

      {switches.updatedAt ? (
        <p className="small muted">
          Last changed {new Date(switches.updatedAt).toLocaleString()} by {switches.updatedBy}.
        </p>
      ) : null}
      {error ? <ErrorNotice title="The switch did not change" error={error} /> : null}
    </section>
  );
}

/** `anthropic/claude-haiku-4-5` → provider and model; empty → no forced fallback. */
function parseTarget(text: string): IncidentSwitches["forcedFallback"] {
  const [provider, ...model] = text.trim().split("/");
  const parsed = providerIdSchema.safeParse(provider);
  if (!parsed.success || model.length === 0) return null;
  return { provider: parsed.data, model: model.join("/") };
}
