/**
 * Builders for capability scopes. Parameters and filters are ordered lists:
 * their order is part of the token's bytes, so they are never taken from a
 * plain object (whose key order is not always insertion order).
 */
import type { CapabilityScope, Param } from "./gen/captoken/v1/capability";

/**
 * An ordered list of key/value pairs: `[["To", "+15551234567"], ...]`,
 * `[{ key: "To", value: "+15551234567" }, ...]`, or a `Map` (iterated in
 * insertion order).
 */
export type ParamList = Iterable<readonly [string, string] | Param>;

/** Options of {@link clientOutgoing}. */
export interface ClientOutgoingOptions {
  /** Parameters Twilio passes to the application's voice URL, in order. */
  params?: ParamList;
  /**
   * The client name calls are placed as. PROFILE_TWILIO_NODE writes it only
   * when set; PROFILE_TWILIO_PYTHON uses the incoming scope's name instead
   * (a different name here is refused), or this one when there is none.
   */
  clientName?: string;
}

/** A scope that lets the device receive calls addressed to `clientName`. */
export function clientIncoming(clientName: string): CapabilityScope {
  return { scope: { $case: "clientIncoming", value: { clientName: text(clientName, "clientName") } } };
}

/**
 * A scope that lets the device place calls through the TwiML application
 * `applicationSid` ("AP" + 32 hex digits), optionally with parameters and a
 * client name:
 *
 * ```ts
 * clientOutgoing("AP...", { params: [["To", "+15551234567"]], clientName: "alice" })
 * ```
 */
export function clientOutgoing(applicationSid: string, options: ClientOutgoingOptions = {}): CapabilityScope {
  return {
    scope: {
      $case: "clientOutgoing",
      value: {
        applicationSid: text(applicationSid, "applicationSid"),
        params: toParams(options.params, "params"),
        clientName: options.clientName === undefined ? "" : text(options.clientName, "clientName"),
      },
    },
  };
}

/**
 * A scope that lets the device subscribe to the account's event stream,
 * with optional filters in order: `eventStream([["CallSid", "CA123"]])`.
 */
export function eventStream(filters?: ParamList): CapabilityScope {
  return { scope: { $case: "eventStream", value: { filters: toParams(filters, "filters") } } };
}

/** Converts a {@link ParamList} into the wire's `Param[]`, keeping its order. */
export function toParams(list: ParamList | undefined, field = "params"): Param[] {
  if (list === undefined || list === null) return [];
  if (typeof (list as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
    throw new TypeError(
      `${field}: expected an ordered list such as [["key", "value"]] or a Map, not a plain object`,
    );
  }
  const params: Param[] = [];
  for (const entry of list) {
    if (Array.isArray(entry)) {
      const [key, value] = entry as readonly [unknown, unknown];
      params.push({ key: text(key, `${field} key`), value: text(value, `${field} value`) });
    } else if (entry !== null && typeof entry === "object") {
      const { key, value } = entry as Param;
      params.push({ key: text(key, `${field} key`), value: text(value ?? "", `${field} value`) });
    } else {
      throw new TypeError(`${field}: each entry must be a [key, value] pair or { key, value }`);
    }
  }
  return params;
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string") throw new TypeError(`${field}: expected a string, got ${typeof value}`);
  return value;
}
