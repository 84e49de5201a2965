/**
 * @captoken/client: the Node.js / TypeScript client of captoken, the service
 * that mints Twilio capability tokens, TaskRouter tokens and Access Tokens.
 *
 * ```ts
 * import { TokenClient, clientIncoming, Profile } from "@captoken/client";
 *
 * const client = new TokenClient("127.0.0.1:50051", { deadlineMs: 2000 });
 * const { token, expireTime } = await client.mintCapabilityToken({
 *   accountSid: "AC00000000000000000000000000000000",
 *   scopes: [clientIncoming("alice")],
 *   ttlSeconds: 600,
 *   profile: Profile.PROFILE_TWILIO_NODE,
 * });
 * const access = await client.mintAccessToken({
 *   accountSid: "AC00000000000000000000000000000000",
 *   identity: "alice",
 *   grants: [voiceGrant({ incomingAllow: true }), videoGrant("standup")],
 * });
 * client.close();
 * ```
 *
 * The message types and the raw grpc-js stub are generated from
 * proto/captoken/v1/*.proto by ts-proto at build time and re-exported here.
 */
export {
  TokenClient,
  buildAccessTokenRequest,
  buildCapabilityRequest,
  buildTaskRouterRequest,
  DEFAULT_DEADLINE_MS,
  type BatchMintItem,
  type BatchMintResult,
  type CallOptions,
  type MintAccessTokenRequest,
  type MintCapabilityTokenRequest,
  type MintedToken,
  type MintTaskRouterTokenRequest,
  type ProfileInput,
  type TaskRouterPolicySetInput,
  type TokenClientOptions,
  type VerifyResult,
} from "./client";
export {
  TokenServiceError,
  isTokenServiceError,
  Status,
  statusName,
  type TokenServiceErrorOptions,
} from "./errors";
export {
  clientIncoming,
  clientOutgoing,
  eventStream,
  toParams,
  type ClientOutgoingOptions,
  type ParamList,
} from "./scopes";
export {
  chatGrant,
  playbackGrant,
  syncGrant,
  taskRouterGrant,
  taskRouterPolicy,
  toFilters,
  videoGrant,
  voiceGrant,
  type FilterList,
  type JsonObjectInput,
  type TaskRouterPolicyOptions,
  type VoiceGrantOptions,
} from "./tokens";

// The generated messages (interfaces and their encode/decode/toJSON/fromJSON
// helpers) and enums.
export {
  CapabilityRequest,
  CapabilityScope,
  ClientIncoming,
  ClientOutgoing,
  EventStream,
  Param,
  Profile,
  profileFromJSON,
  profileToJSON,
  TokenResponse,
} from "./gen/captoken/v1/capability";
export {
  TaskRouterFilter,
  TaskRouterPolicy,
  TaskRouterPolicySet,
  taskRouterPolicySetFromJSON,
  taskRouterPolicySetToJSON,
  TaskRouterRequest,
} from "./gen/captoken/v1/taskrouter";
export {
  AccessGrant,
  AccessTokenRequest,
  ChatGrant,
  PlaybackGrant,
  SyncGrant,
  TaskRouterGrant,
  VideoGrant,
  VoiceGrant,
} from "./gen/captoken/v1/access_token";
export {
  AccessTokenClaims,
  BatchMintRequest,
  BatchMintResponse,
  MintRequest,
  MintResult,
  TaskRouterClaims,
  TokenKind,
  tokenKindFromJSON,
  tokenKindToJSON,
  TokenServiceClient,
  TokenServiceService,
  VerificationFailure,
  verificationFailureFromJSON,
  verificationFailureToJSON,
  VerifyTokenRequest,
  VerifyTokenResponse,
} from "./gen/captoken/v1/token_service";

// grpc-js helpers from the same copy of grpc-js the client uses, so that
// credentials and metadata built with them are accepted.
export { credentials, Metadata, type ChannelCredentials } from "@grpc/grpc-js";
