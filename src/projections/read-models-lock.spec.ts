import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  FOREIGN_STALE_MS,
  HEARTBEAT_MS,
  isHolder,
  lockReadModels,
  READ_MODELS_LOCK_FILE,
  startTimeOf,
} from './read-models-lock';

/** The compiled module (`npm test` builds first): racers are separate processes, as in real use. */
const COMPILED = resolve(__dirname, '../../dist/src/projections/read-models-lock.js');

/** Starts `count` processes that all try to take the lock at the same instant; answers how many got it. */
async function race(dir: string, count: number): Promise<number> {
  const at = Date.now() + 300;
  const script = `
    const { lockReadModels, isHolder } = require(${JSON.stringify(COMPILED)});
    while (Date.now() < ${at}) {}
    const lock = lockReadModels(${JSON.stringify(dir)}, 'service');
    process.stdout.write(isHolder(lock) ? 'refused' : 'holds');
    process.stdin.resume(); // hold on until told to go, so that nobody sees a dead holder
  `;
  const racers = Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const answers = await Promise.all(
    racers.map(
      (child) =>
        new Promise<string>((done) => {
          child.stdout.once('data', (chunk) => done(String(chunk)));
          child.once('exit', () => done('exited'));
        }),
    ),
  );
  await Promise.all(
    racers.map((child) => {
      const exited = new Promise((done) => child.once('exit', done));
      child.stdin.end();
      return exited;
    }),
  );
  expect(answers.every((a) => a === 'holds' || a === 'refused')).toBe(true);
  return answers.filter((a) => a === 'holds').length;
}

describe('read-models lock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rm-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const lockFile = () => join(dir, READ_MODELS_LOCK_FILE);

  it('is compiled for the racing processes', () => {
    expect(existsSync(COMPILED)).toBe(true);
  });

  it('goes to exactly one of many processes that start together, with or without a stale lock', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    for (let round = 0; round < 4; round++) {
      rmSync(lockFile(), { force: true });
      if (round % 2 === 1) writeFileSync(lockFile(), `service ${gone} 1 -\n`);
      expect(await race(dir, 6)).toBe(1);
      // No drafts or markers left, and the holder gave the lock up as it exited.
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 60_000);

  it('is touched by its holder while held, so that a container that cannot look the holder up knows it lives', () => {
    jest.useFakeTimers();
    try {
      const lock = lockReadModels(dir, 'service');
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(lockFile(), hourAgo, hourAgo);
      jest.advanceTimersByTime(HEARTBEAT_MS);
      expect(Date.now() - statSync(lockFile()).mtimeMs).toBeLessThan(FOREIGN_STALE_MS);
      if (!isHolder(lock)) lock.release();
      expect(existsSync(lockFile())).toBe(false);
      expect(jest.getTimerCount()).toBe(0); // the heartbeat stopped with the lock
    } finally {
      jest.useRealTimers();
    }
  });

  it('knows whether it still holds the lock, so that a step after a long pause can check', () => {
    const lock = lockReadModels(dir, 'restore');
    if (isHolder(lock)) throw new Error('not taken');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(lockFile(), hourAgo, hourAgo);
    expect(lock.stillHeld()).toBe(true);
    expect(Date.now() - statSync(lockFile()).mtimeMs).toBeLessThan(FOREIGN_STALE_MS); // touched
    // Taken for stale by a process in another container (the same pid 1, another namespace).
    writeFileSync(lockFile(), `service ${process.pid} 12345 pid:[1]\n`);
    expect(lock.stillHeld()).toBe(false);
    lock.release();
    expect(existsSync(lockFile())).toBe(true); // not ours to remove
  });

  describe('lost to another process', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('tells its holder once when another process took it, and stops trusting it after a pause', () => {
      const lost = jest.fn();
      const lock = lockReadModels(dir, 'service', lost);
      if (isHolder(lock)) throw new Error('not taken');
      jest.advanceTimersByTime(HEARTBEAT_MS);
      expect([lock.surelyHeld(), lost.mock.calls.length]).toEqual([true, 0]);
      // Paused past FOREIGN_STALE_MS, then taken for stale by a process in another container.
      jest.setSystemTime(Date.now() + FOREIGN_STALE_MS);
      writeFileSync(lockFile(), `rebuild ${process.pid} 12345 pid:[1]\n`);
      expect(lock.surelyHeld()).toBe(false); // asked before a commit, ahead of the heartbeat
      jest.advanceTimersByTime(3 * HEARTBEAT_MS);
      expect(lost).toHaveBeenCalledTimes(1);
      expect(jest.getTimerCount()).toBe(0); // no heartbeat for a lock it no longer holds
      lock.release();
      expect(existsSync(lockFile())).toBe(true); // not ours to remove
    });

    it('tells its holder from the heartbeat alone, with no commit to ask', () => {
      const lost = jest.fn();
      const lock = lockReadModels(dir, 'service', lost);
      if (isHolder(lock)) throw new Error('not taken');
      writeFileSync(lockFile(), `rebuild ${process.pid} 12345 pid:[1]\n`);
      jest.advanceTimersByTime(HEARTBEAT_MS);
      expect(lost).toHaveBeenCalledTimes(1);
      lock.release();
    });
  });

  it('is never seen half written: the file holds the whole identity from the start', () => {
    const lock = lockReadModels(dir, 'rebuild');
    expect(isHolder(lock)).toBe(false);
    expect(readFileSync(lockFile(), 'utf8')).toMatch(
      new RegExp(`^rebuild ${process.pid} ${startTimeOf(process.pid)} \\S+\\n$`),
    );
    if (!isHolder(lock)) lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('takes over from a holder that has exited but is not reaped yet (a zombie)', async () => {
    // sh execs into sleep, which never waits for its background child: killed, the child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 30 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(await new Promise<string>((done) => parent.stdout.once('data', done)));
      // Until sh has exec'd, it would reap the child itself: kill the child only once it has.
      const comm = () => readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim();
      const execDeadline = Date.now() + 10_000;
      while (comm() !== 'sleep' && Date.now() < execDeadline) await new Promise(setImmediate);
      expect(comm()).toBe('sleep');
      const started = startTimeOf(pid);
      process.kill(pid, 'SIGKILL');
      const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[0];
      const deadline = Date.now() + 10_000;
      while (state() !== 'Z' && Date.now() < deadline) await new Promise(setImmediate);
      expect(state()).toBe('Z');
      writeFileSync(lockFile(), `service ${pid} ${started} -\n`);

      const lock = lockReadModels(dir, 'service');
      expect(isHolder(lock)).toBe(false);
      if (!isHolder(lock)) lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('still refuses a live holder', () => {
    writeFileSync(lockFile(), `service ${process.ppid} ${startTimeOf(process.ppid)} -\n`);
    expect(lockReadModels(dir, 'rebuild')).toEqual({
      role: 'service',
      pid: process.ppid,
      started: startTimeOf(process.ppid),
      namespace: undefined,
    });
  });
});
