import type { ReactNode } from "react";
import type { ClientConfig } from "../../../contract/api.ts";
import { endSession } from "../auth/session-store.ts";
import { TeamSwitcher } from "../auth/TeamSwitcher.tsx";
import { SimulatedBadge } from "./SimulatedBadge.tsx";
import { ThemeToggle } from "./ThemeToggle.tsx";

export type HeaderProps = {
  config: ClientConfig;
  email: string | null;
  /** The conversation picker, when signed in. */
  children?: ReactNode;
  /** Platform operators get a link to the ops page. */
  operator?: boolean;
};

export function Header({ config, email, children, operator = false }: HeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="logo" aria-hidden="true">
          ▲
        </span>
        <span className="app-header__name">Kiln</span>
        <SimulatedBadge provider={config.provider} />
      </div>
      <div className="app-header__center">{children}</div>
      <div className="app-header__end">
        <ThemeToggle />
        {operator ? (
          <a className="button button--ghost" href="/ops">
            Ops
          </a>
        ) : null}
        {email ? (
          <>
            <TeamSwitcher />
            <a className="button button--ghost" href="/usage">
              Usage
            </a>
            <span className="app-header__email" title={email}>
              {email}
            </span>
            <button
              type="button"
              className="button button--ghost"
              title={`Signed in as ${email}`}
              onClick={() => endSession()}
            >
              Sign out
            </button>
          </>
        ) : null}
      </div>
    </header>
  );
}
