// The debugger's port: a loopback-only listener that forwards one GDB connection to the emulator's
// own GDB server, and says when the debugger has gone (detach, quit, closed socket) — which ends
// `tandem debug`. Emulators' stubs keep running the guest after a detach and never tell.
import { existsSync, readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export const LOOPBACK = '127.0.0.1';

export interface GdbProxy {
  readonly port: number;
  /** Settles when the first debugger that connected has disconnected. */
  readonly detached: Promise<void>;
  close(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that is free right now. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

export async function startGdbProxy(port: number, target: number): Promise<GdbProxy> {
  let resolveDetached!: () => void;
  const detached = new Promise<void>((r) => (resolveDetached = r));
  const sockets = new Set<Socket>();
  let busy = false;
  const server: Server = createServer((client) => {
    // The emulators' stubs take one debugger; a second would only confuse the first.
    if (busy) {
      client.end('$E01#a6');
      return;
    }
    busy = true;
    sockets.add(client);
    const upstream = createConnection({ host: LOOPBACK, port: target });
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      resolveDetached();
    };
    client.once('close', done);
    client.once('error', done);
    upstream.once('close', done);
    upstream.once('error', done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  const address = server.address();
  return {
    port: address && typeof address !== 'string' ? address.port : port,
    detached,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Waits until something listens on `port`. Read from /proc/net/tcp, not by connecting: Renode
 * starts the emulation the moment a client connects to its GDB server, so a probe would let the
 * guest run before the debugger is there. Elsewhere than Linux, a connect probe.
 */
export async function waitForListener(port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    const listening = existsSync('/proc/net/tcp') ? listeningOn(port) : await probe(port);
    if (listening) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Local addresses listening on `port`, from /proc/net/tcp (`0100007F` is 127.0.0.1, `00000000` every interface). */
export function listenersOn(port: number, table = readFileSync('/proc/net/tcp', 'utf8')): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return table.split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A')
    .map((f) => f[1]!.split(':')[0]!);
}

function listeningOn(port: number): boolean {
  try {
    return listenersOn(port).length > 0;
  } catch {
    return false;
  }
}

function probe(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = createConnection({ host: LOOPBACK, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
