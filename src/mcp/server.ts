// The Model Context Protocol server of an index: the tools of tools.ts, over any transport
// (the `mcp` command uses stdio). Built on the SDK's protocol-level Server: the tools' zod schemas
// are listed and checked as the SDK's McpServer would, with this server's own error replies
// (arguments.ts says why not McpServer).
import { createRequire } from "node:module";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { FindingModelIndex } from "../index/finding-model-index.js";
import { argumentsJsonSchema } from "./arguments.js";
import { callTool, TOOLS } from "./tools.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/** Tool calls still running, so that a server told to stop can answer them first. */
export class InFlight {
  private running = new Set<Promise<unknown>>();

  get count(): number {
    return this.running.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = () => this.running.delete(work);
    work.then(done, done);
    return work;
  }

  /** Resolves when every call started so far has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}

export function createMcpServer(index: FindingModelIndex, inFlight = new InFlight()): Server {
  const server = new Server(
    { name: "findingmodel", title: "Open Imaging Finding Models", version },
    {
      capabilities: { tools: {} },
      instructions:
        "Look up Open Imaging Finding Models (radiology findings with their attributes, values and ontology codes). " +
        "search_finding_models finds models by words; get_finding_model returns one whole model by OIFM ID, name or synonym; " +
        "list_finding_model_tags lists the tags that filter a search; count_finding_models says how many there are.",
    },
  );

  const tools = TOOLS.map(({ name, title, description, input, outputSchema, annotations }) => ({ name, title, description, inputSchema: argumentsJsonSchema(input), outputSchema, annotations }));
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const answer = await inFlight.track(callTool(index, request.params.name, request.params.arguments));
    if (!answer) throw new McpError(ErrorCode.InvalidParams, `there is no tool "${request.params.name.slice(0, 100)}"; the tools are ${TOOLS.map((t) => t.name).join(", ")}`);
    return answer;
  });

  return server;
}
