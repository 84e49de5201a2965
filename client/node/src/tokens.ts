/**
 * Builders for TaskRouter policies and Access Token grants. Like the scope
 * builders, they return the generated messages, and everything whose order
 * is part of the token's bytes (filters, JSON members) is taken from an
 * ordered list, never from a plain object.
 */
import type {
  AccessGrant,
  ChatGrant,
  SyncGrant,
  TaskRouterGrant,
  VoiceGrant,
} from "./gen/captoken/v1/access_token";
import type { TaskRouterFilter, TaskRouterPolicy } from "./gen/captoken/v1/taskrouter";

/**
 * Parameter constraints of a TaskRouter policy, in order:
 * `[["ActivitySid", true], ["To", '{"required":false}']]`, a `Map`, or
 * `TaskRouterFilter` messages. A boolean means `{"required": b}`; a string is
 * a JSON object written into the token verbatim.
 */
export type FilterList = Iterable<readonly [string, boolean | string] | TaskRouterFilter>;

/** Options of {@link taskRouterPolicy}. */
export interface TaskRouterPolicyOptions {
  /** `"GET"`, `"POST"` or `"DELETE"`; default: the server's, GET. */
  method?: string;
  /** Constraints on query parameters, in order. */
  queryFilter?: FilterList;
  /** Constraints on POST parameters, in order. */
  postFilter?: FilterList;
  /** A deny policy (the twilio-python profiles only; the node profile refuses it). */
  deny?: boolean;
}

/**
 * One TaskRouter policy: allow (or deny) `method` on `url` (an https URL; a
 * trailing `**` matches any sub-path).
 *
 * ```ts
 * taskRouterPolicy(`${workspaceUrl}/Workers/${workerSid}`, {
 *   method: "POST", postFilter: [["ActivitySid", true]],
 * })
 * ```
 */
export function taskRouterPolicy(url: string, options: TaskRouterPolicyOptions = {}): TaskRouterPolicy {
  return {
    url: text(url, "url"),
    method: options.method === undefined ? "" : text(options.method, "method"),
    queryFilter: toFilters(options.queryFilter, "queryFilter"),
    postFilter: toFilters(options.postFilter, "postFilter"),
    deny: options.deny === true,
  };
}

/** Converts a {@link FilterList} into the wire's `TaskRouterFilter[]`, keeping its order. */
export function toFilters(list: FilterList | undefined, field = "filter"): TaskRouterFilter[] {
  if (list === undefined || list === null) return [];
  requireIterable(list, field, `[["ActivitySid", true]]`);
  const filters: TaskRouterFilter[] = [];
  for (const entry of list) {
    if (Array.isArray(entry)) {
      const [name, constraint] = entry as readonly [unknown, unknown];
      if (typeof constraint === "boolean") {
        filters.push({ name: text(name, `${field} name`), constraint: { $case: "required", value: constraint } });
      } else if (typeof constraint === "string") {
        filters.push({ name: text(name, `${field} name`), constraint: { $case: "constraintJson", value: constraint } });
      } else {
        throw new TypeError(`${field}: a constraint is a boolean (required) or a JSON object as a string`);
      }
    } else if (entry !== null && typeof entry === "object" && "name" in entry) {
      filters.push(entry as TaskRouterFilter);
    } else {
      throw new TypeError(`${field}: each entry must be a [name, constraint] pair or a TaskRouterFilter`);
    }
  }
  return filters;
}

/**
 * A JSON object: its text (sent verbatim), or an ordered list of
 * `[name, value]` pairs or a `Map` (sent as compact JSON in that order;
 * values go through `JSON.stringify`).
 */
export type JsonObjectInput = string | Iterable<readonly [string, unknown]>;

/** Options of {@link voiceGrant}. */
export interface VoiceGrantOptions {
  /** Receive calls as the token's identity. */
  incomingAllow?: boolean;
  /** The TwiML application ("AP…") outgoing calls go through. */
  outgoingApplicationSid?: string;
  /** Parameters for that application: a JSON object (integers only), kept in order. */
  outgoingApplicationParams?: JsonObjectInput;
  /** "CR…". */
  pushCredentialSid?: string;
  endpointId?: string;
}

