import type { ReactNode } from "react";
import type { ApiError } from "../api/errors.ts";

export type ErrorNoticeProps = {
  error: ApiError;
  title?: string;
  /** Buttons that act on the error, such as Retry. */
  actions?: ReactNode;
};

/** An API error as a person reads it: what happened, what to do, how to report it. */
export function ErrorNotice({ error, title, actions }: ErrorNoticeProps) {
  return (
    <div className="error-notice" role="alert">
      {title ? <p className="error-notice__title">{title}</p> : null}
      <p className="error-notice__message">{error.message}</p>
      {error.hint ? <p className="error-notice__hint">{error.hint}</p> : null}
      {error.requestId || error.traceId ? (
        <p className="error-notice__meta">
          {error.traceId ? (
            <>
              Trace id <code data-testid="trace-id">{error.traceId}</code>{" "}
            </>
          ) : null}
          {error.requestId ? (
            <>
              Request id <code>{error.requestId}</code>
            </>
          ) : null}
        </p>
      ) : null}
      {actions ? <div className="error-notice__actions">{actions}</div> : null}
    </div>
  );
}
