import type { WriteSink } from '../../src/projections/engine/write-sink';
import { createOffer, credit, memberToken } from '../support/fixtures';
import { readSide } from '../support/read-models';
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, kill, startService } from '../support/service-process';
import { api, KEYS, startTestApp, TestApp } from '../support/test-app';

/**
 * Commits reach the read models a few milliseconds late, as they may under load or with a writer
 * thread: a read that did not wait for its write would see the old rows (this test fails then).
 */
function delayCommits(t: TestApp): void {
  const holder = readSide(t).engine as unknown as { sink: WriteSink };
  const sink = holder.sink;
  holder.sink = {
    commit: (set) =>
      new Promise((resolve, reject) => setTimeout(() => sink.commit(set).then(resolve, reject), 3)),
    setSynchronous: (mode) => sink.setSynchronous(mode),
    buildIndexes: (statements) => sink.buildIndexes(statements),
    close: () => sink.close(),
  };
}

/**
 * 1,000 write-then-read rounds across wallets, redemptions, lifecycle moves, offers and the member
 * list: the stale reads.
 */
async function staleReads(baseUrl: string): Promise<string[]> {
  const org = api(baseUrl, KEYS.acmeSandbox);
  const member = api(baseUrl, await memberToken(org, 'reader'));
  const offerId = await createOffer(org, { pointsPrice: 1, maxPerMember: 1000 });
  await credit(org, 'reader', 1000);
  let lastRedemption = '';
  const stale: string[] = [];
  for (let round = 0; round < 1000; round++) {
    switch (round % 5) {
      case 0: {
        const written = await org('POST', '/v1/wallet/credit', {
          amount: 1,
          externalUserID: 'reader',
        });
        const read = await member('GET', '/v1/wallet');
        if (read.body.balance !== written.body.balance)
          stale.push(`round ${round}: wallet ${read.body.balance} != ${written.body.balance}`);
        break;
      }
      case 1: {
        const written = await member('POST', '/v1/redemptions', { offer: offerId });
        lastRedemption = written.body.id;
        const read = await member('GET', `/v1/redemptions/${lastRedemption}`);
        if (JSON.stringify(read.body) !== JSON.stringify(written.body))
          stale.push(`round ${round}: redemption`);
        break;
      }
      case 2: {
        const written = await org('POST', `/v1/redemptions/${lastRedemption}/status`, {
          status: 'OPEN',
        });
        const read = await member('GET', `/v1/redemptions?limit=1&status=OPEN`);
        if (read.body.redemptions[0]?.updatedAt !== written.body.updatedAt)
          stale.push(`round ${round}: list`);
        break;
      }
      case 3: {
        const written = await org('PATCH', `/v1/offers/${offerId}`, { title: `Title ${round}` });
        const read = await member('GET', `/v1/offers/${offerId}`);
        if (read.body.title !== written.body.title)
          stale.push(`round ${round}: offer ${read.body.title}`);
        break;
      }
      default: {
        const written = await org('PUT', `/v1/members/joiner-${round}`, { tier: 'new' });
        const read = await org('GET', '/v1/members?tier=new&limit=1');
        if (JSON.stringify(read.body.members[0]) !== JSON.stringify(written.body))
          stale.push(`round ${round}: members ${read.body.members[0]?.externalUserID}`);
      }
    }
  }
  return stale;
}

/** A read sent after a write's answer reflects that write: 1,000 rounds, never a stale answer. */
describe('Read your writes (e2e)', () => {
  it('in-process projections whose commits land late', async () => {
    const t = await startTestApp();
    try {
      delayCommits(t);
      expect(await staleReads(t.baseUrl)).toEqual([]);
    } finally {
      await t.close();
    }
  }, 60_000);

  // The built service runs its projections on their own thread: every commit lands after the answer.
  it('the built service, whose projections run on their own thread', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'points-ledger-ryw-'));
    const port = await freePort();
    let service: ChildProcess | undefined;
    try {
      service = await startService(dataDir, port);
      expect(await staleReads(`http://127.0.0.1:${port}`)).toEqual([]);
    } finally {
      if (service) await kill(service);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
