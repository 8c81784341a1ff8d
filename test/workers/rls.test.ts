/**
 * Row Level Security, table by table, through the Worker's own tenant path
 * (`asTenant`: role `authenticated` and the JWT claims set per transaction):
 * a member of team A can neither select, insert, update nor delete team B's
 * rows, and a viewer cannot write. Runs against PGlite, and against the
 * PostgreSQL server when DATABASE_URL is set (CI runs this file both ways).
 */
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthContext } from "../../worker/auth/verify.ts";
import { createSql, type Sql } from "../../worker/db/client.ts";
import { asTenant } from "../../worker/db/tenant.ts";

type Person = AuthContext;

let sql: Sql;
const teamA = crypto.randomUUID();
const teamB = crypto.randomUUID();
const people = {} as Record<"ownerA" | "memberA" | "viewerA" | "ownerB", Person>;
const rows = {} as Record<"conversationA" | "conversationB" | "messageB" | "invitationB", string>;

function person(label: string): Person {
  const userId = crypto.randomUUID();
  const email = `${label}-${userId}@example.com`;
  return {
    userId,
    email,
    isPlatformOperator: false,
    claims: { sub: userId, email, role: "authenticated", aud: "authenticated" },
  };
}

/** Privileged setup: two teams with a conversation, message, invitation and log rows each. */
beforeAll(async () => {
  sql = createSql(env);
  people.ownerA = person("owner-a");
  people.memberA = person("member-a");
  people.viewerA = person("viewer-a");
  people.ownerB = person("owner-b");
  for (const someone of Object.values(people)) {
    await sql`insert into public.profiles (id, email) values (${someone.userId}, ${someone.email})`;
  }
  await sql`insert into public.teams (id, name) values (${teamA}, 'Team A'), (${teamB}, 'Team B')`;
  await sql`insert into public.memberships (team_id, user_id, role) values
    (${teamA}, ${people.ownerA.userId}, 'owner'), (${teamA}, ${people.memberA.userId}, 'member'),
    (${teamA}, ${people.viewerA.userId}, 'viewer'), (${teamB}, ${people.ownerB.userId}, 'owner')`;

  for (const [team, owner, key] of [
    [teamA, people.ownerA, "conversationA"],
    [teamB, people.ownerB, "conversationB"],
  ] as const) {
    const [conversation] = await sql<{ id: string }[]>`
      insert into public.conversations (team_id, created_by, title)
      values (${team}, ${owner.userId}, 'secret plans') returning id`;
    rows[key] = conversation?.id ?? "";
    await sql`insert into public.messages (conversation_id, team_id, author_id, role, content)
      values (${rows[key]}, ${team}, ${owner.userId}, 'user', 'hello')`;
    await sql`insert into public.request_log (team_id, request_id, outcome)
      values (${team}, ${crypto.randomUUID()}, 'complete')`;
    await sql`insert into public.sandbox_records (team_id, id, event)
      values (${team}, ${crypto.randomUUID()}, 'started')`;
  }
  const [message] = await sql<{ id: string }[]>`
    select id from public.messages where team_id = ${teamB}`;
  rows.messageB = message?.id ?? "";
  const [invitation] = await sql<{ id: string }[]>`
    insert into public.invitations (team_id, email, role, invited_by)
    values (${teamB}, 'someone@example.com', 'member', ${people.ownerB.userId}) returning id`;
  rows.invitationB = invitation?.id ?? "";
});

afterAll(async () => {
  await sql`delete from public.teams where id in (${teamA}, ${teamB})`;
  await sql.end({ timeout: 2 });
});

/** What the caller gets back: rows, or the Postgres error code of a refused write. */
async function attempt(someone: Person, statement: string, parameters: unknown[] = []) {
  try {
    const result = await asTenant(sql, someone, (tx) =>
      tx.unsafe(statement, parameters as never[]),
    );
    return { rows: result.length, count: result.count, error: null };
  } catch (error) {
    return { rows: 0, count: 0, error: (error as { code?: string }).code ?? String(error) };
  }
}

const RLS_REFUSED = "42501";

/** Every tenant table, how to name team B's rows in it, and a row to try inserting. */
const tables = [
  {
    table: "teams",
    teamColumn: "id",
    insert: `insert into public.teams (id, name) values ($1, 'x')`,
  },
  {
    table: "memberships",
    teamColumn: "team_id",
    insert: `insert into public.memberships (team_id, user_id, role) values ($1, $2, 'admin')`,
  },
  {
    table: "invitations",
    teamColumn: "team_id",
    insert: `insert into public.invitations (team_id, email, role, invited_by) values ($1, 'x@example.com', 'member', $2)`,
  },
  {
    table: "conversations",
    teamColumn: "team_id",
    insert: `insert into public.conversations (team_id, created_by, title) values ($1, $2, 'x')`,
  },
  {
    table: "messages",
    teamColumn: "team_id",
    insert: `insert into public.messages (conversation_id, team_id, role, content) values ($3, $1, 'user', $2::text)`,
  },
  {
    table: "request_log",
    teamColumn: "team_id",
    insert: `insert into public.request_log (team_id, request_id, outcome) values ($1, gen_random_uuid()::text, 'x')`,
  },
  {
    table: "sandbox_records",
    teamColumn: "team_id",
    insert: `insert into public.sandbox_records (team_id, id, event) values ($1, gen_random_uuid()::text, 'x')`,
  },
] as const;

