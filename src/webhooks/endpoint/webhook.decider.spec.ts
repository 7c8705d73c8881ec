import { deciderSpec } from '../../shared/domain/decider-spec';
import { webhooksDecider, webhookUrlProblem } from './webhook.decider';
import {
  WEBHOOK_LIMITS,
  WebhookEvent,
  WebhookUrlRules,
  WEBHOOK_EVENT_NAMES,
  subscribesTo,
  webhookEventNameOf,
} from './webhook.events';

const spec = deciderSpec(webhooksDecider);
const NOW = '2026-12-07T12:00:00.000Z';
const OPEN: WebhookUrlRules = { httpsOnly: false, publicOnly: false };
const HTTPS: WebhookUrlRules = { httpsOnly: true, publicOnly: false };
const PUBLIC: WebhookUrlRules = { httpsOnly: false, publicOnly: true };
const register = (webhookId: string, events: string[] = ['*'], url = 'https://example.com/h') => ({
  type: 'RegisterWebhook' as const,
  data: { webhookId, url, events, rules: OPEN, now: NOW },
});
const registered = (webhookId: string, events: string[] = ['*']): WebhookEvent => ({
  type: 'WebhookRegistered',
  data: { webhookId, url: 'https://example.com/h', events, registeredAt: NOW },
});
const remove = (webhookId: string) => ({
  type: 'DeleteWebhook' as const,
  data: { webhookId, now: NOW },
});

