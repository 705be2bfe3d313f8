import { clearCaches as clearPowertoolsParameterCaches } from "@aws-lambda-powertools/parameters";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, vi } from "vitest";

/**
 * The DynamoDB tier's files share their worker (`isolate: false`): the AWS SDK and the local runtime
 * load once per worker, not once per file. A file may still set the environment and import a
 * handler (which reads it at import), patch an SDK client with aws-sdk-client-mock, spy on a logger
 * or fake the timers. Run before every file (vitest re-imports setup files per file): when the file
 * ends, all of that is put back, so the next file starts as if in a fresh worker.
 */
/** The clients tests mock at their SDK boundary (DynamoDB is never mocked: it runs locally). */
const SDK_CLIENTS = [S3Client, SecretsManagerClient, SFNClient, SNSClient, SQSClient, SSMClient];

const environmentAtStart = { ...process.env };

afterAll(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  let touched = false;
  for (const key of Object.keys(process.env)) {
    if (!(key in environmentAtStart)) {
      delete process.env[key];
      touched = true;
    }
  }
  for (const [key, value] of Object.entries(environmentAtStart)) {
    if (process.env[key] !== value) {
      process.env[key] = value;
      touched = true;
    }
  }
  for (const client of SDK_CLIENTS) {
    // mockClient(Class) stubs `send` on the class's prototype (sinon): an own property to remove.
    const prototype = client.prototype as { send: unknown };
    const stub = Object.hasOwn(prototype, "send") ? (prototype.send as { restore?: () => void }) : undefined;
    if (stub) {
      stub.restore?.();
      if (Object.hasOwn(prototype, "send")) delete (prototype as { send?: unknown }).send;
      touched = true;
    }
  }
  // Modules this file imported under its environment or stubs (a handler and its clients) are
  // evaluated afresh by the next file that imports them. node_modules stay loaded, and with them
  // Powertools' parameter cache (getSecret/getParameter, keyed by name): a secret a handler read
  // under this file's stubs must not answer the next file's handler under the same name.
  clearPowertoolsParameterCaches();
  if (touched) vi.resetModules();
});
