// The app server's port, held from the first second of `npm start`: until the
// app is ready every request gets a short "starting" answer, and a port that is
// already taken is a clear message instead of a crash after minutes of setup.
import { createServer, type RequestListener, type Server } from 'node:http';

export interface HeldPort {
  server: Server;
  /** Start answering with the real app. */
  serve(handler: RequestListener): void;
}

const starting: RequestListener = (_req, res) => {
  res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5', 'Cache-Control': 'no-store' });
  res.end('Sebaran is starting; try again in a few seconds.\nSebaran sedang dimulai; coba lagi sebentar lagi.\n');
};

export async function holdAppPort(host: string, port: number): Promise<HeldPort> {
  let handler = starting;
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new Error(`the app's port ${port} on ${host} is already in use by another program; stop it, or set "app": { "port": … } in the topology to another port`));
      else if (e.code === 'EACCES') reject(new Error(`not allowed to listen on ${host}:${port}; choose a port above 1024 in the topology's "app"`));
      else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    serve(h) {
      handler = h;
    },
  };
}
