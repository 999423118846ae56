// A PostgreSQL server of the suite's own: a new cluster in a scratch folder, on a free port, that
// the suite may stop and restart as it likes (the machine's server is shared with other work and
// is never restarted). Needs PostgreSQL's server programs (initdb, pg_ctl); as root, the cluster
// runs as the `postgres` user, since PostgreSQL refuses to run as root.
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { tmpdir, userInfo } from "node:os";

const run = promisify(execFile);

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** Stop and start again: "fast" ends sessions cleanly, "immediate" is a crash (recovery on start). */
  restart(mode: "fast" | "immediate"): Promise<void>;
  stop(): Promise<void>;
}

/** The folder of the newest installed PostgreSQL's server programs, or why there is none. */
export function serverPrograms(): { bin: string } | { missing: string } {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  if (newest !== undefined) return { bin: path.join(root, newest, "bin") };
  return { missing: `no PostgreSQL server programs (initdb, pg_ctl) under ${root}` };
}

/** Create and start a cluster in a new folder of its own; stop() removes it. */
export async function startPrivatePostgres(bin: string): Promise<PrivatePostgres> {
  const asRoot = userInfo().uid === 0;
  // As root, in /tmp itself: the `postgres` user must reach the folder, and TMPDIR may be a private one.
  const dir = mkdtempSync(path.join(asRoot ? "/tmp" : tmpdir(), "fm-faults-postgres-"));
  const data = path.join(dir, "data");
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (program: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, program), ...args]) : run(path.join(bin, program), args);
  const port = await freePort();
  await pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  const start = () => pg("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "start"]);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async restart(mode) {
      await pg("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
      await start();
    },
    async stop() {
      await pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
