// A line from the client that is not JSON, or is JSON but not a JSON-RPC message, gets the error
// response JSON-RPC prescribes (id null: there is no request to answer), so that the client learns
// why nothing else came back. The SDK's transport only reports such a line as an error; the
// server goes on reading the next line either way.
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** The JSON-RPC error for a transport error that is an unreadable line; undefined for any other error. */
export function unreadableLineError(error: Error): { code: number; message: string } | undefined {
  // JSON.parse throws a SyntaxError; the SDK's check of the message's shape, a ZodError.
  if (error instanceof SyntaxError) return { code: ErrorCode.ParseError, message: `Parse error: the line is not JSON (${error.message})` };
  if (error.name === "ZodError") return { code: ErrorCode.InvalidRequest, message: "Invalid Request: the line is JSON but not a JSON-RPC 2.0 message" };
  return undefined;
}

/** Answer unreadable lines on `transport`; call before the server connects to it (it chains onto this handler). */
export function answerUnreadableMessages(transport: Transport): void {
  const previous = transport.onerror;
  transport.onerror = (error) => {
    previous?.(error);
    const answer = unreadableLineError(error);
    if (answer) void transport.send({ jsonrpc: "2.0", id: null, error: answer } as unknown as JSONRPCMessage).catch(() => {});
  };
}
