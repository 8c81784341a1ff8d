/**
 * Tenant isolation as people see it: two people, each in their own team,
 * in two separate browsers. Each sees their own conversation after a
 * reload and never the other's, not in the list and not by its link. Then
 * one invites the other as a viewer, who can read the team's conversation
 * but is told up front that they cannot send, and inviting Bo again is
 * refused on the page.
 */
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { signIn, withBrowserStack } from "../support/browser-stack.ts";

const kiln = withBrowserStack({
  name: "teams",
  simulatorDelays: { firstTokenDelayMs: 20, chunkDelayMs: 1 },
  browsers: 2,
});
const ada = () => kiln.browsers[0] as BrowserContext;
const bo = () => kiln.browsers[1] as BrowserContext;

async function ask(page: Page, message: string): Promise<string> {
  await page.getByLabel("Message").fill(message);
  await page.getByRole("button", { name: "Send" }).click();
  await expect
    .poll(() => page.getByTestId("assistant-message").last().getAttribute("data-status"), {
      timeout: 30_000,
    })
    .toBe("complete");
  return new URL(page.url()).searchParams.get("c") ?? "";
}

/** The titles in the conversation picker, after the saved list has been read again. */
async function listedTitles(page: Page): Promise<string[]> {
  await page.goto(kiln.stack.url);
  const picker = page.getByLabel("Conversation");
  await expect.poll(() => picker.getAttribute("aria-busy"), { timeout: 15_000 }).toBe("false");
  return picker.locator("option").allTextContents();
}

describe("two people in two teams", () => {
  it("cannot see each other's conversations", async () => {
    const adaPage = await ada().newPage();
    const boPage = await bo().newPage();
    await signIn(adaPage, kiln.stack, "ada@example.com");
    await signIn(boPage, kiln.stack, "bo@example.com");

    const adaConversation = await ask(adaPage, "Ada's secret counter");
    const boConversation = await ask(boPage, "Bo's private to-do list");
    expect(adaConversation).not.toBe("");
    expect(boConversation).not.toBe("");

    // Saved through the write queue: the list shows each one's own once it lands.
    await expect
      .poll(() => listedTitles(adaPage), { timeout: 20_000 })
      .toContain("Ada's secret counter");
    await expect
      .poll(() => listedTitles(boPage), { timeout: 20_000 })
      .toContain("Bo's private to-do list");
    expect(await listedTitles(adaPage)).not.toContain("Bo's private to-do list");
    expect(await listedTitles(boPage)).not.toContain("Ada's secret counter");

    // Bo opens Ada's conversation by its link: not found in Bo's team, nothing shown.
    await boPage.goto(`${kiln.stack.url}/?c=${adaConversation}`);
    await expect
      .poll(
        () =>
          boPage
            .getByText(/does not exist in this team/i)
            .first()
            .isVisible(),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    expect(await boPage.getByText("Ada's secret counter").count()).toBe(0);
  });

  it("an invited viewer reads the team's conversation but cannot send", async () => {
    const adaPage = await ada().newPage();
    const boPage = await bo().newPage();

    await adaPage.goto(`${kiln.stack.url}/team`);
    await adaPage.getByLabel("Email", { exact: true }).fill("bo@example.com");
    await adaPage.getByLabel("Role", { exact: true }).selectOption("viewer");
    await adaPage.getByRole("button", { name: "Invite" }).click();
    await expect
      .poll(() => adaPage.getByText("bo@example.com as viewer").isVisible(), { timeout: 10_000 })
      .toBe(true);

    await boPage.goto(`${kiln.stack.url}/team`);
    await boPage.getByRole("button", { name: "Accept" }).click();
    await expect
      .poll(() => boPage.getByText("Your role: viewer").isVisible(), { timeout: 15_000 })
      .toBe(true);

    await expect
      .poll(() => listedTitles(boPage), { timeout: 20_000 })
      .toContain("Ada's secret counter");
    // A viewer is told up front, and the box is off: no Send that can only fail.
    await expect
      .poll(() => boPage.getByRole("note").textContent(), { timeout: 15_000 })
      .toMatch(/your role in .* is viewer/i);
    expect(await boPage.getByLabel("Message").isDisabled()).toBe(true);
    expect(await boPage.getByRole("button", { name: /^Send/ }).isDisabled()).toBe(true);

    // The API says the same to a viewer who calls it directly.
    const refused = await boPage.evaluate(async (url) => {
      const session = JSON.parse(localStorage.getItem("kiln.session") ?? "{}");
      const response = await fetch(`${url}/api/chat`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${session.accessToken}`,
          "x-team-id": session.teamId,
        },
        body: JSON.stringify({ message: "spend Ada's budget" }),
      });
      return { status: response.status, body: await response.text() };
    }, kiln.stack.url);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/viewer/i);

    // Inviting Bo again is refused on the page, with what to do instead.
    await adaPage.goto(`${kiln.stack.url}/team`);
    await adaPage.getByLabel("Email", { exact: true }).fill("bo@example.com");
    // The page reloads the member list after the refusal: the error must outlive that.
    const reloaded = adaPage.waitForResponse(
      (response) => response.url().endsWith("/api/team/members") && response.ok(),
    );
    await adaPage.getByRole("button", { name: "Invite" }).click();
    await (await reloaded).finished();
    await adaPage.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
    expect(await adaPage.getByText(/already a member of this team/i).isVisible()).toBe(true);
    expect(await adaPage.getByText(/change their role/i).isVisible()).toBe(true);
    expect(await adaPage.getByLabel("Email", { exact: true }).inputValue()).toBe("bo@example.com");
  });
});