async function teamBRowCount(table: string, teamColumn: string) {
  const [row] = await sql.unsafe<{ count: number }[]>(
    `select count(*)::int as count from public.${table} where ${teamColumn} = $1`,
    [teamB],
  );
  return row?.count ?? 0;
}

describe.each(tables)("$table: a member of team A and team B's rows", (spec) => {
  it("cannot select them, even with no team filter", async () => {
    const filtered = await attempt(
      people.ownerA,
      `select * from public.${spec.table} where ${spec.teamColumn} = $1`,
      [teamB],
    );
    expect(filtered).toMatchObject({ rows: 0, error: null });

    const unfiltered = await attempt(
      people.ownerA,
      `select 1 from public.${spec.table} where ${spec.teamColumn} <> $1`,
      [teamA],
    );
    expect(unfiltered).toMatchObject({ rows: 0, error: null });
  });

  it("cannot insert them", async () => {
    const before = await teamBRowCount(spec.table, spec.teamColumn);
    const parameters = [
      spec.table === "teams" ? crypto.randomUUID() : teamB,
      people.ownerA.userId,
      rows.conversationB,
    ];
    const used = Math.max(...[...spec.insert.matchAll(/\$(\d)/g)].map((match) => Number(match[1])));
    const result = await attempt(people.ownerA, spec.insert, parameters.slice(0, used));
    expect(result.error).toBe(RLS_REFUSED);
    if (spec.table !== "teams")
      expect(await teamBRowCount(spec.table, spec.teamColumn)).toBe(before);
  });

  it("cannot update or delete them", async () => {
    const before = await teamBRowCount(spec.table, spec.teamColumn);
    const column = spec.table === "teams" ? "name" : "created_at";
    const value = spec.table === "teams" ? "'taken over'" : "now()";
    const updated = await attempt(
      people.ownerA,
      `update public.${spec.table} set ${column} = ${value} where ${spec.teamColumn} = $1`,
      [teamB],
    );
    expect(updated).toMatchObject({ count: 0, error: null });

    const deleted = await attempt(
      people.ownerA,
      `delete from public.${spec.table} where ${spec.teamColumn} = $1`,
      [teamB],
    );
    expect(deleted).toMatchObject({ count: 0, error: null });
    expect(await teamBRowCount(spec.table, spec.teamColumn)).toBe(before);
  });
});

describe("within team A", () => {
  it("a viewer reads conversations and messages but cannot write them", async () => {
    expect(await attempt(people.viewerA, "select * from public.conversations")).toMatchObject({
      rows: 1,
    });
    expect(await attempt(people.viewerA, "select * from public.messages")).toMatchObject({
      rows: 1,
    });

    const conversation = await attempt(
      people.viewerA,
      `insert into public.conversations (team_id, created_by, title) values ($1, $2, 'x')`,
      [teamA, people.viewerA.userId],
    );
    expect(conversation.error).toBe(RLS_REFUSED);
    const message = await attempt(
      people.viewerA,
      `insert into public.messages (conversation_id, team_id, role, content) values ($1, $2, 'user', 'x')`,
      [rows.conversationA, teamA],
    );
    expect(message.error).toBe(RLS_REFUSED);

    for (const statement of [
      "update public.conversations set title = 'x'",
      "delete from public.conversations",
      "delete from public.messages",
      "update public.memberships set role = 'owner'",
      "delete from public.invitations",
    ]) {
      expect(await attempt(people.viewerA, statement)).toMatchObject({ count: 0, error: null });
    }
  });

  it("a member writes conversations and messages but cannot manage people", async () => {
    const conversation = await attempt(
      people.memberA,
      `insert into public.conversations (team_id, created_by, title) values ($1, $2, 'x') returning id`,
      [teamA, people.memberA.userId],
    );
    expect(conversation).toMatchObject({ rows: 1, error: null });

    const promoted = await attempt(
      people.memberA,
      "update public.memberships set role = 'admin' where user_id = $1",
      [people.memberA.userId],
    );
    expect(promoted).toMatchObject({ count: 0, error: null });
    const invited = await attempt(
      people.memberA,
      `insert into public.invitations (team_id, email, role, invited_by) values ($1, 'y@example.com', 'member', $2)`,
      [teamA, people.memberA.userId],
    );
    expect(invited.error).toBe(RLS_REFUSED);
  });

  it("an owner changes a member's role, and no message lands in another team's conversation", async () => {
    const changed = await attempt(
      people.ownerA,
      "update public.memberships set role = 'viewer' where user_id = $1 and team_id = $2",
      [people.memberA.userId, teamA],
    );
    expect(changed).toMatchObject({ count: 1, error: null });
    await sql`update public.memberships set role = 'member' where user_id = ${people.memberA.userId}`;

    // Team A's id on the row, team B's conversation: the composite key refuses it.
    const crossFiled = await attempt(
      people.ownerA,
      `insert into public.messages (conversation_id, team_id, role, content) values ($1, $2, 'user', 'x')`,
      [rows.conversationB, teamA],
    );
    expect(crossFiled.error).not.toBeNull();
  });

  it("the migration bookkeeping is invisible to API roles", async () => {
    const result = await attempt(people.ownerA, "select * from public.kiln_schema_migrations");
    expect(result.rows).toBe(0);
  });
});
