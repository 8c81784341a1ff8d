import type { Provider } from "@supabase/supabase-js";
import { type FormEvent, useEffect, useId, useState } from "react";
import type { ClientConfig } from "../../../contract/api.ts";
import { enabledOAuthProviders, supabaseFor } from "./supabase-auth.ts";

type Settings = NonNullable<ClientConfig["supabase"]>;
type Status =
  | { kind: "idle" }
  | { kind: "pending" }
  | { kind: "sent" }
  | { kind: "error"; message: string };

/** Email and password, a magic link, and the OAuth providers the project enables. */
export function SupabaseSignInForm({ settings }: { settings: Settings }) {
  const emailId = useId();
  const passwordId = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [status, setStatus] = useState<Status>({ kind: "idle" });
  const [providers, setProviders] = useState<string[]>([]);

  useEffect(() => {
    void enabledOAuthProviders(settings).then(setProviders);
  }, [settings]);

  const loadClient = () =>
    supabaseFor(settings).catch(() => {
      setStatus({
        kind: "error",
        message: "Sign-in could not load. Check your connection and try again.",
      });
      return null;
    });

  const signIn = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setStatus({ kind: "pending" });
    const supabase = await loadClient();
    if (!supabase) return;
    const { error } = await supabase.auth.signInWithPassword({ email: email.trim(), password });
    setStatus(error ? { kind: "error", message: error.message } : { kind: "idle" });
  };

  const sendMagicLink = async () => {
    if (!email.trim()) {
      setStatus({ kind: "error", message: "Enter your email address first." });
      return;
    }
    setStatus({ kind: "pending" });
    const supabase = await loadClient();
    if (!supabase) return;
    const { error } = await supabase.auth.signInWithOtp({
      email: email.trim(),
      options: { emailRedirectTo: window.location.origin },
    });
    setStatus(error ? { kind: "error", message: error.message } : { kind: "sent" });
  };

  const signInWith = async (provider: string) => {
    const supabase = await loadClient();
    if (!supabase) return;
    // The provider name comes from the project's own settings.
    await supabase.auth.signInWithOAuth({
      provider: provider as Provider,
      options: { redirectTo: window.location.origin },
    });
  };

  const pending = status.kind === "pending";
  return (
    <form className="sign-in__form" onSubmit={signIn}>
      <label htmlFor={emailId}>Email</label>
      <input
        id={emailId}
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
      />
      <label htmlFor={passwordId}>Password</label>
      <input
        id={passwordId}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <button type="submit" className="button button--primary" disabled={pending || !password}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <button type="button" className="button" disabled={pending} onClick={sendMagicLink}>
        Email me a sign-in link
      </button>
      {providers.map((provider) => (
        <button
          key={provider}
          type="button"
          className="button"
          onClick={() => void signInWith(provider)}
        >
          Continue with {provider}
        </button>
      ))}
      {status.kind === "sent" ? (
        <p className="notice" role="status">
          Check your inbox: the link signs you in.
        </p>
      ) : null}
      {status.kind === "error" ? (
        <p className="notice notice--error" role="alert">
          {status.message}
        </p>
      ) : null}
    </form>
  );
}
