import { api, headPosition, KEYS, startTestApp, TestApp } from '../support/test-app';
import { createOffer, credit, memberToken } from '../support/fixtures';

interface BadInput {
  name: string;
  method?: string;
  path: string;
  body: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
  /** What the message must say, e.g. the limit a check applies. */
  message?: RegExp;
  /** What `field`'s problems must say (a 400 lists them). */
  problem?: RegExp;
  as?: 'org' | 'member';
}

/** Whitespace-only externalUserIDs, each tried on every route that takes one. */
const BLANK_IDS = [
  ['spaces', '   '],
  ['no-break and ideographic spaces', '\u00a0\u3000'],
];
const blankId = (route: string, make: (id: string) => Partial<BadInput>): BadInput[] =>
  BLANK_IDS.map(([label, id]) => ({
    name: `${route}: a member id of only ${label}`,
    path: '',
    body: undefined,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'externalUserID',
    ...make(id),
  }));
/** A blank text field (a domain rule): 422 naming the field, its message stating the limit. */
const blankText = (
  route: string,
  request: Pick<BadInput, 'method' | 'path'> & { body: Record<string, unknown> },
  field: string,
  limit: number,
  nullable: boolean,
): BadInput => ({
  name: `${route}: a blank ${field} states its limit of ${limit}`,
  ...request,
  body: { ...request.body, [field]: '   ' },
  status: 422,
  code: 'VALIDATION_FAILED',
  field,
  message: new RegExp(
    `^${field} must be 1-${limit} characters, not all blank${nullable ? ', or null' : ''}$`,
  ),
});
/** A valid offer's required fields. */
const offerBody = { title: 'T', kind: 'k', type: 't', pointsPrice: 1 };
/** POST /v1/redemptions/{id}/reverse of a FIXED redemption: each refused, nothing reversed. */
const reverseCases = (): BadInput[] => [
  ...[
    ['units of 0', { units: 0 }, 'units'],
    ['units of 1.5', { units: 1.5 }, 'units'],
    ['units as a string', { units: '1' }, 'units'],
    ['an amount of "abc"', { amount: 'abc' }, 'amount'],
    ['an amount of -1', { amount: '-1' }, 'amount'],
    ['an amount as a number', { amount: 1 }, 'amount'],
    ['a reason of 501 characters', { reason: 'r'.repeat(501) }, 'reason'],
    ['an unknown field', { points: 5 }, 'points'],
  ].map(([label, body, field]) => ({
    name: `reverse: ${label as string}`,
    path: '/v1/redemptions/{id}/reverse',
    body,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: field as string,
  })),
  ...[
    ['units of a FIXED redemption', { units: 1 }, 'units'],
    ['an amount of a FIXED redemption', { amount: '1.00' }, 'amount'],
    ['an amount of 0', { amount: '0.00' }, 'amount'],
    ['a blank reason', { reason: '   ' }, 'reason'],
  ].map(([label, body, field]) => ({
    name: `reverse: ${label as string}`,
    path: '/v1/redemptions/{id}/reverse',
    body,
    status: 422,
    code: 'VALIDATION_FAILED',
    field: field as string,
  })),
  {
    name: 'reverse: a JSON array for a body',
    path: '/v1/redemptions/{id}/reverse',
    body: [],
    status: 400,
    code: 'VALIDATION_FAILED',
  },
];

/** POST /v1/redemptions/{id}/fulfilment, of a redemption that is no FULFILMENT one. */
const fulfilmentCases = (): BadInput[] => [
  ...[
    ['no tracking number', {}, 'trackingNumber'],
    ['a tracking number of 101 characters', { trackingNumber: 'x'.repeat(101) }, 'trackingNumber'],
    ['a tracking number as a number', { trackingNumber: 123 }, 'trackingNumber'],
    ['a line break in the tracking number', { trackingNumber: 'a\nb' }, 'trackingNumber'],
    ['a carrier of 101 characters', { trackingNumber: 'T', carrier: 'c'.repeat(101) }, 'carrier'],
    ['an ftp tracking URL', { trackingNumber: 'T', trackingUrl: 'ftp://a.b/t' }, 'trackingUrl'],
    [
      'a tracking URL without a protocol',
      { trackingNumber: 'T', trackingUrl: 'a.b/t' },
      'trackingUrl',
    ],
    ['an unknown field', { trackingNumber: 'T', tracking: 'T' }, 'tracking'],
  ].map(([label, body, field]) => ({
    name: `fulfilment: ${label as string}`,
    path: '/v1/redemptions/{id}/fulfilment',
    body,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: field as string,
  })),
  ...[
    ['a blank tracking number', { trackingNumber: '   ' }, 'trackingNumber'],
    ['a blank carrier', { trackingNumber: 'T', carrier: '  ' }, 'carrier'],
    ['a redemption of an offer that is not FULFILMENT', { trackingNumber: 'T' }, 'artifact'],
  ].map(([label, body, field]) => ({
    name: `fulfilment: ${label as string}`,
    path: '/v1/redemptions/{id}/fulfilment',
    body,
    status: 422,
    code: 'VALIDATION_FAILED',
    field: field as string,
  })),
];