describe('webhooks decider', () => {
  it('registers a webhook, its event names once each', () => {
    const state = spec
      .given()
      .when(register('wh_1', ['loyalty.points.credited', '*', 'loyalty.points.credited']))
      .then([registered('wh_1', ['loyalty.points.credited', '*'])]);
    expect(state.active.map((w) => w.id)).toEqual(['wh_1']);
  });

  it('deletes a registered webhook, and then knows it no more', () => {
    const state = spec
      .given([registered('wh_1'), registered('wh_2')])
      .when(remove('wh_1'))
      .then([{ type: 'WebhookDeleted', data: { webhookId: 'wh_1', deletedAt: NOW } }]);
    expect(state.active.map((w) => w.id)).toEqual(['wh_2']);
    spec
      .given([
        registered('wh_1'),
        { type: 'WebhookDeleted', data: { webhookId: 'wh_1', deletedAt: NOW } },
      ])
      .when(remove('wh_1'))
      .then('NOT_FOUND');
  });

  it("records a request to send a live webhook's delivery again, and changes nothing else", () => {
    const deliveryId = `msg_${'a'.repeat(32)}`;
    const resend = (webhookId: string) => ({
      type: 'ResendWebhookDelivery' as const,
      data: { webhookId, deliveryId, now: NOW },
    });
    const requested: WebhookEvent = {
      type: 'WebhookDeliveryResendRequested',
      data: { webhookId: 'wh_1', deliveryId, requestedAt: NOW },
    };
    const state = spec
      .given([registered('wh_1')])
      .when(resend('wh_1'))
      .then([requested]);
    expect(state.active.map((w) => w.id)).toEqual(['wh_1']);
    spec
      .given([registered('wh_1'), requested])
      .when(resend('wh_1'))
      .then([requested]);
    spec
      .given([registered('wh_1')])
      .when(resend('wh_2'))
      .then('NOT_FOUND');
    spec
      .given([
        registered('wh_1'),
        { type: 'WebhookDeleted', data: { webhookId: 'wh_1', deletedAt: NOW } },
      ])
      .when(resend('wh_1'))
      .then('NOT_FOUND');
  });

  it("rotates a live webhook's signing secret to the next version each time", () => {
    const rotate = (webhookId: string) => ({
      type: 'RotateWebhookSecret' as const,
      data: { webhookId, now: NOW },
    });
    const rotated = (secretVersion: number): WebhookEvent => ({
      type: 'WebhookSecretRotated',
      data: { webhookId: 'wh_1', secretVersion, rotatedAt: NOW },
    });
    const state = spec
      .given([registered('wh_1'), registered('wh_2')])
      .when(rotate('wh_1'))
      .then([rotated(2)]);
    expect(state.active.map((w) => [w.id, w.secretVersion])).toEqual([
      ['wh_1', 2],
      ['wh_2', 1],
    ]);
    spec
      .given([registered('wh_1'), rotated(2)])
      .when(rotate('wh_1'))
      .then([rotated(3)]);
    spec
      .given([registered('wh_1')])
      .when(rotate('wh_9'))
      .then('NOT_FOUND');
    spec
      .given([
        registered('wh_1'),
        { type: 'WebhookDeleted', data: { webhookId: 'wh_1', deletedAt: NOW } },
      ])
      .when(rotate('wh_1'))
      .then('NOT_FOUND');
  });

  it('records a test request for a live webhook only', () => {
    const test = (webhookId: string) => ({
      type: 'SendWebhookTest' as const,
      data: { webhookId, now: NOW },
    });
    spec
      .given([registered('wh_1')])
      .when(test('wh_1'))
      .then([{ type: 'WebhookTestRequested', data: { webhookId: 'wh_1', requestedAt: NOW } }]);
    spec
      .given([registered('wh_1')])
      .when(test('wh_2'))
      .then('NOT_FOUND');
    spec
      .given([
        registered('wh_1'),
        { type: 'WebhookDeleted', data: { webhookId: 'wh_1', deletedAt: NOW } },
      ])
      .when(test('wh_1'))
      .then('NOT_FOUND');
  });

  it('refuses to delete a webhook it never registered', () => {
    spec.given().when(remove('wh_x')).then('NOT_FOUND');
  });

  it('never takes an id twice, deleted or not', () => {
    spec
      .given([
        registered('wh_1'),
        { type: 'WebhookDeleted', data: { webhookId: 'wh_1', deletedAt: NOW } },
      ])
      .when(register('wh_1'))
      .then('CONFLICT');
  });

  it(`caps a tenant at ${WEBHOOK_LIMITS.perTenant} webhooks not deleted`, () => {
    const full = Array.from({ length: WEBHOOK_LIMITS.perTenant }, (_, i) => registered(`wh_${i}`));
    const refused = spec.given(full).when(register('wh_new')).then('WEBHOOK_LIMIT_REACHED');
    expect(refused.details).toEqual({ limit: WEBHOOK_LIMITS.perTenant });
    spec
      .given([...full, { type: 'WebhookDeleted', data: { webhookId: 'wh_3', deletedAt: NOW } }])
      .when(register('wh_new'))
      .then([registered('wh_new')]);
  });

  it('names the unknown event names it refuses, and the known ones', () => {
    const refused = spec
      .given()
      .when(register('wh_1', ['loyalty.points.credited', 'loyalty.nope', 'loyalty.nope']))
      .then('VALIDATION_FAILED');
    expect(refused.details).toMatchObject({ field: 'events', unknown: ['loyalty.nope'] });
    expect(refused.details?.known).toEqual(['*', ...WEBHOOK_EVENT_NAMES]);
    spec.given().when(register('wh_1', [])).then('VALIDATION_FAILED');
  });

  it("takes the Expys SDK's short names (redemption.created) for the full ones", () => {
    spec
      .given()
      .when(register('wh_1', ['redemption.created', 'points.credited']))
      .then([registered('wh_1', ['redemption.created', 'points.credited'])]);
    expect(subscribesTo(['redemption.created'], 'loyalty.redemption.created')).toBe(true);
    expect(subscribesTo(['redemption.created'], 'loyalty.redemption.canceled')).toBe(false);
    expect(subscribesTo(['loyalty.points.credited'], 'loyalty.points.credited')).toBe(true);
    expect(subscribesTo(['*'], 'loyalty.points.refunded')).toBe(true);
  });

  it.each([
    ['https://example.com/hook', OPEN, null],
    ['http://127.0.0.1:8080/hook?x=1', OPEN, null],
    ['http://example.com/hook', HTTPS, 'url must be https in production'],
    ['ftp://example.com/hook', OPEN, 'url must be an absolute http or https URL'],
    ['example.com/hook', OPEN, 'url must be an absolute http or https URL'],
    ['https://example.com/hook#part', OPEN, 'url must not have a fragment'],
    [' https://example.com/hook', OPEN, 'url must not contain blanks or control characters'],
    ['https://example.com/a b', OPEN, 'url must not contain blanks or control characters'],
    ['http:///hook', OPEN, 'url must be an absolute http or https URL'],
    [
      'https://user:secret@example.com/hook',
      OPEN,
      'url must not hold credentials (user:password@): authenticate by the signature',
    ],
    ['https://example.com/hook?contact=ops@example.com', OPEN, null],
    ['http://example.com:0/hook', OPEN, 'url must not name port 0, where nothing can listen'],
    ['http://example.com:00/hook', OPEN, 'url must not name port 0, where nothing can listen'],
    ['https://example.com:8443/hook', OPEN, null],
    [
      `https://example.com/${'a'.repeat(WEBHOOK_LIMITS.url)}`,
      OPEN,
      'url must be at most 2048 characters',
    ],
    // Characters, not UTF-16 units: 1,032 of them in 2,049 units.
    [`https://ex.org/${'😀'.repeat(1017)}`, OPEN, null],
    [
      `https://ex.org/${'😀'.repeat(WEBHOOK_LIMITS.url - 14)}`,
      OPEN,
      'url must be at most 2048 characters',
    ],
    [
      'http://127.0.0.1:8080/hook',
      PUBLIC,
      'url must point at a public host: 127.0.0.1 is not a public address',
    ],
    [
      'http://10.1.2.3/hook',
      PUBLIC,
      'url must point at a public host: 10.1.2.3 is not a public address',
    ],
    [
      'http://0x7f.1/hook',
      PUBLIC,
      'url must point at a public host: 127.0.0.1 is not a public address',
    ],
    [
      'http://169.254.169.254/latest/meta-data',
      PUBLIC,
      'url must point at a public host: 169.254.169.254 is not a public address',
    ],
    ['http://[::1]/hook', PUBLIC, 'url must point at a public host: ::1 is not a public address'],
    [
      'http://[::ffff:127.0.0.1]/hook',
      PUBLIC,
      'url must point at a public host: ::ffff:7f00:1 is not a public address',
    ],
    [
      'http://LOCALHOST./hook',
      PUBLIC,
      'url must point at a public host: localhost. is a loopback name',
    ],
    [
      'http://api.localhost/hook',
      PUBLIC,
      'url must point at a public host: api.localhost is a loopback name',
    ],
    ['http://93.184.216.34/hook', PUBLIC, null],
    ['http://[2606:2800:220:1::]/hook', PUBLIC, null],
    ['https://hooks.example.com/hook', PUBLIC, null],
  ])('judges url case %#', (url, rules, problem) => {
    expect(webhookUrlProblem(url, rules)).toBe(problem);
    const outcome = spec.given().when({
      type: 'RegisterWebhook',
      data: { webhookId: 'wh_1', url, events: ['*'], rules, now: NOW },
    });
    if (problem === null) outcome.thenEvents();
    else expect(outcome.then('VALIDATION_FAILED').details).toEqual({ field: 'url' });
  });

  it('maps the stored event types to webhook names in one table', () => {
    expect(webhookEventNameOf('RedemptionCreated')).toBe('loyalty.redemption.created');
    expect(webhookEventNameOf('PointsHoldApplied')).toBe('loyalty.redemption.applied');
    expect(webhookEventNameOf('PointsDebited')).toBeUndefined();
    expect(webhookEventNameOf('toString')).toBeUndefined();
  });
});
