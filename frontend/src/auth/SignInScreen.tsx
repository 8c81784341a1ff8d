import { type FormEvent, useId, useState } from "react";
import type { ClientConfig } from "../../../contract/api.ts";
import { devSignIn } from "../api/endpoints.ts";
import type { ApiError } from "../api/errors.ts";
import { ErrorNotice } from "../layout/ErrorNotice.tsx";
import { SupabaseSignInForm } from "./SupabaseSignInForm.tsx";
import { startSession } from "./session-store.ts";

export type SignInScreenProps = { config: ClientConfig; notice: string | null };

export function SignInScreen({ config, notice }: SignInScreenProps) {
  return (
    <main className="sign-in">
      <section className="sign-in__card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Kiln</h1>
        <p className="muted">
          Chat with a model, watch the code arrive, and run it in a live preview.
        </p>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        {config.supabase ? (
          <SupabaseSignInForm settings={config.supabase} />
        ) : config.devSignIn ? (
          <DevSignInForm />
        ) : (
          <p className="notice">Sign-in via Supabase is not configured.</p>
        )}
      </section>
    </main>
  );
}

function DevSignInForm() {
  const emailId = useId();
  const [email, setEmail] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setPending(true);
    setError(null);

    const result = await devSignIn(email.trim());
    setPending(false);
    if (result.ok) {
      startSession(result.data);
    } else {
      setError(result.error);
    }
  };

  return (
    <form className="sign-in__form" onSubmit={onSubmit}>
      <label htmlFor={emailId}>Email</label>
      <input
        id={emailId}
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
      />
      <button type="submit" className="button button--primary" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <p className="muted small">Development sign-in: any address works on this machine.</p>
      {error ? <ErrorNotice error={error} title="Could not sign in" /> : null}
    </form>
  );
}
