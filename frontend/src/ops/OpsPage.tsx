import { useCallback, useEffect, useState } from "react";
import type { ClientConfig } from "../../../contract/api.ts";
import type { BreakerView, RoutingConfig, RoutingDocument } from "../../../contract/routing.ts";
import type { ApiError } from "../api/errors.ts";
import { getBreakers, getRouting, saveRouting } from "../api/ops.ts";
import type { Session } from "../auth/session-store.ts";
import { ErrorNotice } from "../layout/ErrorNotice.tsx";
import { Header } from "../layout/Header.tsx";
import { OpsObservability } from "../metrics/ops/OpsObservability.tsx";
import { BreakerTable } from "./BreakerTable.tsx";
import { RoutingEditor } from "./RoutingEditor.tsx";
import "../styles/ops.css";

export type OpsPageProps = { config: ClientConfig; session: Session };

/** `/ops`: provider routing and circuit breakers, for platform operators. */
export function OpsPage({ config, session }: OpsPageProps) {
  const [document, setDocument] = useState<RoutingDocument | null>(null);
  const [draft, setDraft] = useState<RoutingConfig | null>(null);
  const [breakers, setBreakers] = useState<{ teamId: string | null; list: BreakerView[] }>({
    teamId: null,
    list: [],
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<number | null>(null);

  const load = useCallback(async () => {
    const result = await getRouting();
    if (!result.ok) return setError(result.error);
    setDocument(result.data.routing);
    setDraft(result.data.routing.config);
  }, []);
  const loadBreakers = useCallback(async () => {
    const result = await getBreakers();
    if (result.ok) setBreakers({ teamId: result.data.teamId, list: result.data.breakers });
  }, []);

  useEffect(() => {
    void load();
    void loadBreakers();
  }, [load, loadBreakers]);

  const save = async () => {
    if (!draft || !document) return;
    setError(null);
    const result = await saveRouting(draft, document.version);
    if (!result.ok) return setError(result.error);
    setDocument(result.data.routing);
    setDraft(result.data.routing.config);
    setSaved(result.data.routing.version);
  };

  return (
    <div className="app">
      <Header config={config} email={session.user.email} operator>
        <a className="button button--ghost" href="/">
          Back to chat
        </a>
      </Header>
      <main className="ops-page">
        <h1>Provider routing</h1>
        {document ? (
          <p className="ops-hint">
            Version {document.version} (
            {document.source === "default" ? "built-in default" : "saved"})
            {document.updatedBy ? `, last saved by ${document.updatedBy}` : ""}. Changes reach every
            team within a few seconds, without a deploy.
          </p>
        ) : null}
        {error ? (
          <ErrorNotice
            title="Could not save"
            error={error}
            actions={
              <button type="button" className="button button--small" onClick={() => void load()}>
                Reload
              </button>
            }
          />
        ) : null}
        {saved !== null ? (
          <p role="status" className="ops-saved">
            Saved version {saved}.
          </p>
        ) : null}
        {draft ? (
          <>
            <RoutingEditor
              config={draft}
              onChange={(next) => {
                setSaved(null);
                setDraft(next);
              }}
            />
            <button type="button" className="button" onClick={() => void save()}>
              Save routing
            </button>
          </>
        ) : (
          <p role="status">Loading routing…</p>
        )}
        <BreakerTable
          teamId={breakers.teamId}
          breakers={breakers.list}
          onRefresh={() => void loadBreakers()}
        />
        <h2>Platform health and incident switches</h2>
        <OpsObservability />
      </main>
    </div>
  );
}
