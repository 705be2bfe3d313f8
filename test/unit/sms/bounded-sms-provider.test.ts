import { describe, expect, it } from "vitest";
import { BoundedSmsProvider } from "../../../functions/adapters/sms/bounded-sms-provider.js";
import type { SmsToSend } from "../../../functions/use-cases/ports.js";

describe("BoundedSmsProvider", () => {
  it("keeps at most `limit` sends in flight and sends every text, failures included", async () => {
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const inner = {
      id: "aliyun" as const,
      async send(input: SmsToSend) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        if (input.noticeId === "n3") throw new Error("refused");
        sent.push(input.noticeId);
      },
    };
    const bounded = new BoundedSmsProvider(inner, 2);
    const results = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) =>
        bounded.send({ phone: "+8613800138000", text: "t", noticeId: `n${i}` }),
      ),
    );
    expect(most).toBe(2);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    expect(sent.sort()).toEqual(["n0", "n1", "n2", "n4", "n5", "n6"]);
    expect(bounded.id).toBe("aliyun");
  });

  it("hands the provider's receipt back (delivery reports find the notice by its message id)", async () => {
    const inner = {
      id: "tencent" as const,
      async send(input: SmsToSend) {
        return { providerMessageId: `sid-${input.noticeId}` };
      },
    };
    const bounded = new BoundedSmsProvider(inner, 1);
    expect(await bounded.send({ phone: "+8613800138000", text: "t", noticeId: "n1" })).toEqual({
      providerMessageId: "sid-n1",
    });
  });
});