/** A Voice SDK grant: `voiceGrant({ incomingAllow: true, outgoingApplicationSid: "AP…" })`. */
export function voiceGrant(options: VoiceGrantOptions = {}): AccessGrant {
  const value: VoiceGrant = {
    incomingAllow: options.incomingAllow === true,
    outgoingApplicationSid: optionalText(options.outgoingApplicationSid, "outgoingApplicationSid"),
    outgoingApplicationParamsJson:
      options.outgoingApplicationParams === undefined
        ? ""
        : jsonObject(options.outgoingApplicationParams, "outgoingApplicationParams"),
    pushCredentialSid: optionalText(options.pushCredentialSid, "pushCredentialSid"),
    endpointId: optionalText(options.endpointId, "endpointId"),
  };
  return { grant: { $case: "voice", value } };
}

/** A Conversations / Programmable Chat grant (`serviceSid` "IS…"). */
export function chatGrant(options: Partial<ChatGrant> = {}): AccessGrant {
  const value: ChatGrant = {
    serviceSid: optionalText(options.serviceSid, "serviceSid"),
    endpointId: optionalText(options.endpointId, "endpointId"),
    deploymentRoleSid: optionalText(options.deploymentRoleSid, "deploymentRoleSid"),
    pushCredentialSid: optionalText(options.pushCredentialSid, "pushCredentialSid"),
  };
  return { grant: { $case: "chat", value } };
}

/** A Programmable Video grant for one `room`, or any room when not given. */
export function videoGrant(room?: string, options: { configurationProfileSid?: string } = {}): AccessGrant {
  return {
    grant: {
      $case: "video",
      value: {
        room: optionalText(room, "room"),
        configurationProfileSid: optionalText(options.configurationProfileSid, "configurationProfileSid"),
      },
    },
  };
}

/** A Sync grant (`serviceSid` "IS…"). */
export function syncGrant(options: Partial<SyncGrant> = {}): AccessGrant {
  const value: SyncGrant = {
    serviceSid: optionalText(options.serviceSid, "serviceSid"),
    endpointId: optionalText(options.endpointId, "endpointId"),
  };
  return { grant: { $case: "sync", value } };
}

/** A TaskRouter grant (`workspaceSid` "WS…", `workerSid` "WK…", `role`). */
export function taskRouterGrant(options: Partial<TaskRouterGrant> = {}): AccessGrant {
  const value: TaskRouterGrant = {
    workspaceSid: optionalText(options.workspaceSid, "workspaceSid"),
    workerSid: optionalText(options.workerSid, "workerSid"),
    role: optionalText(options.role, "role"),
  };
  return { grant: { $case: "taskRouter", value } };
}

/**
 * A Twilio Live playback grant: the JSON object Twilio's PlaybackGrant API
 * returned, as text (copied verbatim) or ordered pairs.
 */
export function playbackGrant(grant: JsonObjectInput): AccessGrant {
  return { grant: { $case: "playback", value: { grantJson: jsonObject(grant, "grant") } } };
}

function jsonObject(value: JsonObjectInput, field: string): string {
  if (typeof value === "string") return value;
  requireIterable(value, field, `'{"To":"+15551234567"}' or [["To", "+15551234567"]]`);
  const members: string[] = [];
  for (const entry of value) {
    if (!Array.isArray(entry)) throw new TypeError(`${field}: each entry must be a [name, value] pair`);
    const [name, member] = entry as readonly [unknown, unknown];
    const json = JSON.stringify(member);
    if (json === undefined) throw new TypeError(`${field}: ${String(name)} is not a JSON value`);
    members.push(`${JSON.stringify(text(name, `${field} name`))}:${json}`);
  }
  return `{${members.join(",")}}`;
}

function requireIterable(value: unknown, field: string, example: string): void {
  if (typeof value !== "object" || value === null || typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
    throw new TypeError(`${field}: expected an ordered list such as ${example} or a Map, not a plain object`);
  }
}

function optionalText(value: unknown, field: string): string {
  return value === undefined ? "" : text(value, field);
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string") throw new TypeError(`${field}: expected a string, got ${typeof value}`);
  return value;
}
