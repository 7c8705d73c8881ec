import { FailureLog } from './failure-log';

describe('FailureLog', () => {
  const setUp = () => {
    const lines: string[] = [];
    let clock = 1_000;
    const log = new FailureLog(
      { error: (m) => lines.push(`error ${m}`), warn: (m) => lines.push(`warn ${m}`) },
      { now: () => clock },
    );
    return { lines, log, advance: (ms: number) => (clock += ms) };
  };

  it('logs a failure that repeats at its 1st, 10th, 100th and 1,000th time, not every time', () => {
    const { lines, log } = setUp();
    for (let i = 0; i < 1_500; i++) log.failed('disk I/O error');
    expect(lines).toEqual([
      'error Projection engine: disk I/O error; retrying',
      'error Projection engine: disk I/O error (10 failures in a row); retrying',
      'error Projection engine: disk I/O error (100 failures in a row); retrying',
      'error Projection engine: disk I/O error (1,000 failures in a row); retrying',
    ]);
  });

  it('logs each change of message at once', () => {
    const { lines, log } = setUp();
    log.failed('connection refused');
    log.failed('connection refused');
    log.failed('disk I/O error');
    log.failed('connection refused');
    expect(lines).toEqual([
      'error Projection engine: connection refused; retrying',
      'error Projection engine: disk I/O error; retrying',
      'error Projection engine: connection refused; retrying',
    ]);
  });

  it('says once that it recovered, with how many failures over how long, and then starts over', () => {
    const { lines, log, advance } = setUp();
    log.succeeded(); // nothing had failed: nothing to say
    expect(lines).toEqual([]);
    log.failed('database or disk is full');
    advance(2_500);
    log.failed('database or disk is full');
    log.succeeded();
    log.succeeded();
    expect(lines).toEqual([
      'error Projection engine: database or disk is full; retrying',
      'warn Projection engine: recovered after failing 2 times in 2.5 s',
    ]);

    lines.length = 0;
    log.failed('database or disk is full'); // a new run: logged at once again
    log.succeeded();
    expect(lines).toEqual([
      'error Projection engine: database or disk is full; retrying',
      'warn Projection engine: recovered after failing once in 0.0 s',
    ]);
  });

  it('names what failed and what is done about it, for the projection thread that is restarted', () => {
    const lines: string[] = [];
    const log = new FailureLog(
      { error: (m) => lines.push(`error ${m}`), warn: (m) => lines.push(`warn ${m}`) },
      { subject: 'Projection thread', retrying: 'starting it again', now: () => 0 },
    );
    for (let i = 0; i < 10; i++) log.failed('exited with code 1');
    log.succeeded();
    expect(lines).toEqual([
      'error Projection thread: exited with code 1; starting it again',
      'error Projection thread: exited with code 1 (10 failures in a row); starting it again',
      'warn Projection thread: recovered after failing 10 times in 0.0 s',
    ]);
  });
});
