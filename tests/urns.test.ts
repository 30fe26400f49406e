// An existing stack must update in place: every resource of the stack as it stood at commit 09f9fe5 (before
// the layers were reorganised) is claimed by a resource of today's program, by its URN or through an alias.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { INTENDED_DELETIONS, matchState, type StateMatch } from "./helpers/aliases";
import { runHomelab } from "./helpers/platform";
import type { Registration } from "./helpers/pulumi";

const OLD_URNS: string[] = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "urns-09f9fe5.json"), "utf8"));

describe("URNs of an existing stack", () => {
    let registrations: Registration[];
    let match: StateMatch;

    beforeAll(async () => {
        ({
            ledger: { registrations },
        } = await runHomelab());
        match = matchState(OLD_URNS, registrations);
    });

    it("keeps every resource of the stack at 09f9fe5: none would be deleted (a rename without an alias would) but those removed on purpose, none claimed twice", () => {
        expect(OLD_URNS.length).toBeGreaterThan(80);
        // Exactly the listed ones: each was in the old stack, and nothing else goes.
        expect(Object.keys(INTENDED_DELETIONS).filter((urn) => !OLD_URNS.includes(urn))).toEqual([]);
        expect([...match.deleted].sort()).toEqual(Object.keys(INTENDED_DELETIONS).sort());
        expect(match.claimedTwice).toEqual([]);
    });
});

describe("the engine model behind that test", () => {
    const stack = (type: string, name: string) => `urn:pulumi:homelab::homelab::${type}::${name}`;
    const reg = (urn: string, parentUrn: string, aliases: Registration["aliases"] = []): Registration => {
        const [, , qualified, name] = urn.split("::");
        return { urn, type: qualified.split("$").pop() as string, name, parentUrn, custom: true, aliases };
    };

    it("carries a renamed component's alias over to children named after it", () => {
        const oldParent = stack("x:y:Comp", "old");
        const oldChild = stack("x:y:Comp$k:v:Res", "old-child");
        const newParent = stack("x:y:Comp", "new");
        const result = matchState([oldParent, oldChild], [reg(newParent, "", [{ name: "old" }]), reg(stack("x:y:Comp$k:v:Res", "new-child"), newParent)]);
        expect(result.deleted).toEqual([]);
    });

    it("sees a child renamed without an alias as deleted and created", () => {
        const parent = stack("x:y:Comp", "c");
        const result = matchState([parent, stack("x:y:Comp$k:v:Res", "c-a")], [reg(parent, ""), reg(stack("x:y:Comp$k:v:Res", "c-b"), parent)]);
        expect(result.deleted).toEqual([stack("x:y:Comp$k:v:Res", "c-a")]);
        expect(result.created).toEqual([stack("x:y:Comp$k:v:Res", "c-b")]);
    });

    it("follows a component's type change to its children", () => {
        const oldParent = stack("x:old:Comp", "c");
        const result = matchState(
            [oldParent, stack("x:old:Comp$k:v:Res", "c-a")],
            [reg(stack("x:new:Comp", "c"), "", [{ type: "x:old:Comp" }]), reg(stack("x:new:Comp$k:v:Res", "c-a"), stack("x:new:Comp", "c"))],
        );
        expect(result.deleted).toEqual([]);
    });
});
