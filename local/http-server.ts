import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type HttpLogger, handleHttp } from "../functions/http/handle-http.js";
import { type HttpRequest, type HttpResponse, json } from "../functions/http/http-types.js";
import { MAX_BODY_BYTES } from "../functions/use-cases/ingest-confirmations.js";

export type LocalLogger = HttpLogger;

class BodyTooLarge extends Error {}

/** The request line's target as a URL; undefined when it is not one (e.g. `http://[`). */
function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? "/", "http://local");
  } catch {
    return undefined;
  }
}

/** Reads at most `limit` bytes; a longer body is refused without buffering the rest. */
async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Serves the same routes as the AWS HTTP API, on node:http, for the local monitor. */
export async function startHttpServer(options: {
  host: string;
  port: number;
  route: (request: HttpRequest) => Promise<HttpResponse>;
  /** Routes that read the body as a stream themselves (file uploads); undefined = not this one. */
  streamRoute?: (incoming: IncomingMessage, url: URL) => Promise<HttpResponse> | undefined;
  logger: LocalLogger;
}): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const server = createServer(async (incoming, outgoing) => {
    let response: HttpResponse;
    try {
      const url = requestUrl(incoming.url);
      if (!url) {
        incoming.resume();
        response = json(400, { error: "the request target is not a valid URL path" });
        outgoing.writeHead(response.statusCode, response.headers);
        outgoing.end(response.body);
        return;
      }
      const streamed = options.streamRoute?.(incoming, url);
      if (streamed) {
        response = await streamed;
        outgoing.writeHead(response.statusCode, response.headers);
        outgoing.end(response.body);
        return;
      }
      const body = await readBody(incoming, MAX_BODY_BYTES);
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(incoming.headers)) {
        headers[name] = Array.isArray(value) ? value.join(",") : value;
      }
      response = await handleHttp(
        {
          method: incoming.method ?? "GET",
          path: url.pathname,
          headers,
          body,
          query: Object.fromEntries(url.searchParams),
          rawQuery: url.search.slice(1),
        },
        options.route,
        options.logger,
      );
    } catch (error) {
      response =
        error instanceof BodyTooLarge
          ? json(413, { error: `body is larger than ${MAX_BODY_BYTES} bytes` })
          : json(500, { error: "internal error" });
      if (!(error instanceof BodyTooLarge))
        options.logger.error("local server failure", { method: incoming.method, error: error as Error });
    }
    outgoing.writeHead(response.statusCode, response.headers);
    outgoing.end(response.body);
  });
  // Requests node:http cannot even parse (unknown method, broken framing): a JSON 400 as well.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === "ECONNRESET") return socket.destroy();
    const body = JSON.stringify({ error: `bad request: ${error.code ?? error.message}` });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
