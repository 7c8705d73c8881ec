import { createHmac } from 'node:crypto';
import { signatureOf, signingSecretOf, verifySignature } from './webhook-signing';

const KEY = 'webhook-signing-spec-key-0123456789abcdef';

describe('webhook signing', () => {
  it('derives one secret per tenant and webhook, the same on every replica', () => {
    const secret = signingSecretOf(KEY, 'sandbox.acme', 'wh_1');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(signingSecretOf(KEY, 'sandbox.acme', 'wh_1')).toBe(secret);
    expect(signingSecretOf(KEY, 'live.acme', 'wh_1')).not.toBe(secret);
    expect(signingSecretOf(KEY, 'sandbox.acme', 'wh_2')).not.toBe(secret);
    expect(signingSecretOf(`${KEY}x`, 'sandbox.acme', 'wh_1')).not.toBe(secret);
  });

  it('derives a new secret for each rotation, version 1 being the one registered', () => {
    const first = signingSecretOf(KEY, 'sandbox.acme', 'wh_1');
    const expected = createHmac('sha256', KEY).update('sandbox.acme:wh_1').digest('base64');
    expect(first).toBe(`whsec_${expected}`); // what every webhook registered so far was given
    expect(signingSecretOf(KEY, 'sandbox.acme', 'wh_1', 1)).toBe(first);
    const versions = [2, 3, 4].map((v) => signingSecretOf(KEY, 'sandbox.acme', 'wh_1', v));
    expect(new Set([first, ...versions]).size).toBe(4);
    expect(signingSecretOf(KEY, 'sandbox.acme', 'wh_1', 2)).toBe(versions[0]);
  });

  it('signs "id.timestamp.body" as Standard Webhooks does: HMAC-SHA256 under the decoded secret', () => {
    const secret = signingSecretOf(KEY, 'sandbox.acme', 'wh_1');
    const body = '{"id":"msg_1","type":"loyalty.points.credited"}';
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`msg_1.1700000000.${body}`)
      .digest('base64');
    expect(signatureOf(secret, 'msg_1', 1_700_000_000, body)).toBe(`v1,${expected}`);
  });

  it('verifies its own signature, among others, and nothing altered', () => {
    const secret = signingSecretOf(KEY, 'sandbox.acme', 'wh_1');
    const header = `v1,bogus ${signatureOf(secret, 'msg_1', 1, 'body')}`;
    expect(verifySignature(secret, 'msg_1', 1, 'body', header)).toBe(true);
    expect(verifySignature(secret, 'msg_1', 1, 'body!', header)).toBe(false);
    expect(verifySignature(secret, 'msg_1', 2, 'body', header)).toBe(false);
    const other = signingSecretOf(KEY, 'sandbox.acme', 'wh_2');
    expect(verifySignature(other, 'msg_1', 1, 'body', header)).toBe(false);
  });
});
