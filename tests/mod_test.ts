import assert from "node:assert/strict";
Deno.test("mod.ts loads without I/O", async () => {
  const mod = await import("../mod.ts");
  assert(typeof mod === "object");
});
