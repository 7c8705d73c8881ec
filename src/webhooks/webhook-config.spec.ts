import { DEV_WEBHOOK_SIGNING_KEY } from '../auth/auth-config';
import { loadWebhookConfig } from './webhook-config';

const KEY = 'webhook-config-spec-signing-key-0123456789';

describe('loadWebhookConfig', () => {
  it('falls back to the published development key outside production, and delivers', () => {
    expect(loadWebhookConfig({})).toEqual({
      signingKey: DEV_WEBHOOK_SIGNING_KEY,
      usingDevelopmentKey: true,
      delivery: true,
      httpsOnly: false,
      publicOnly: false,
    });
  });

  it('takes WEBHOOK_SIGNING_KEY, and production takes https URLs only', () => {
    expect(loadWebhookConfig({ NODE_ENV: 'production', WEBHOOK_SIGNING_KEY: KEY })).toEqual({
      signingKey: KEY,
      usingDevelopmentKey: false,
      delivery: true,
      httpsOnly: true,
      publicOnly: true,
    });
  });

  it.each([
    [{}, /WEBHOOK_SIGNING_KEY must be set/],
    [{ WEBHOOK_SIGNING_KEY: DEV_WEBHOOK_SIGNING_KEY }, /not to the published development key/],
    [{ WEBHOOK_SIGNING_KEY: ` ${DEV_WEBHOOK_SIGNING_KEY.toUpperCase()}` }, /published/],
  ])('refuses production with %p', (env, message) => {
    expect(() => loadWebhookConfig({ NODE_ENV: 'prod', ...env })).toThrow(message);
  });

  it('reads WEBHOOK_DELIVERY=off, and refuses a value it does not know', () => {
    expect(loadWebhookConfig({ WEBHOOK_DELIVERY: 'OFF' }).delivery).toBe(false);
    expect(loadWebhookConfig({ WEBHOOK_DELIVERY: 'on' }).delivery).toBe(true);
    expect(() => loadWebhookConfig({ WEBHOOK_DELIVERY: 'no' })).toThrow(
      "WEBHOOK_DELIVERY must be on or off, got 'no'",
    );
  });

  it('reads WEBHOOK_PRIVATE_DESTINATIONS either way round the default, and refuses other values', () => {
    const production = { NODE_ENV: 'production', WEBHOOK_SIGNING_KEY: KEY };
    expect(loadWebhookConfig({ WEBHOOK_PRIVATE_DESTINATIONS: 'deny' }).publicOnly).toBe(true);
    expect(
      loadWebhookConfig({ ...production, WEBHOOK_PRIVATE_DESTINATIONS: ' Allow ' }).publicOnly,
    ).toBe(false);
    expect(() => loadWebhookConfig({ WEBHOOK_PRIVATE_DESTINATIONS: 'yes' })).toThrow(
      "WEBHOOK_PRIVATE_DESTINATIONS must be allow or deny, got 'yes'",
    );
  });
});
