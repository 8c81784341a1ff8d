import { describe, expect, it } from "vitest";
import { admissionPolicySchema, decideAdmission, defaultPolicy } from "./policy.ts";

describe("decideAdmission", () => {
  const listed = admissionPolicySchema.parse({
    mode: "allow_list",
    allow: ["@Acme.test", "ada@example.com"],
  });

  it.each([
    ["ada@example.com", true],
    ["ADA@Example.com ", true],
    ["grace@acme.test", true],
    ["grace@sub.acme.test", false],
    ["grace@acme.test.evil.example", false],
    ["bob@example.com", false],
  ])("on the allow-list stage, %s admitted: %s", (email, admitted) => {
    expect(decideAdmission(listed, email).admitted).toBe(admitted);
  });

  it("tells a waitlist refusal from an allow-list one", () => {
    expect(decideAdmission({ ...listed, mode: "waitlist" }, "bob@example.com")).toEqual({
      admitted: false,
      mode: "waitlist",
    });
    expect(decideAdmission({ mode: "open", allow: [] }, "bob@example.com").admitted).toBe(true);
  });

  it("falls back to the configured default: open only when none is set", () => {
    expect(defaultPolicy("allow_list").mode).toBe("allow_list");
    expect(defaultPolicy(" waitlist ").mode).toBe("waitlist");
    expect(defaultPolicy(undefined).mode).toBe("open");
    expect(defaultPolicy("").mode).toBe("open");
    expect(defaultPolicy("opne").mode).toBe("allow_list");
  });
});
