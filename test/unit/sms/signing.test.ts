import { describe, expect, it } from "vitest";
import { acsPercentEncode, signAcs3, signTc3 } from "../../../functions/adapters/sms/signing.js";

// Known answers from the providers' own documentation: a signer that drifts from the documented
// algorithm fails here, without network or credentials.

describe("Alibaba Cloud ACS3-HMAC-SHA256", () => {
  it("reproduces the documented example (V3 request body & signature mechanism, RunInstances)", () => {
    const headers = signAcs3(
      {
        method: "POST",
        host: "ecs.cn-shanghai.aliyuncs.com",
        query: { ImageId: "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", RegionId: "cn-shanghai" },
        action: "RunInstances",
        version: "2014-05-26",
        date: "2023-10-26T10:22:32Z",
        nonce: "3156853299f313e23d1673dc12e1703d",
      },
      { accessKeyId: "YourAccessKeyId", accessKeySecret: "YourAccessKeySecret" },
    );
    expect(headers["x-acs-content-sha256"]).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(headers.authorization).toBe(
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
    );
  });

  it("percent-encodes like the documented canonicalization (space %20, * %2A, ~ kept, UTF-8)", () => {
    expect(acsPercentEncode("a b*~'(!)")).toBe("a%20b%2A~%27%28%21%29");
    expect(acsPercentEncode("结算")).toBe("%E7%BB%93%E7%AE%97");
  });
});

describe("Tencent Cloud TC3-HMAC-SHA256", () => {
  it("reproduces the documented example (API 3.0 signature v3, CVM DescribeInstances)", () => {
    const authorization = signTc3(
      {
        host: "cvm.tencentcloudapi.com",
        service: "cvm",
        timestamp: 1551113065,
        contentType: "application/json; charset=utf-8",
        payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
      },
      { secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE" },
    );
    expect(authorization).toBe(
      "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    );
  });
});
