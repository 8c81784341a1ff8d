import {
  PROVIDER_IDS,
  type ProviderId,
  type RoutingConfig,
  type RoutingTarget,
} from "../../../contract/routing.ts";

export type RoutingEditorProps = {
  config: RoutingConfig;
  onChange: (config: RoutingConfig) => void;
};

/**
 * Provider switches and, per model class, the ordered targets with their
 * on/off switch, retries and timeouts. Edits stay local until Save.
 */
export function RoutingEditor({ config, onChange }: RoutingEditorProps) {
  const toggleProvider = (provider: ProviderId, enabled: boolean) => {
    const disabled = new Set(config.disabledProviders);
    if (enabled) disabled.delete(provider);
    else disabled.add(provider);
    onChange({ ...config, disabledProviders: [...disabled] });
  };

  const updateTarget = (name: string, index: number, patch: Partial<RoutingTarget>) => {
    const modelClass = config.classes[name];
    if (!modelClass) return;
    const targets = modelClass.targets.map((target, at) =>
      at === index ? { ...target, ...patch } : target,
    );
    onChange({ ...config, classes: { ...config.classes, [name]: { targets } } });
  };

  return (
    <>
      <section className="ops-section" aria-labelledby="providers-title">
        <h2 id="providers-title">Providers</h2>
        <ul className="ops-switches">
          {PROVIDER_IDS.map((provider) => (
            <li key={provider}>
              <label>
                <input
                  type="checkbox"
                  checked={!config.disabledProviders.includes(provider)}
                  onChange={(event) => toggleProvider(provider, event.target.checked)}
                />{" "}
                Provider {provider} enabled
              </label>
            </li>
          ))}
        </ul>
      </section>

      {Object.entries(config.classes).map(([name, modelClass]) => (
        <section key={name} className="ops-section" aria-labelledby={`class-${name}`}>
          <h2 id={`class-${name}`}>
            Model class “{name}”{name === config.defaultClass ? " (default)" : ""}
          </h2>
          <table className="ops-table">
            <thead>
              <tr>
                <th>#</th>
                <th>Provider</th>
                <th>Model</th>
                <th>On</th>
                <th>Retries</th>
                <th>Connect / first token / idle (ms)</th>
              </tr>
            </thead>
            <tbody>
              {modelClass.targets.map((target, index) => (
                <tr key={`${target.provider}:${target.model}`}>
                  <td>{index + 1}</td>
                  <td>{target.provider}</td>
                  <td>
                    <input
                      aria-label={`Model of ${name} target ${index + 1}`}
                      value={target.model}
                      onChange={(event) => updateTarget(name, index, { model: event.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${name} target ${index + 1} enabled`}
                      checked={target.enabled}
                      onChange={(event) =>
                        updateTarget(name, index, { enabled: event.target.checked })
                      }
                    />
                  </td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      max={3}
                      aria-label={`Retries of ${name} target ${index + 1}`}
                      value={target.retries}
                      onChange={(event) =>
                        updateTarget(name, index, { retries: Number(event.target.value) })
                      }
                    />
                  </td>
                  <td>
                    {target.timeouts.connectMs} / {target.timeouts.firstTokenMs} /{" "}
                    {target.timeouts.idleMs}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
