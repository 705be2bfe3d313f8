// Replaces @aws-sdk/credential-provider-node in the Lambda bundles only (infra/constructs/bundling.ts
// aliases it here). In Lambda the role's credentials are always in the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first link of the SDK's default
// chain; the other links (SSO, INI profiles, login, process, web identity, IMDS) and the STS / SSO /
// sign-in clients they carry (~100 KB minified per bundle) can never run there. Tests and the local
// runtime run from source and keep the SDK's full chain. The clients import `defaultProvider` only.
import { fromEnv } from "@aws-sdk/credential-provider-env";

type FromEnvInit = Parameters<typeof fromEnv>[0];

/** The SDK clients' default credentials: the Lambda environment's, as the SDK's own fromEnv reads them. */
export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);
