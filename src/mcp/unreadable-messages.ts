// A line from the client that is not JSON, or is JSON but not a JSON-RPC message, gets the error
// response JSON-RPC prescribes (id null: there is no request to answer), so that the client learns
// why nothing else came back. The SDK's transport only reports such a line as an error; the
// server goes on reading the next line either way.
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** Answer unreadable messages on `transport`; call before the server connects to it (it chains onto this handler). */
export function answerUnreadableMessages(transport: Transport): void {
  const previous = transport.onerror;
  transport.onerror = (error) => {
    previous?.(error);
    // JSON.parse throws a SyntaxError; the SDK's check of the message's shape, a ZodError.
    const answer =
      error instanceof SyntaxError
        ? { code: ErrorCode.ParseError, message: `Parse error: the line is not JSON (${error.message})` }
        : error.name === "ZodError"
          ? { code: ErrorCode.InvalidRequest, message: "Invalid Request: the line is JSON but not a JSON-RPC 2.0 message" }
          : undefined;
    if (answer) void transport.send({ jsonrpc: "2.0", id: null, error: answer } as unknown as JSONRPCMessage).catch(() => {});
  };
}
