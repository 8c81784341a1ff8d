import { lazy, Suspense } from "react";
import { SignInScreen } from "./auth/SignInScreen.tsx";
import { TeamPage } from "./auth/TeamPage.tsx";
import { useConfig } from "./auth/use-config.ts";
import { useSession, useSupabaseSession } from "./auth/use-session.ts";
import { ErrorNotice } from "./layout/ErrorNotice.tsx";
import { Header } from "./layout/Header.tsx";
import { useErrorReporting } from "./observability/error-reporting.ts";
import { OpsPage } from "./ops/OpsPage.tsx";
import { WorkspacePage } from "./workspace/WorkspacePage.tsx";

const UsagePage = lazy(() => import("./usage/UsagePage.tsx"));

export function App() {
  const { state: configState, reload } = useConfig();
  const { session, notice } = useSession();
  useSupabaseSession(configState.status === "ready" ? configState.config : null);
  useErrorReporting(
    configState.status === "ready" ? configState.config : null,
    session?.teamId ?? undefined,
  );

  if (configState.status === "loading") {
    return (
      <p className="splash" role="status">
        Loading Kiln…
      </p>
    );
  }

  if (configState.status === "error") {
    return (
      <main className="splash">
        <ErrorNotice
          title="Kiln could not start"
          error={configState.error}
          actions={
            <button type="button" className="button" onClick={() => void reload()}>
              Try again
            </button>
          }
        />
      </main>
    );
  }

  if (!session) {
    return (
      <div className="app">
        <Header config={configState.config} email={null} />
        <SignInScreen config={configState.config} notice={notice} />
      </div>
    );
  }

  if (window.location.pathname === "/team") {
    return <TeamPage config={configState.config} session={session} />;
  }
  if (window.location.pathname === "/usage") {
    return (
      <Suspense fallback={<p className="splash">Loading usage…</p>}>
        <UsagePage config={configState.config} session={session} />
      </Suspense>
    );
  }

  if (window.location.pathname === "/ops") {
    return <OpsPage config={configState.config} session={session} />;
  }
  return <WorkspacePage config={configState.config} session={session} />;
}
