/**
 * `@modelship/adapters-express`: the HTTP service as Express 5 routers over framework-free
 * handlers — serving (JSON, Open Inference Protocol V2, MLflow scoring), OpenAPI 3.1, RFC 9457
 * problems.
 *
 * @module
 */
// ---- serving ---------------------------------------------------------------------------------
export { createServingRouter } from './serving/serving-router.js';
export type {
  ServingRouter,
  ServingRouterOptions,
  RateLimitHook,
  RateLimitRequest,
  RateLimitVerdict,
} from './serving/serving-router.js';
export type { BusinessRule, RuleVerdict } from './serving/rules.js';
export type { ServingRegistry, VersionFacts } from './serving/served-models.js';
export { ServedModel } from './serving/served-models.js';
export {
  EXPLANATION_NOTE,
  MODEL_VERSION_HEADER,
  ROLLOUT_REVISION_HEADER,
  MODEL_VARIANT_HEADER,
} from './serving/handlers.js';
export { parseCsv } from './serving/mlflow.js';
// ---- http helpers ----------------------------------------------------------------------------
export { closeGracefully } from './http/close.js';
export type { Closable, CloseOptions } from './http/close.js';
export { HttpError, httpError, toProblem } from './http/http-error.js';
export { mountRoutes, problemHandlers, sendProblem, PROBLEM_CONTENT_TYPE } from './http/express-adapter.js';
export type { MountOptions } from './http/express-adapter.js';
export type { RouteDefinition, RouteRequest, RouteResponse, RouteBody, HttpMethod } from './http/route.js';
export { REQUEST_ID_HEADER, requestIdOf } from './http/request-id.js';
export { parseRequestPart } from './http/validate.js';
export { problem, problemOf, statusOf, ERROR_STATUS, PROBLEM_TYPES } from './http/problem.js';
export type { Problem } from './http/problem.js';
// ---- openapi ---------------------------------------------------------------------------------
export { createOpenApiRegistry } from './openapi/registry.js';
export type { OpenApiRegistry, OpenApiRoute, OpenApiRegistryOptions } from './openapi/registry.js';
export { problemSchema, problemResponses } from './openapi/schemas.js';
// ---- management, auth, audit -----------------------------------------------------------------
export { createManagementRouter } from './management/router.js';
export type {
  ManagementRouter,
  ManagementRouterOptions,
  ManagementAuthOptions,
  ManagementRateLimitRequest,
  ManagementRateLimitVerdict,
  ManagementRateLimitDecision,
} from './management/router.js';
export { MANAGEMENT_ROUTES, requiredRole } from './management/routes.js';
export type {
  ManagementRouteSpec,
  ManagementRouteId,
  ManagementMethod,
  ManagementRouteTable,
} from './management/routes.js';
export { managementOpenApiRoutes } from './management/openapi.js';
export type {
  ManagementController,
  ManagementDecision,
  ManagementEvent,
  ManagementJob,
  ManagementJobRunner,
  ManagementPredictionQuery,
  ManagementPredictionRow,
  ManagementTrainingSpec,
} from './management/handlers.js';
export { EventHub, SseWriter } from './management/sse.js';
export type { StreamEvent } from './management/sse.js';
export { ManagementError } from './management/errors.js';
export type { ManagementErrorCode } from './management/errors.js';
export { bearerTokens, bearerOf } from './auth/auth.js';
export type { Principal, Authenticator, AuthRequest, BearerToken } from './auth/auth.js';
export { createJwtAuthenticator } from './auth/jwt.js';
export type { JwtAuthenticatorOptions } from './auth/jwt.js';
export { ROLES, hasRole } from './auth/roles.js';
export type { Role } from './auth/roles.js';
export { createAuditLog, AuditLog } from './audit/audit-log.js';
export type { AuditRecord, AuditPage, AuditQuery } from './audit/audit-log.js';
