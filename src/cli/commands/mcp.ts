// `findingmodel mcp`: a Model Context Protocol server over stdio, answering from the index until
// the client closes stdin (or SIGINT/SIGTERM). stdout carries only the protocol; diagnostics go
// to stderr.
import type { Command } from "commander";
import { indexOptions, withIndex, type IndexCommandOptions } from "../with-index.js";
import { UsageError, warn } from "../output.js";

export function registerMcp(program: Command): void {
  indexOptions(program.command("mcp").description("serve the index to AI agents: a Model Context Protocol server over stdio")).action(async (opts: IndexCommandOptions) => {
    if (opts.json) throw new UsageError("mcp answers in JSON-RPC on stdout already; leave out --json");
    await withIndex(opts, async (index) => {
      const [{ createMcpServer, InFlight }, { answerUnreadableMessages, unreadableLineError }, { answerInvalidParams }, { StdioServerTransport }] = await Promise.all([
        import("../../mcp/server.js"),
        import("../../mcp/unreadable-messages.js"),
        import("../../mcp/invalid-params.js"),
        import("@modelcontextprotocol/sdk/server/stdio.js"),
      ]);
      const inFlight = new InFlight();
      const server = createMcpServer(index, inFlight);
      const transport = new StdioServerTransport();
      answerUnreadableMessages(transport);
      const stopped = new Promise<void>((resolve) => {
        server.onclose = resolve;
      });
      server.onerror = (e) => warn(`findingmodel: mcp: ${(unreadableLineError(e)?.message ?? e.message).replace(/\s*\n\s*/g, " ")}`);
      // When the client closes our input, answer what it already asked, then stop. (Requests
      // read just before the end start on a later tick, hence the wait before each look.)
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        for (;;) {
          await new Promise((resolve) => setImmediate(resolve));
          if (inFlight.count === 0) break;
          await inFlight.idle();
        }
        await server.close();
      };
      process.stdin.once("end", () => void stop());
      process.stdin.once("close", () => void stop());
      const onSignal = () => void server.close();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      await server.connect(transport);
      answerInvalidParams(transport);
      await stopped;
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    });
  });
}