/** Held points: the fields of a held redemption, of an apply and of a release. */
const holdCases = (): BadInput[] => [
  ...[
    ['holdExpiresAt not an instant', { holdExpiresAt: 'tomorrow' }, 'holdExpiresAt'],
    ['holdExpiresAt a date only', { holdExpiresAt: '2099-01-01' }, 'holdExpiresAt'],
    ['holdExpiresAt without a zone', { holdExpiresAt: '2099-01-01T10:00:00' }, 'holdExpiresAt'],
    ['delayPointsDeduction as a string', { delayPointsDeduction: 'yes' }, 'delayPointsDeduction'],
    ['delayPointsDeduction as 1', { delayPointsDeduction: 1 }, 'delayPointsDeduction'],
  ].map(([label, body, field]) => ({
    name: `redeem held: ${label as string}`,
    path: '/v1/redemptions',
    body: { offer: 'x', delayPointsDeduction: true, ...(body as object) },
    as: 'member' as const,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: field as string,
  })),
  ...[
    ['apply', 'a reference of 201 characters', { reference: 'r'.repeat(201) }, 'reference'],
    ['apply', 'a line break in the reference', { reference: 'a\nb' }, 'reference'],
    ['apply', 'a reference as a number', { reference: 42 }, 'reference'],
    ['apply', 'an unknown field', { orderId: 'o-1' }, 'orderId'],
    ['release', 'a reason of 501 characters', { reason: 'r'.repeat(501) }, 'reason'],
    ['release', 'an unknown field', { why: 'declined' }, 'why'],
  ].map(([route, label, body, field]) => ({
    name: `${route as string}: ${label as string}`,
    path: `/v1/redemptions/{id}/${route as string}`,
    body,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: field as string,
  })),
  ...[
    ['apply', 'a blank reference', { reference: '   ' }, 'reference'],
    ['release', 'a blank reason', { reason: '  ' }, 'reason'],
  ].map(([route, label, body, field]) => ({
    name: `${route as string}: ${label as string}`,
    path: `/v1/redemptions/{id}/${route as string}`,
    body,
    status: 422,
    code: 'VALIDATION_FAILED',
    field: field as string,
  })),
];

/** Write routes with a body they accept: none of them takes a query parameter. */
const WRITES_WITHOUT_QUERY: Array<[string, string, unknown]> = [
  ['POST', '/v1/offers', offerBody],
  ['PATCH', '/v1/offers/{offer}', { title: 'U' }],
  ['POST', '/v1/auth/exchange', { externalUserID: 'm1' }],
  ['PUT', '/v1/members/m1', {}],
  ['POST', '/v1/wallet/credit', { amount: 1, externalUserID: 'm1' }],
  ['POST', '/v1/redemptions', { offer: 'o1', externalUserID: 'm1' }],
  ['POST', '/v1/redemptions/{id}/cancel', {}],
  ['POST', '/v1/redemptions/{id}/reverse', {}],
  ['POST', '/v1/redemptions/{id}/fulfilment', { trackingNumber: 'JD1' }],
  ['POST', '/v1/redemptions/{id}/apply', { reference: 'order-1' }],
  ['POST', '/v1/redemptions/{id}/release', {}],
  ['POST', '/v1/redemptions/{id}/status', { status: 'OPEN' }],
];
const queryOnWrite = (): BadInput[] =>
  WRITES_WITHOUT_QUERY.map(([method, path, body]) => ({
    name: `${method} ${path}: a query parameter, which no write route takes`,
    method,
    path: `${path}?externalUserID=m1`,
    body,
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'externalUserID',
  }));
/** A body that is JSON but not an object; `null` is not the absence of a body either. */
const nonObjectBodyOnWrite = (): BadInput[] =>
  WRITES_WITHOUT_QUERY.flatMap(([method, path]) =>
    ['null', '[]', '5'].map((body) => ({
      name: `${method} ${path}: the JSON body ${body}`,
      method,
      path,
      body,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'body',
    })),
  );
const q = (id: string) => encodeURIComponent(id);

const long = (n: number) => 'x'.repeat(n);
/** An object nesting `levels` levels of objects: `{"a":{"a":{}}}` is 3. */
const nested = (levels: number): object => (levels === 1 ? {} : { a: nested(levels - 1) });
/** Offer fields that cannot be cleared: null for them is a type error. */
const NOT_NULLABLE_OFFER_FIELDS = ['title', 'kind', 'type', 'status', 'artifact', 'images'];

