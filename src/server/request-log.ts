// The server's request log: one line per request, when it is answered.
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

/**
 * One log line per request, when it is answered: method, URL, status, milliseconds (plus the
 * error, for a failure). Health checks that pass are not logged; they come every few seconds.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && reply.statusCode < 400 && request.url === "/healthz") return;
    const line = { method: request.method, url: request.url.slice(0, 600), statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 };
    if (error || reply.statusCode >= 500) reply.log.error({ ...line, err: error }, "request failed");
    else reply.log.info(line, "request");
  }
}
