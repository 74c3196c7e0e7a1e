/**
 * One wrapper for every AWS call of the backend: a refusal for want of permission, or no credentials
 * at all, becomes a typed error that says what to do.
 */
import { AwsAccessDeniedError, AwsCredentialsError } from "./errors";

const DENIED_NAMES: ReadonlySet<string> = new Set(["AccessDenied", "AccessDeniedException", "Forbidden"]);

/** Whether an SDK error is AWS refusing the caller's permissions. */
export function isAccessDenied(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    DENIED_NAMES.has(e?.name ?? "") || DENIED_NAMES.has(e?.Code ?? "") || e?.$metadata?.httpStatusCode === 403
  );
}

/**
 * Runs `call`, turning AccessDenied into {@link AwsAccessDeniedError} naming `operation`, and the SDK's
 * `CredentialsProviderError` into {@link AwsCredentialsError}.
 */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isAccessDenied(error)) throw new AwsAccessDeniedError(operation, { cause: error });
    if ((error as { name?: string })?.name === "CredentialsProviderError")
      throw new AwsCredentialsError({ cause: error });
    throw error;
  }
}