/** The fields an error names: a 400 lists them (`fields`), a domain 422 names one (`field`). */
const namedFields = (details?: { field?: string; fields?: Array<{ field: string }> }) => [
  ...(details?.field === undefined ? [] : [details.field]),
  ...(details?.fields ?? []).map((f) => f.field),
];
const MAX = Number.MAX_SAFE_INTEGER;
/** A valid shipping address. */
const address = { name: 'A', line1: 'B', city: 'Oslo', postalCode: '0155', country: 'NO' };
const NO_CONTROLS = /must not contain control characters$/;
/** The problems an error lists for one field. */
const problemsOf = (
  field: string,
  details?: { fields?: Array<{ field: string; problems: string[] }> },
) => (details?.fields ?? []).filter((f) => f.field === field).flatMap((f) => f.problems);

describe('Bad input (e2e): a clear error, never a 500, never an event', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  let member: ReturnType<typeof api>;
  let redemptionId: string;
  let offerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
    offerId = await createOffer(org, { pointsPrice: 10, maxPerMember: 100 });
    await credit(org, 'm1', 100);
    await credit(org, 'rich', MAX);
    member = api(t.baseUrl, await memberToken(org, 'm1'));
    redemptionId = (await member('POST', '/v1/redemptions', { offer: offerId })).body.id;
  });
  afterAll(() => t.close());

  const credit1 = { amount: 1, externalUserID: 'm1' };
  const amountOffer = {
    title: 'T',
    kind: 'k',
    type: 't',
    priceModel: 'AMOUNT_BASED',
    minAmount: '1',
    maxAmount: '99',
    pointsPerAmountUnit: 1,
  };
  const cases = (): BadInput[] => [
    ...queryOnWrite(),
    ...reverseCases(),
    ...fulfilmentCases(),
    ...holdCases(),
    ...nonObjectBodyOnWrite(),
    {
      name: 'credit: zero points',
      path: '/v1/wallet/credit',
      body: { ...credit1, amount: 0 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'credit: negative points',
      path: '/v1/wallet/credit',
      body: { ...credit1, amount: -5 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'credit: fractional points',
      path: '/v1/wallet/credit',
      body: { ...credit1, amount: 1.5 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'credit: points as a string',
      path: '/v1/wallet/credit',
      body: { ...credit1, amount: '100' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'credit: points past MAX_SAFE_INTEGER',
      path: '/v1/wallet/credit',
      body: { ...credit1, amount: MAX + 1 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'credit: points missing',
      path: '/v1/wallet/credit',
      body: { externalUserID: 'm1' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'credit: member missing',
      path: '/v1/wallet/credit',
      body: { amount: 1 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'externalUserID',
    },
    {
      name: 'credit: member id of 129 characters',
      path: '/v1/wallet/credit',
      body: { ...credit1, externalUserID: long(129) },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'externalUserID',
    },
    {
      name: 'credit: member id with a control character',
      path: '/v1/wallet/credit',
      body: { ...credit1, externalUserID: 'a\u0007b' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'externalUserID',
    },
    ...blankId('credit', (id) => ({
      path: '/v1/wallet/credit',
      body: { ...credit1, externalUserID: id },
    })),
    ...blankId('redeem', (id) => ({
      path: '/v1/redemptions',
      body: { offer: 'x', externalUserID: id },
    })),
    ...blankId('redeem as a member', (id) => ({
      path: '/v1/redemptions',
      body: { offer: 'x', externalUserID: id },
      as: 'member',
    })),
    ...blankId('wallet', (id) => ({ method: 'GET', path: `/v1/wallet?externalUserID=${q(id)}` })),
    ...blankId('wallet as a member', (id) => ({
      method: 'GET',
      path: `/v1/wallet?externalUserID=${q(id)}`,
      as: 'member',
    })),
    ...blankId('transactions', (id) => ({
      method: 'GET',
      path: `/v1/wallet/transactions?externalUserID=${q(id)}`,
    })),
    ...blankId('eligibility', (id) => ({
      method: 'GET',
      path: `/v1/eligibility?externalUserID=${q(id)}`,
    })),
    ...blankId('redemptions', (id) => ({
      method: 'GET',
      path: `/v1/redemptions?externalUserID=${q(id)}`,
    })),
    ...blankId('member summary', (id) => ({ method: 'GET', path: `/v1/members/${q(id)}` })),
    ...blankId('member upsert', (id) => ({
      method: 'PUT',
      path: `/v1/members/${q(id)}`,
      body: { displayName: 'A' },
    })),
    ...blankId('member archive', (id) => ({ method: 'DELETE', path: `/v1/members/${q(id)}` })),
    ...blankId('exchange', (id) => ({ path: '/v1/auth/exchange', body: { externalUserID: id } })),
    {
      name: 'credit: reason of 501 characters',
      path: '/v1/wallet/credit',
      body: { ...credit1, reason: long(501) },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'reason',
    },
    {
      name: 'credit: reason of 501 emoji (each one character)',
      path: '/v1/wallet/credit',
      body: { ...credit1, reason: '😀'.repeat(501) },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'reason',
    },
    {
      name: 'offer: an image URL of 2,049 characters',
      path: '/v1/offers',
      body: { ...offerBody, images: [`https://a.example/${'😀'.repeat(2049 - 18)}`] },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'images',
      problem: /^each value in images must be at most 2048 characters$/,
    },
    {
      name: 'webhook: a URL of 2,049 characters',
      path: '/v1/webhooks',
      body: { url: `https://hooks.example/${'😀'.repeat(2049 - 22)}`, events: ['*'] },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'url',
    },
    {
      name: 'offer: title of 201 emoji',
      path: '/v1/offers',
      body: { ...offerBody, title: '😀'.repeat(201) },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'title',
    },
    {
      name: 'member: displayName of 201 emoji',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { displayName: '😀'.repeat(201) },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'displayName',
    },
    {
      name: 'credit: an empty reason',
      path: '/v1/wallet/credit',
      body: { ...credit1, reason: '' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'reason',
    },
    {
      name: 'credit: a NUL in the reason',
      path: '/v1/wallet/credit',
      body: { ...credit1, externalUserID: 'ivy', reason: 'a\u0000b' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'reason',
      problem: NO_CONTROLS,
    },
    {
      name: 'credit: a line feed in the reason (a single line)',
      path: '/v1/wallet/credit',
      body: { ...credit1, reason: 'a\nb' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'reason',
      problem: NO_CONTROLS,
    },
    {
      name: 'cancel: an escape in the reason',
      path: `/v1/redemptions/{id}/cancel`,
      body: { reason: 'a\u001b[2Jb' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'reason',
    },
    {
      name: 'offer: an image URL with a control character',
      path: '/v1/offers',
      body: { ...offerBody, images: ['https://a.b/\u0000'] },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'images',
      problem: /^each value in images must not contain control characters$/,
    },
    {
      name: 'offer: an image URL with a C1 control (U+0085)',
      path: '/v1/offers',
      body: { ...offerBody, images: ['https://a.b/x\u0085'] },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'images',
    },
    {
      name: 'offer: DEL in the title',
      path: '/v1/offers',
      body: { ...offerBody, title: 'T\u007f' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'title',
    },
    {
      name: 'offer: a line feed in the shortDescription (a single line)',
      path: '/v1/offers',
      body: { ...offerBody, shortDescription: 'a\nb' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'shortDescription',
    },
    {
      name: 'offer: a NUL in the description (prose keeps only tab and line breaks)',
      path: '/v1/offers',
      body: { ...offerBody, description: 'a\n\u0000' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'description',
      problem: /^description must not contain control characters other than tab, line feed/,
    },
    {
      name: 'offer update: a tab in the kind and the type, both named',
      method: 'PATCH',
      path: '/v1/offers/{offer}',
      body: { kind: 'a\tb', type: 'c\td' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'type',
    },
    {
      name: 'redeem: shipping as an array of a valid address',
      path: '/v1/redemptions',
      body: { offer: 'giftcard', externalUserID: 'alice', amount: '20', shipping: [address] },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'shipping',
      problem: /^shipping must be an object$/,
    },
    ...(['x', 5, true, []] as const).map((shipping): BadInput => ({
      name: `redeem: shipping as ${JSON.stringify(shipping)}`,
      path: '/v1/redemptions',
      body: { offer: 'x', shipping },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'shipping',
      problem: /^shipping must be an object$/,
    })),
    {
      name: 'redeem: a tab in a shipping line',
      path: '/v1/redemptions',
      body: { offer: 'x', shipping: { ...address, line1: 'a\tb' } },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'shipping.line1',
    },
    {
      name: 'redeem: a NUL in the offer id (the usual body, checked fast)',
      path: '/v1/redemptions',
      body: { offer: 'o\u0000' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'offer',
    },
    {
      name: 'redeem: a NUL in the description (prose keeps only tab and line breaks)',
      path: '/v1/redemptions',
      body: { offer: 'x', description: 'a\u0000' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'description',
    },
    {
      name: 'member: an escape in the displayName',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { displayName: '\u001b[31mAda' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'displayName',
    },
    {
      name: 'member: a NUL in the posAccountId',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { posAccountId: 'p\u0000' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'posAccountId',
    },
    {
      name: 'member: a control character in a quoted email',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { email: '"a\u0001b"@example.com' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'email',
    },
    {
      name: 'exchange: a line feed in the tier',
      path: '/v1/auth/exchange',
      body: { externalUserID: 'm1', tier: 'gold\n' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'tier',
    },
    {
      name: 'list redemptions: a NUL in offerId',
      method: 'GET',
      path: '/v1/redemptions?offerId=o%00',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'offerId',
    },
    {
      name: 'get redemption: a NUL in the id',
      method: 'GET',
      path: '/v1/redemptions/r%00',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'id',
    },
    {
      name: 'credit: a member id of 129 emoji',
      path: '/v1/wallet/credit',
      body: { ...credit1, externalUserID: '😀'.repeat(129) },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'externalUserID',
    },
    {
      name: 'credit: unknown field',
      path: '/v1/wallet/credit',
      body: { ...credit1, bonus: true },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'bonus',
    },
    {
      name: 'credit: an unknown field named like an Object.prototype member',
      path: '/v1/wallet/credit',
      body: { ...credit1, toString: 1 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'toString',
    },
    {
      name: 'credit: an unknown field named constructor',
      path: '/v1/wallet/credit',
      body: { ...credit1, constructor: 'x' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'constructor',
    },
    {
      name: 'redeem: a shipping field named valueOf',
      path: '/v1/redemptions',
      body: { offer: 'any-offer', externalUserID: 'm1', shipping: { name: 'A', valueOf: 1 } },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'shipping.valueOf',
    },
    {
      name: 'analytics offers: a limit (the list is not paged)',
      method: 'GET',
      path: '/v1/analytics/offers?limit=2',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'limit',
    },
    {
      name: 'analytics summary: an unknown query parameter',
      method: 'GET',
      path: '/v1/analytics/summary?foo=1',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'foo',
    },
    {
      name: 'get redemption: an unknown query parameter',
      method: 'GET',
      path: '/v1/redemptions/{id}?foo=1',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'foo',
    },
    {
      name: 'redemption history: an unknown query parameter',
      method: 'GET',
      path: '/v1/redemptions/{id}/history?foo=1',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'foo',
    },
    {
      name: 'get offer: an unknown query parameter',
      method: 'GET',
      path: '/v1/offers/{offer}?foo=1',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'foo',
    },
    {
      name: 'get member: an unknown query parameter',
      method: 'GET',
      path: '/v1/members/m1?foo=1',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'foo',
    },
    {
      name: 'list redemptions: a query parameter named hasOwnProperty',
      method: 'GET',
      path: '/v1/redemptions?hasOwnProperty=1',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'hasOwnProperty',
    },
    {
      name: 'credit: malformed JSON',
      path: '/v1/wallet/credit',
      body: '{"amount": 1,',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'credit: a __proto__ key',
      path: '/v1/wallet/credit',
      body: '{"externalUserID":"m","amount":1,"reason":"r","__proto__":{"isAdmin":true}}',
      status: 400,
      code: 'BAD_REQUEST',
      message: /must not hold a "__proto__" key/,
    },
    {
      name: 'credit: a constructor.prototype key',
      path: '/v1/wallet/credit',
      body: '{"externalUserID":"m","amount":1,"constructor":{"prototype":{"x":1}}}',
      status: 400,
      code: 'BAD_REQUEST',
      message: /or a "constructor" with a "prototype"/,
    },
    {
      // JSON.parse keeps the last; a proxy or firewall in front may read the first.
      name: 'credit: a key named twice',
      path: '/v1/wallet/credit',
      body: '{"amount":1,"externalUserID":"fz","amount":2}',
      status: 400,
      code: 'BAD_REQUEST',
      message: /the key "amount" more than once/,
    },
    {
      name: 'credit: a key named twice, once spelled with a \\u escape',
      path: '/v1/wallet/credit',
      body: '{"amount":1,"externalUserID":"m1","\\u0061mount":2}',
      status: 400,
      code: 'BAD_REQUEST',
      message: /the key "amount" more than once/,
    },
    {
      name: 'redeem: the member named twice',
      path: '/v1/redemptions',
      body: '{"offer":"o1","externalUserID":"m1","externalUserID":"rich"}',
      status: 400,
      code: 'BAD_REQUEST',
      message: /the key "externalUserID" more than once/,
    },
    {
      name: 'redeem: a member token naming a key twice',
      path: '/v1/redemptions',
      body: '{"offer":"o1","offer":"o2"}',
      as: 'member',
      status: 400,
      code: 'BAD_REQUEST',
      message: /the key "offer" more than once/,
    },
    {
      name: 'member: a key named twice inside attributes',
      method: 'PUT',
      path: '/v1/members/m1',
      body: '{"attributes":{"tier":"a","x":{"tier":1},"tier":"b"}}',
      status: 400,
      code: 'BAD_REQUEST',
      message: /the key "tier" more than once/,
    },
    {
      // JSON.parse reads it as 4: a whole number the client did not send.
      name: 'credit: an amount that is not a whole number but is read as one',
      path: '/v1/wallet/credit',
      body: '{"amount":4.0000000000000001,"externalUserID":"m1"}',
      status: 400,
      code: 'BAD_REQUEST',
      message: /the number 4\.0000000000000001, which is not a whole number but would be read as 4/,
    },
    {
      name: 'offer: a price that is not a whole number but is read as one',
      path: '/v1/offers',
      body: '{"title":"T","kind":"k","type":"t","pointsPrice":9.9999999999999999}',
      status: 400,
      code: 'BAD_REQUEST',
      message: /the number 9\.9999999999999999,/,
    },
    {
      name: 'credit: a JSON array',
      path: '/v1/wallet/credit',
      body: [credit1],
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'body',
    },
    {
      name: 'credit: a body over 1 MiB',
      path: '/v1/wallet/credit',
      body: { ...credit1, reason: long(1024 * 1024) },
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: /larger than 1 MiB/,
    },
    {
      name: 'credit: balance would pass MAX_SAFE_INTEGER',
      path: '/v1/wallet/credit',
      body: { amount: 1, externalUserID: 'rich' },
      status: 422,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'credit: an Idempotency-Key of 256 characters',
      path: '/v1/wallet/credit',
      body: credit1,
      headers: { 'Idempotency-Key': long(256) },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'Idempotency-Key',
    },
    {
      name: 'credit: a member token',
      path: '/v1/wallet/credit',
      body: credit1,
      as: 'member',
      status: 403,
      code: 'FORBIDDEN',
    },
    {
      name: 'redeem: offer missing',
      path: '/v1/redemptions',
      body: {},
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'offer',
    },
    {
      name: 'redeem: offer as a number',
      path: '/v1/redemptions',
      body: { offer: 123 },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'offer',
    },
    {
      name: 'redeem: zero quantity',
      path: '/v1/redemptions',
      body: { offer: 'x', quantity: 0 },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'quantity',
    },
    {
      name: 'redeem: amount as a number',
      path: '/v1/redemptions',
      body: { offer: 'x', amount: 50 },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'redeem: amount not a decimal',
      path: '/v1/redemptions',
      body: { offer: 'x', amount: '5O.00' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'redeem: amount with a leading zero',
      path: '/v1/redemptions',
      body: { offer: 'x', amount: '025.50' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'redeem: amount with 16 digits before the point',
      path: '/v1/redemptions',
      body: { offer: 'x', amount: '1234567890123456' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
      message: /amount/,
    },
    {
      name: 'redeem: amount with 7 digits after the point',
      path: '/v1/redemptions',
      body: { offer: 'x', amount: '25.5000001' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'amount',
    },
    {
      name: 'offer: minAmount with 16 digits before the point',
      path: '/v1/offers',
      body: { ...amountOffer, minAmount: '1000000000000000' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'minAmount',
    },
    {
      name: 'offer: maxAmount with 7 digits after the point',
      path: '/v1/offers',
      body: { ...amountOffer, maxAmount: '99.0000001' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'maxAmount',
    },
    {
      name: 'offer update: maxAmount with 16 digits before the point',
      method: 'PATCH',
      path: '/v1/offers/{offer}',
      body: { maxAmount: '9999999999999999' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'maxAmount',
    },
    {
      name: 'status: a date without a time',
      path: `/v1/redemptions/{id}/status`,
      body: { status: 'OPEN', startAt: '2027-06-01' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'startAt',
    },
    {
      name: 'redeem: description of 501 characters',
      path: '/v1/redemptions',
      body: { offer: 'x', description: long(501) },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'description',
    },
    {
      name: 'redeem: an empty description',
      path: '/v1/redemptions',
      body: { offer: 'x', description: '' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'description',
    },
    {
      name: 'redeem: shipping without a city',
      path: '/v1/redemptions',
      body: { offer: 'x', shipping: { name: 'A', line1: 'B', postalCode: '1', country: 'NO' } },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'shipping.city',
    },
    {
      name: 'redeem: unknown field',
      path: '/v1/redemptions',
      body: { offer: 'x', points: 1 },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'points',
    },
    {
      name: 'redeem: org key without a member',
      path: '/v1/redemptions',
      body: { offer: 'x' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'externalUserID',
    },
    {
      name: 'status: unknown status',
      path: `/v1/redemptions/{id}/status`,
      body: { status: 'DONE' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'status',
    },
    {
      name: 'status: a start that is not a time',
      path: `/v1/redemptions/{id}/status`,
      body: { status: 'OPEN', startAt: 'tomorrow' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'startAt',
    },
    {
      name: 'cancel: reason of 501 characters',
      path: `/v1/redemptions/{id}/cancel`,
      body: { reason: long(501) },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'reason',
    },
    {
      name: 'cancel: an empty reason',
      path: `/v1/redemptions/{id}/cancel`,
      body: { reason: '' },
      as: 'member',
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'reason',
    },
    {
      name: 'offer: title missing',
      path: '/v1/offers',
      body: { kind: 'k', type: 't', pointsPrice: 1 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'title',
    },
    {
      name: 'offer: negative price',
      path: '/v1/offers',
      body: { title: 'T', kind: 'k', type: 't', pointsPrice: -1 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'pointsPrice',
    },
    {
      name: 'offer: maxPerMember of 0',
      path: '/v1/offers',
      body: { title: 'T', kind: 'k', type: 't', pointsPrice: 1, maxPerMember: 0 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'maxPerMember',
    },
    {
      name: 'offer: images that are not URLs',
      path: '/v1/offers',
      body: { title: 'T', kind: 'k', type: 't', pointsPrice: 1, images: ['nope'] },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'images',
    },
    {
      name: 'offer: OUT_OF_STOCK is not settable',
      path: '/v1/offers',
      body: { title: 'T', kind: 'k', type: 't', pointsPrice: 1, status: 'OUT_OF_STOCK' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'status',
    },
    {
      name: 'offer: a fixed price model without a price',
      path: '/v1/offers',
      body: { title: 'T', kind: 'k', type: 't' },
      status: 422,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'offer: expiry before availability',
      path: '/v1/offers',
      body: {
        title: 'T',
        kind: 'k',
        type: 't',
        pointsPrice: 1,
        availableFrom: '2030-01-01T00:00:00Z',
        expiresAt: '2029-01-01T00:00:00Z',
      },
      status: 422,
      code: 'VALIDATION_FAILED',
    },
    ...(
      [
        ['kind', 64, false],
        ['type', 64, false],
        ['description', 500, true],
        ['shortDescription', 200, true],
      ] as const
    ).map(([field, limit, nullable]) =>
      blankText('offer', { path: '/v1/offers', body: offerBody }, field, limit, nullable),
    ),
    {
      name: 'offer update: priceModel null names the field',
      method: 'PATCH',
      path: '/v1/offers/{offer}',
      body: { priceModel: null },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'priceModel',
    },
    ...NOT_NULLABLE_OFFER_FIELDS.map((field): BadInput => ({
      name: `offer update: ${field} null is a type error`,
      method: 'PATCH',
      path: '/v1/offers/{offer}',
      body: { [field]: null },
      status: 400,
      code: 'VALIDATION_FAILED',
      field,
    })),
    {
      name: 'offer: update of an unknown field',
      method: 'PATCH',
      path: '/v1/offers/{offer}',
      body: { price: 3 },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'price',
    },
    {
      // attributes has no null: it is replaced as a whole, and `{}` empties it.
      name: 'member: null attributes',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { attributes: null },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'attributes',
    },
    {
      name: 'member: phone not E.164',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { phone: '555-1234' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'phone',
    },
    {
      name: 'member: phone with a leading zero country code, not E.164',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { phone: '+0123456789' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'phone',
    },
    {
      name: 'member: email not an email',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { email: 'not-an-email' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'email',
    },
    {
      name: 'member: attributes as an array',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { attributes: [1] },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'attributes',
    },
    {
      name: 'member: attributes nested 33 levels deep states both limits',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { attributes: nested(33) },
      status: 422,
      code: 'VALIDATION_FAILED',
      field: 'attributes',
      message:
        /^attributes must be a JSON object of at most 16 KiB, nested at most 32 levels deep, /,
    },
    {
      // 12345678901234567890 would read as 12345678901234567000: refused, not kept changed.
      name: 'member: a whole number in attributes past 2^53',
      method: 'PUT',
      path: '/v1/members/m1',
      body: { attributes: { account: 2 ** 64 } },
      status: 422,
      code: 'VALIDATION_FAILED',
      field: 'attributes',
    },
    blankText('member', { method: 'PUT', path: '/v1/members/m1', body: {} }, 'tier', 64, true),
    blankText(
      'credit',
      { path: '/v1/wallet/credit', body: { externalUserID: 'm1', amount: 1 } },
      'reason',
      500,
      true,
    ),
    blankText(
      'member',
      { method: 'PUT', path: '/v1/members/m1', body: {} },
      'posAccountId',
      128,
      true,
    ),
    blankText(
      'exchange',
      { path: '/v1/auth/exchange', body: { externalUserID: 'm1' } },
      'tier',
      64,
      true,
    ),
    {
      name: 'member: archive with retainBalance=maybe',
      method: 'DELETE',
      path: '/v1/members/m1?retainBalance=maybe',
      body: undefined,
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'retainBalance',
    },
    {
      name: 'member: archive with retainBalance in a body (it is a query parameter)',
      method: 'DELETE',
      path: '/v1/members/m1',
      body: { retainBalance: true },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'retainBalance',
    },
    {
      name: 'member: archive with a JSON array body',
      method: 'DELETE',
      path: '/v1/members/m1',
      body: [1],
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'body',
    },
    {
      name: 'member: upsert of a member id of 129 emoji',
      method: 'PUT',
      path: `/v1/members/${q('😀'.repeat(129))}`,
      body: {},
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'externalUserID',
    },
    {
      name: 'exchange: a member id of 129 emoji',
      path: '/v1/auth/exchange',
      body: { externalUserID: '😀'.repeat(129) },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'externalUserID',
    },
    {
      name: 'exchange: a blank display name (refused by the profile rules, not a 500)',
      path: '/v1/auth/exchange',
      body: { externalUserID: 'm1', displayName: '   ' },
      status: 422,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'exchange: member missing',
      path: '/v1/auth/exchange',
      body: { displayName: 'A' },
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'externalUserID',
    },
  ];

  const storeHead = () => headPosition(t.baseUrl);

  it.each(cases().map((c) => [c.name, c]))('%s', async (_name, bad) => {
    const before = await storeHead();
    const client = bad.as === 'member' ? member : org;
    const path = bad.path.replace('{id}', redemptionId).replace('{offer}', offerId);
    const response = await client(bad.method ?? 'POST', path, bad.body, bad.headers);

    expect(response.status).toBe(bad.status);
    expect(response.body.error).toMatchObject({
      code: bad.code,
      message: expect.any(String),
      requestId: expect.any(String),
    });
    expect(response.headers.get('x-request-id')).toBe(response.body.error.requestId);
    if (bad.field) expect(namedFields(response.body.error.details)).toContain(bad.field);
    if (bad.message) expect(response.body.error.message).toMatch(bad.message);
    if (bad.field && bad.problem)
      expect(problemsOf(bad.field, response.body.error.details)).toContainEqual(
        expect.stringMatching(bad.problem),
      );
    expect(await storeHead()).toBe(before);
  });

  it('keeps member attributes exactly as sent, keys named like Object.prototype members too', async () => {
    const attributes = {
      valueOf: 1,
      toString: 'x',
      constructor: 'y',
      a: { constructor: 1, hasOwnProperty: [{ prototype: null }] },
      prototype: { __defineGetter__: true },
    };
    const put = await org('PUT', '/v1/members/attrs', { attributes });
    expect(put.status).toBe(200);
    expect(put.body.attributes).toEqual(attributes);
    expect((await org('GET', '/v1/members/attrs')).body.attributes).toEqual(attributes);
  });

  it('takes one key in two objects, and colons and escaped quotes in strings, as no repeat', async () => {
    const credited = await org(
      'POST',
      '/v1/wallet/credit',
      '{"amount":1,"externalUserID":"no-repeat","reason":"\\"amount\\":2, a:b \\\\"}',
    );
    expect(credited.status).toBe(200);
    expect(credited.body.balance).toBe(1);
    const attributes = { a: 1, b: { a: 2, c: [{ a: 3 }, { a: 4 }] }, 'a:': '"a":' };
    const put = await org('PUT', '/v1/members/no-repeat', JSON.stringify({ attributes }));
    expect(put.status).toBe(200);
    expect(put.body.attributes).toEqual(attributes);
  });

  it('counts text limits in characters: a field of emoji takes as many as one of letters', async () => {
    const emoji = (n: number) => '😀'.repeat(n);
    const credited = await org('POST', '/v1/wallet/credit', {
      amount: 1,
      externalUserID: 'emoji-text',
      reason: emoji(500),
    });
    expect(credited.status).toBe(200);
    const offer = await org('POST', '/v1/offers', {
      ...offerBody,
      title: emoji(200),
      kind: emoji(64),
      type: emoji(64),
      description: emoji(500),
      shortDescription: emoji(200),
    });
    expect(offer.status).toBe(201);
    const redeemed = await org('POST', '/v1/redemptions', {
      offer: offer.body.id,
      externalUserID: 'emoji-text',
      description: emoji(500),
    });
    expect(redeemed.status).toBe(201);
    const canceled = await org('POST', `/v1/redemptions/${redeemed.body.id}/cancel`, {
      reason: emoji(500),
    });
    expect(canceled.status).toBe(200);
    // URLs too: validator's own cap of 2,083 UTF-16 units does not apply.
    const image = `https://a.example/${emoji(2048 - 18)}`;
    const pictured = await org('POST', '/v1/offers', { ...offerBody, images: [image] });
    expect({ status: pictured.status, images: pictured.body.images }).toEqual({
      status: 201,
      images: [image],
    });
    const hook = await org('POST', '/v1/webhooks', {
      url: `https://hooks.example/${emoji(2048 - 22)}`,
      events: ['*'],
    });
    expect(hook.status).toBe(201);
    const profile = { displayName: emoji(200), tier: emoji(64), posAccountId: emoji(128) };
    const put = await org('PUT', '/v1/members/emoji-text', profile);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject(profile);
  });

  it('keeps tabs and line breaks in descriptions, the prose fields', async () => {
    const prose = 'Two hours on the fjord.\r\n\tBring a jacket.\n';
    const offer = await org('POST', '/v1/offers', { ...offerBody, description: prose });
    expect(offer.status).toBe(201);
    expect(offer.body.description).toBe(prose);
    await credit(org, 'prose', 1);
    const redeemed = await org('POST', '/v1/redemptions', {
      offer: offer.body.id,
      externalUserID: 'prose',
      description: prose,
    });
    expect(redeemed.status).toBe(201);
    expect(redeemed.body.description).toBe(prose);
  });

  it('takes a member id of 128 emoji (256 UTF-16 code units) on every route', async () => {
    const id = '😀'.repeat(128);
    const path = `/v1/members/${q(id)}`;
    expect((await org('PUT', path, { displayName: 'Emoji' })).status).toBe(200);
    expect((await org('POST', '/v1/auth/exchange', { externalUserID: id })).status).toBe(200);
    const credited = await org('POST', '/v1/wallet/credit', { amount: 10, externalUserID: id });
    expect(credited.status).toBe(200);
    const redeemed = await org('POST', '/v1/redemptions', { offer: offerId, externalUserID: id });
    expect(redeemed.status).toBe(201);
    expect((await org('GET', path)).body).toMatchObject({ externalUserID: id });
    expect((await org('DELETE', path)).status).toBe(200);
  });
});
