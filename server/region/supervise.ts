// Runs a region service as a child process of `npm start`, restarting it if
// it dies (it resumes exactly where it was: see service.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../config.ts';

export interface ServiceProcess {
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function superviseService(code: string, log: (l: string) => void): ServiceProcess {
  let proc: ChildProcess | null = null;
  let stopping = false;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const launch = () => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'server/region/main.ts'), code], {
      cwd: projectRoot,
      env: { ...process.env, SEBARAN_EXIT_WITH_PARENT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc = p;
    const onLine = (b: Buffer) => {
      for (const line of String(b).split('\n').filter(Boolean)) {
        if (line.includes('region service running')) markReady();
        log(`  ${line}`);
      }
    };
    p.stdout!.on('data', onLine);
    p.stderr!.on('data', onLine);
    p.on('exit', (c, sig) => {
      if (stopping) return;
      log(`region service ${code} exited (${sig ?? c}); restarting`);
      setTimeout(launch, 1000);
    });
  };
  launch();
  return {
    ready,
    async stop() {
      stopping = true;
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
    },
  };
}
