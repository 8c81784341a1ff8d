import "./team.css";
import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import type { ClientConfig, TeamMembersResponse, TeamRoleName } from "../../../contract/api.ts";
import {
  acceptInvitation,
  changeMemberRole,
  getTeamMembers,
  inviteMember,
  removeMember,
  withdrawInvitation,
} from "../api/endpoints.ts";
import type { ApiError } from "../api/errors.ts";
import { ErrorNotice } from "../layout/ErrorNotice.tsx";
import { Header } from "../layout/Header.tsx";
import { type Session, setActiveTeam } from "./session-store.ts";
import { useMe } from "./use-session.ts";

const ROLES: TeamRoleName[] = ["owner", "admin", "member", "viewer"];
type InviteRole = "admin" | "member" | "viewer";

export type TeamPageProps = { config: ClientConfig; session: Session };

/** `/team`: the active team's people. Owners and admins invite, remove and change roles. */
export function TeamPage({ config, session }: TeamPageProps) {
  const [data, setData] = useState<TeamMembersResponse | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const { me, reload: reloadMe } = useMe(true);

  // A successful reload must not clear the error of the action that preceded it.
  const load = useCallback(async () => {
    const result = await getTeamMembers();
    if (result.ok) setData(result.data);
    else setError(result.error);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (work: () => Promise<{ ok: boolean; error?: ApiError }>) => {
    setError(null);
    const result = await work();
    if (!result.ok && result.error) setError(result.error);
    await load();
    return result.ok;
  };

  const manager = data?.team.role === "owner" || data?.team.role === "admin";
  const owner = data?.team.role === "owner";

  return (
    <div className="app">
      <Header config={config} email={session.user.email}>
        <a className="button button--ghost" href="/">
          Back to chat
        </a>
      </Header>
      <main className="team-page">
        <h1>{data ? data.team.name : "Team"}</h1>
        {data ? <p className="muted">Your role: {data.team.role}</p> : null}
        {error ? <ErrorNotice error={error} title="That did not work" /> : null}

        {me?.invitations && me.invitations.length > 0 ? (
          <section aria-labelledby="my-invitations">
            <h2 id="my-invitations">Invitations for you</h2>
            <ul className="team-page__list">
              {me.invitations.map((invitation) => (
                <li key={invitation.id}>
                  {invitation.teamName} as {invitation.role}{" "}
                  <button
                    type="button"
                    className="button"
                    onClick={async () => {
                      const result = await acceptInvitation(invitation.id);
                      if (!result.ok) return setError(result.error);
                      setActiveTeam(result.data.team.id);
                      reloadMe();
                      window.location.assign("/team");
                    }}
                  >
                    Accept
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        {data ? (
          <section aria-labelledby="members">
            <h2 id="members">Members</h2>
            <table className="team-page__table">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  {manager ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {data.members.map((member) => {
                  const editable = manager && (owner || member.role !== "owner");
                  return (
                    <tr key={member.userId}>
                      <td>{member.email}</td>
                      <td>
                        {editable ? (
                          <select
                            aria-label={`Role of ${member.email}`}
                            value={member.role}
                            onChange={(event) =>
                              act(() =>
                                changeMemberRole(member.userId, event.target.value as TeamRoleName),
                              )
                            }
                          >
                            {ROLES.filter((role) => owner || role !== "owner").map((role) => (
                              <option key={role} value={role}>
                                {role}
                              </option>
                            ))}
                          </select>
                        ) : (
                          member.role
                        )}
                      </td>
                      {manager ? (
                        <td>
                          {editable && member.userId !== session.user.id ? (
                            <button
                              type="button"
                              className="button button--ghost"
                              onClick={() => act(() => removeMember(member.userId))}
                            >
                              Remove
                            </button>
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        ) : null}

        {manager && data ? (
          <section aria-labelledby="invite">
            <h2 id="invite">Invite someone</h2>
            <InviteForm onInvite={(email, role) => act(() => inviteMember({ email, role }))} />
            {data.invitations.length > 0 ? (
              <ul className="team-page__list" aria-label="Pending invitations">
                {data.invitations.map((invitation) => (
                  <li key={invitation.id}>
                    {invitation.email} as {invitation.role}{" "}
                    <button
                      type="button"
                      className="button button--ghost"
                      onClick={() => act(() => withdrawInvitation(invitation.id))}
                    >
                      Withdraw
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
          </section>
        ) : null}
      </main>
    </div>
  );
}

function InviteForm({
  onInvite,
}: {
  /** Resolves to whether the invitation was sent. */
  onInvite: (email: string, role: InviteRole) => Promise<boolean>;
}) {
  const emailId = useId();
  const roleId = useId();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<InviteRole>("member");

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // On a refusal the address stays, so the person can fix it.
    if (await onInvite(email.trim(), role)) setEmail("");
  };

  return (
    <form className="team-page__invite" onSubmit={submit}>
      <label htmlFor={emailId}>Email</label>
      <input
        id={emailId}
        type="email"
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
      />
      <label htmlFor={roleId}>Role</label>
      <select
        id={roleId}
        value={role}
        onChange={(event) => setRole(event.target.value as InviteRole)}
      >
        <option value="admin">admin</option>
        <option value="member">member</option>
        <option value="viewer">viewer</option>
      </select>
      <button type="submit" className="button button--primary">
        Invite
      </button>
    </form>
  );
}
