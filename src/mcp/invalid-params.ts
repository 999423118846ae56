// A request whose params are of the wrong shape ({"name": 5} for tools/call) gets JSON-RPC's
// -32602 "Invalid params" with a plain message naming each field, checked by the SDK's own schema
// of the request. Left to the SDK, the same check throws inside its handler and the client gets
// -32603 "Internal error" carrying the validation report as text.
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  InitializeRequestSchema,
  isJSONRPCRequest,
  ListToolsRequestSchema,
  PingRequestSchema,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";

/** The SDK's schema of each request this server answers. */
const REQUESTS = new Map<string, { safeParse(value: unknown): { success: boolean; error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } } }>([
  ["initialize", InitializeRequestSchema],
  ["ping", PingRequestSchema],
  ["tools/list", ListToolsRequestSchema],
  ["tools/call", CallToolRequestSchema],
]);

/** The -32602 message for `message`, or undefined when its params are as its method's schema says. */
export function invalidParamsMessage(message: unknown): string | undefined {
  if (!isJSONRPCRequest(message)) return undefined;
  const checked = REQUESTS.get(message.method)?.safeParse(message);
  if (!checked || checked.success) return undefined;
  const issues = (checked.error?.issues ?? []).map((i) => `${i.path.map(String).join(".") || "the request"}: ${i.message}`);
  return `Invalid params for ${message.method}: ${issues.join("; ")}`;
}

/** Answer requests with malformed params on `transport`; call after the server connected to it. */
export function answerInvalidParams(transport: Transport): void {
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const problem = invalidParamsMessage(message);
    if (problem === undefined) {
      deliver?.(message, extra);
      return;
    }
    const id = (message as { id: string | number }).id;
    void transport.send({ jsonrpc: "2.0", id, error: { code: ErrorCode.InvalidParams, message: problem } } as JSONRPCMessage).catch(() => {});
  };
}
