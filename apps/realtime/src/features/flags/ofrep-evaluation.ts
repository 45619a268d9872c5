import type { EvaluationContext, EvaluationDetails, JsonValue } from "@openfeature/core";
import { OfrepRequest, type OfrepBulkResponse, type OfrepEvaluation } from "@repo/protocol";
import type { AuthUser } from "../../auth/auth";
import { evaluationContextOf } from "../../flags/service-flags";

/** An OFREP `400`: the body or its context cannot be evaluated. */
export class OfrepContextError extends Error {
  constructor(
    readonly errorCode: "PARSE_ERROR" | "TARGETING_KEY_MISSING" | "INVALID_CONTEXT",
    readonly errorDetails: string,
  ) {
    super(errorDetails);
  }
}

/**
 * The context to evaluate with: always the signed-in user's own (id as
 * targeting key, name), never attributes from the request, so nobody can move
 * themselves into or out of a rollout. The request must still name the user
 * as its `targetingKey`: a client that forgot to set its context would
 * otherwise get every rollout's default silently (flagd's `fractional` needs the key).
 */
export function ofrepContext(body: unknown, user: AuthUser): EvaluationContext {
  const parsed = OfrepRequest.safeParse(body ?? {});
  if (!parsed.success) throw new OfrepContextError("PARSE_ERROR", "The body must be { context?: object }");
  const targetingKey = parsed.data.context?.targetingKey;
  if (targetingKey === undefined) throw new OfrepContextError("TARGETING_KEY_MISSING", "context.targetingKey is required: the signed-in user's id");
  if (targetingKey !== user.id) throw new OfrepContextError("INVALID_CONTEXT", "context.targetingKey must be the signed-in user's id");
  return evaluationContextOf(user);
}

function isMetadataValue(value: unknown): value is boolean | string | number {
  return typeof value === "boolean" || typeof value === "string" || typeof value === "number";
}

/** One flagd evaluation as OFREP's success shape. */
export function toOfrep(details: EvaluationDetails<JsonValue>): OfrepEvaluation {
  const metadata = Object.fromEntries(Object.entries(details.flagMetadata).filter(([, value]) => isMetadataValue(value)));
  return {
    key: details.flagKey,
    value: details.value,
    reason: details.reason ?? "UNKNOWN",
    ...(details.variant === undefined ? {} : { variant: details.variant }),
    ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
  };
}

export type { OfrepBulkResponse };
