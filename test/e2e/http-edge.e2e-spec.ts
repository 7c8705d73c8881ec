import { once } from 'node:events';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { api, headPosition, KEYS, startTestApp, TestApp } from '../support/test-app';
import { createOffer, credit, memberToken } from '../support/fixtures';

/** What reaches the service before a route runs: credential, media type, body shape, URL. */
describe('The HTTP edge (e2e): the credential first, then JSON only, never a 500', () => {
  let t: TestApp;
  let org: ReturnType<typeof api>;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    org = api(t.baseUrl, KEYS.acmeSandbox);
    token = await memberToken(org, 'm1');
  });
  afterAll(() => t.close());

  const storeHead = () => headPosition(t.baseUrl);

  /** A raw request: the body and headers go out exactly as given. */
  async function send(
    path: string,
    init: {
      method?: string;
      headers?: Record<string, string>;
      body?: string | URLSearchParams | Uint8Array;
    },
  ) {
    const response = await fetch(`${t.baseUrl}${path}`, { method: 'POST', ...init });
    const body = (await response.json()) as any;
    expect(response.headers.get('x-request-id')).toBe(body.error?.requestId);
    return { status: response.status, code: body.error?.code, body };
  }

  const orgKey = { authorization: `Bearer ${KEYS.acmeSandbox}` };
  const json = { 'content-type': 'application/json' };
  const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it.each([
    ['malformed JSON', { headers: json, body: '{"amount":' }],
    ['a body over 1 MiB', { headers: json, body: JSON.stringify({ r: 'x'.repeat(1 << 20) }) }],
    ['a form body', { body: new URLSearchParams({ amount: '5', externalUserID: 'm1' }) }],
    ['a text body', { headers: { 'content-type': 'text/plain' }, body: 'hi' }],
  ])('answers %s without a credential 401', async (_name, init) => {
    expect(await send('/v1/wallet/credit', init)).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
    });
  });

  it('answers a member token on an org-only route 403 whatever its body', async () => {
    const memberAuth = { authorization: `Bearer ${token}` };
    expect(
      await send('/v1/wallet/credit', { headers: { ...memberAuth, ...json }, body: '{"a":' }),
    ).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it.each([
    ['POST', '/v1/wallet/credit', new URLSearchParams({ amount: '5', externalUserID: 'm1' })],
    ['PUT', '/v1/members/m1', new URLSearchParams({ tier: 'silver' })],
    ['POST', '/v1/wallet/credit', JSON.stringify({ amount: 5, externalUserID: 'm1' })],
  ])('refuses a %s %s body that is not application/json with 415', async (method, path, body) => {
    const before = await storeHead();
    const answer = await send(path, { method, headers: orgKey, body });
    expect(answer).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await storeHead()).toBe(before);
  });

  it.each([
    ['PUT', '/v1/members/m1', (d: string) => `{"attributes":{"a":${d}}}`],
    ['POST', '/v1/wallet/credit', (d: string) => `{"amount":1,"externalUserID":"m1","x":${d}}`],
    ['POST', '/v1/redemptions', (d: string) => `{"offer":${d}}`],
  ])('refuses JSON nested 5,000 deep on %s %s with 400, not a 500', async (method, path, body) => {
    const before = await storeHead();
    const answer = await send(path, {
      method,
      headers: { ...orgKey, ...json },
      body: body(deep(5000)),
    });
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(answer.body.error.details.fields).toEqual([
      { field: 'body', problems: [expect.stringMatching(/64 levels/)] },
    ]);
    expect(await storeHead()).toBe(before);
  });

  it('refuses JSON nested 65 levels deep even in a body short enough to skip the walk', async () => {
    // 65 levels take 130 characters: the shortest body past the limit must still be walked.
    const before = await storeHead();
    const answer = await send('/v1/wallet/credit', {
      headers: { ...orgKey, ...json },
      body: deep(65),
    });
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(answer.body.error.details.fields).toEqual([
      { field: 'body', problems: [expect.stringMatching(/64 levels/)] },
    ]);
    expect(await storeHead()).toBe(before);
  });

  /** `{"k0":1,"k1":1,...}` with `count` keys. */
  const keyed = (count: number) =>
    `{${Array.from({ length: count }, (_, i) => `"k${i}":1`).join(',')}}`;

  it.each([
    ['90,000 keys in one object', keyed(90_000)],
    ['1,001 keys in one object', `{"offer":"o1","x":${keyed(1001)}}`],
    ['11 objects of 1,000 keys', `{"offer":"o1","x":[${Array(11).fill(keyed(1000)).join(',')}]}`],
  ])(
    'refuses %s before validation, which would take time growing with their square',
    async (_name, body) => {
      const before = await storeHead();
      const answer = await send('/v1/redemptions', {
        headers: { ...orgKey, ...json },
        body,
      });
      expect(answer).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(answer.body.error.details.fields).toEqual([
        { field: 'body', problems: [expect.stringMatching(/10000 keys in all, or 1000 in one/)] },
      ]);
      expect(await storeHead()).toBe(before);
    },
  );

  it('leaves an object of 1,000 keys to validation', async () => {
    const attributes = JSON.parse(keyed(1000)) as Record<string, number>;
    const answer = await org('PUT', '/v1/members/m1', { attributes });
    expect(answer.status).toBe(200);
  });

  it('still reads JSON nested 64 levels deep (and lets validation judge it)', async () => {
    const answer = await send('/v1/members/m1', {
      method: 'PUT',
      headers: { ...orgKey, ...json },
      body: `{"attributes":{"a":${deep(62)}}}`,
    });
    // Attribute values must be scalars: the member rules refuse it, not the depth limit.
    expect(answer).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
    expect(answer.body.error.details).toMatchObject({ field: 'attributes' });
  });

  it("refuses a lone UTF-16 surrogate, which UTF-8 would turn into another member's id", async () => {
    await org('POST', '/v1/wallet/credit', { amount: 777, externalUserID: 'victim\ufffd' });
    const before = await storeHead();
    const answer = await send('/v1/wallet/credit', {
      headers: { ...orgKey, ...json },
      body: '{"amount":1,"externalUserID":"victim\\ud800"}',
    });
    expect(answer).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(answer.body.error.details.fields).toEqual([
      { field: 'body', problems: [expect.stringMatching(/lone UTF-16 surrogate/)] },
    ]);
    expect(await storeHead()).toBe(before);
    const paired = await org('POST', '/v1/wallet/credit', {
      amount: 1,
      externalUserID: 'emoji\ud83d\ude00',
    });
    expect(paired.status).toBe(200);
  });

  it('refuses bytes that are not UTF-8, which decoding would turn into U+FFFD and merge ids', async () => {
    const before = await storeHead();
    for (const bad of [[0xff], [0xfe], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const body = Buffer.concat([
        Buffer.from('{"amount":1,"externalUserID":"bad'),
        Buffer.from(bad),
        Buffer.from('"}'),
      ]);
      const answer = await send('/v1/wallet/credit', { headers: { ...orgKey, ...json }, body });
      expect(answer).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(answer.body.error.message).toMatch(/not valid UTF-8/);
    }
    expect(await storeHead()).toBe(before);
    // U+FFFD sent as itself is valid UTF-8, and taken.
    const literal = await org('POST', '/v1/wallet/credit', {
      amount: 1,
      externalUserID: 'ok\ufffd',
    });
    expect(literal.status).toBe(200);
  });

  it('refuses a body transfer-coded besides chunked with 415, and takes chunked alone', async () => {
    const before = await storeHead();
    // One chunk of bytes (gzip's are not text), written as they are.
    const chunked = (coding: string, body: Buffer) =>
      rawRequest(
        Buffer.concat([
          Buffer.from(
            `POST /v1/wallet/credit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.acmeSandbox}\r\n` +
              `Content-Type: application/json\r\nTransfer-Encoding: ${coding}\r\n` +
              `Connection: close\r\n\r\n${body.length.toString(16)}\r\n`,
          ),
          body,
          Buffer.from('\r\n0\r\n\r\n'),
        ]),
      );
    const body = '{"amount":1,"externalUserID":"transfer-coded"}';
    const gzipped = await chunked('gzip, chunked', gzipSync(body));
    expect(gzipped).toMatch(/^HTTP\/1.1 415 /);
    expect(gzipped).toMatch(/no other Transfer-Encoding/);
    expect(await storeHead()).toBe(before);
    expect(await chunked('Chunked', Buffer.from(body))).toMatch(/^HTTP\/1.1 200 /);
  });

  it('refuses a compressed body with 415, which it would otherwise read as bad JSON', async () => {
    const before = await storeHead();
    for (const [coding, body] of [
      ['gzip', gzipSync('{"amount":1,"externalUserID":"m1"}')],
      ['br', '{"amount":1,"externalUserID":"m1"}'],
    ] as const) {
      const answer = await send('/v1/wallet/credit', {
        headers: { ...orgKey, ...json, 'content-encoding': coding },
        body,
      });
      expect(answer).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    expect(await storeHead()).toBe(before);
    const identity = await org(
      'POST',
      '/v1/wallet/credit',
      { amount: 1, externalUserID: 'm1' },
      { 'Content-Encoding': 'identity' },
    );
    expect(identity.status).toBe(200);
    // Content codings are case-insensitive (RFC 9110), and white space around one is not part of it.
    for (const coding of ['Identity', ' IDENTITY ']) {
      const answer = await org(
        'POST',
        '/v1/wallet/credit',
        { amount: 1, externalUserID: 'm1' },
        { 'Content-Encoding': coding },
      );
      expect(answer.status).toBe(200);
    }
  });

  it.each(['utf-8', 'UTF-8', 'utf8', 'UTF8', '"utf-8"'])(
    'reads JSON declared with charset=%s',
    async (charset) => {
      const response = await fetch(`${t.baseUrl}/v1/wallet/credit`, {
        method: 'POST',
        headers: { ...orgKey, 'content-type': `application/json; charset=${charset}` },
        body: '{"amount":1,"externalUserID":"m1"}',
      });
      expect(response.status).toBe(200);
    },
  );

  it('takes a JSON null body on a route that takes no body as no body, not a 500', async () => {
    await credit(org, 'null-body', 5);
    const response = await fetch(`${t.baseUrl}/v1/members/null-body?retainBalance=true`, {
      method: 'DELETE',
      headers: { ...orgKey, ...json },
      body: 'null',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ archived: true, balanceRetained: true });
  });

  it('refuses JSON declared in another charset than UTF-8 with 415', async () => {
    const before = await storeHead();
    const answer = await send('/v1/wallet/credit', {
      headers: { ...orgKey, 'content-type': 'application/json; charset=latin1' },
      body: '{"amount":1,"externalUserID":"m1"}',
    });
    expect(answer).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await storeHead()).toBe(before);
  });

  it.each([
    ['a malformed percent-escape', '/v1/redemptions/%ZZ'],
    ['a malformed percent-escape in the query', '/v1/wallet?externalUserID=%ZZ'],
    ['a percent-escape that is not UTF-8 in the query', '/v1/wallet?externalUserID=a%FFb'],
    ['a malformed percent-escape in an unknown query parameter', '/health?x=%E2%82'],
    ['a path parameter over 1,536 characters', `/v1/members/${'a'.repeat(1600)}`],
    // Counted once decoded: 1,537 escapes of "A" (4,611 characters as sent).
    ['a path parameter over 1,536 characters decoded', `/v1/members/${'%41'.repeat(1537)}`],
  ])('answers %s 400 BAD_REQUEST in the usual shape', async (_name, path) => {
    expect(await send(path, { method: 'GET', headers: orgKey })).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
  });

  /** Bytes straight onto a socket, for what Node's HTTP parser refuses before any route. */
  function rawRequest(bytes: string | Buffer, baseUrl = t.baseUrl): Promise<string> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      let answer = '';
      const socket = connect(Number(port), hostname, () => socket.write(bytes));
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it.each([
    [
      'a request line and headers over 16 KiB',
      431,
      'REQUEST_HEADER_FIELDS_TOO_LARGE',
      `GET /v1/redemptions?x=${'a'.repeat(60_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
    ['a malformed request line', 400, 'BAD_REQUEST', 'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'a CONNECT request',
      400,
      'BAD_REQUEST',
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    ],
    [
      'an Expect header other than 100-continue',
      417,
      'EXPECTATION_FAILED',
      'GET /health HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n',
    ],
  ])('answers %s in the usual shape', async (_name, status, code, bytes) => {
    const answer = await rawRequest(bytes);
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    const requestId = /x-request-id: (\S+)/i.exec(head)?.[1];
    expect(JSON.parse(body)).toEqual({
      error: { code, message: expect.any(String), requestId },
    });
  });

  it.each([
    ['X-API-Key: <A0>KEY<A0>'],
    ['Authorization: Bearer KEY<A0>'],
    ['Authorization: <A0>Bearer KEY'],
  ])(
    'takes no key with byte 0xA0 beside it (%s), which Node reads as a no-break space',
    async (line) => {
      const header = line.replace('KEY', KEYS.acmeSandbox).replaceAll('<A0>', '\xa0');
      const bytes = `GET /v1/offers HTTP/1.1\r\nHost: x\r\n${header}\r\nConnection: close\r\n\r\n`;
      const answer = await rawRequest(Buffer.from(bytes, 'latin1'));
      expect(answer).toMatch(/^HTTP\/1.1 401 /);
      // The same key without it is taken.
      const plain = `GET /v1/offers HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEYS.acmeSandbox}\r\nConnection: close\r\n\r\n`;
      expect(await rawRequest(plain)).toMatch(/^HTTP\/1.1 200 /);
    },
  );

  describe('Expect: 100-continue', () => {
    /** Sends a credit's headers alone, as a client that waits for 100 Continue before its body. */
    async function creditHeaders(headers: string, contentLength: number) {
      const { hostname, port } = new URL(t.baseUrl);
      const socket = connect(Number(port), hostname);
      socket.setEncoding('utf8');
      const next = () => once(socket, 'data').then(([chunk]) => chunk as string);
      const first = next();
      socket.write(
        `POST /v1/wallet/credit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}` +
          `Content-Length: ${contentLength}\r\nExpect:  100-Continue \r\n\r\n`,
      );
      return { socket, first: await first, next };
    }

    it('asks for the body only once the credential is checked: without one, 401 at once', async () => {
      const { socket, first } = await creditHeaders('', 40);
      socket.destroy();
      expect(first).toMatch(/^HTTP\/1.1 401 /);
    });

    it('refuses a body announced over 1 MiB 413 without asking for it', async () => {
      const { socket, first } = await creditHeaders(
        `Authorization: Bearer ${KEYS.acmeSandbox}\r\n`,
        2 << 20,
      );
      socket.destroy();
      expect(first).toMatch(/^HTTP\/1.1 413 /);
    });

    it('answers 100 Continue to an accepted credential, then the request itself', async () => {
      const body = '{"externalUserID":"continued","amount":5}';
      const auth = `Authorization: Bearer ${KEYS.acmeSandbox}\r\n`;
      const { socket, first, next } = await creditHeaders(auth, body.length);
      try {
        expect(first).toBe('HTTP/1.1 100 Continue\r\n\r\n');
        const answer = next();
        socket.write(body);
        expect(await answer).toMatch(/^HTTP\/1.1 200 /);
        const wallet = await org('GET', '/v1/wallet?externalUserID=continued');
        expect(wallet.body.balance).toBe(5);
      } finally {
        socket.destroy();
      }
    });
  });

  it('answers a request whose body stops arriving 408 REQUEST_TIMEOUT, and writes nothing', async () => {
    const slow = await startTestApp(undefined, { requestTimeoutMs: 300 });
    try {
      const before = await headPosition(slow.baseUrl);
      // 14 of the 40 bytes announced, then nothing: the socket stays open until the server ends it.
      const answer = await rawRequest(
        `POST /v1/wallet/credit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.acmeSandbox}\r\n` +
          `Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{"amount":100,`,
        slow.baseUrl,
      );
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1.1 408 /);
      expect(JSON.parse(body).error.code).toBe('REQUEST_TIMEOUT');
      expect(await headPosition(slow.baseUrl)).toBe(before);
    } finally {
      await slow.close();
    }
  });

  it('answers two Content-Type headers 400 or 415, where Node would keep the first, and writes nothing', async () => {
    const before = await storeHead();
    const body = '{"externalUserID":"two-types","amount":1}';
    for (const [first, second, status] of [
      ['application/json', 'text/plain', 400],
      ['text/plain', 'application/json', 415],
    ] as const) {
      const answer = await rawRequest(
        `POST /v1/wallet/credit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS.acmeSandbox}\r\n` +
          `Content-Type: ${first}\r\nContent-Type: ${second}\r\nContent-Length: ${body.length}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
      expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      if (status === 400) expect(answer).toMatch(/one Content-Type header, not several/);
    }
    expect(await storeHead()).toBe(before);
  });

  it('answers two Authorization headers 401, where Node would keep the first', async () => {
    for (const [first, second] of [
      [KEYS.acmeSandbox, token],
      [token, KEYS.acmeSandbox],
    ]) {
      const answer = await rawRequest(
        `GET /v1/members/m1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${first}\r\n` +
          `Authorization: Bearer ${second}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1.1 401 /);
      expect(answer).toMatch(/one Authorization header/);
    }
  });

  const creditLine = 'POST /v1/wallet/credit HTTP/1.1\r\n';
  const creditRest =
    `Authorization: Bearer ${KEYS.acmeSandbox}\r\nContent-Type: application/json\r\n` +
    'Content-Length: 36\r\n\r\n{"amount":1,"externalUserID":"host"}';
  it.each([
    ['an HTTP/1.1 request without Host', 'GET /health HTTP/1.1\r\n\r\n', /must carry a Host/],
    ['one without Host nor credential', 'GET /v1/wallet HTTP/1.1\r\n\r\n', /must carry a Host/],
    ['two Host headers', 'GET /health HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n', /one Host/],
    [
      'two Host headers in HTTP/1.0, in any case',
      'GET /health HTTP/1.0\r\nhost: a\r\nHOST: b\r\n\r\n',
      /one Host/,
    ],
    ['a credit without Host', creditLine + creditRest, /must carry a Host/],
    ['a credit with two Hosts', `${creditLine}Host: a\r\nHost: b\r\n${creditRest}`, /one Host/],
    ...['a b', 'evil.example/x', 'user@a', 'a:80:80', '[::1'].map((host) => [
      `a credit with Host "${host}"`,
      `${creditLine}Host: ${host}\r\n${creditRest}`,
      /must be a host name or address/,
    ]),
  ] as Array<[string, string, RegExp]>)(
    'answers %s 400 BAD_REQUEST in the usual shape, closes, writes nothing',
    async (_n, bytes, message) => {
      const before = await storeHead();
      // No Connection: close is sent: the answer must end the connection by itself.
      const answer = await rawRequest(bytes);
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1.1 400 /);
      expect(head).toMatch(/^connection: close$/im);
      const requestId = /^x-request-id: (\S+)$/im.exec(head)?.[1];
      expect(JSON.parse(body)).toEqual({
        error: { code: 'BAD_REQUEST', message: expect.stringMatching(message), requestId },
      });
      expect(await storeHead()).toBe(before);
    },
  );

  it('takes an HTTP/1.0 request without Host, an empty Host, names, addresses and ports (RFC 9112)', async () => {
    const answer = await rawRequest('GET /health HTTP/1.0\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1.1 200 /);
    expect(answer).toMatch(/"status"/);
    const empty = await rawRequest('GET /health HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n');
    expect(empty).toMatch(/^HTTP\/1.1 200 /);
    for (const host of [
      'localhost:3000',
      '127.0.0.1',
      '[::1]:8080',
      'api.example.com',
      'a-b_c~d:',
    ]) {
      const answer = await rawRequest(
        `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1.1 200 /);
    }
  });

  it('takes a bodiless POST or DELETE whatever Content-Type it names, application/json too', async () => {
    const auth = `Authorization: Bearer ${KEYS.acmeSandbox}\r\n`;
    const bodiless = (line: string) =>
      rawRequest(
        `${line} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
    expect(await bodiless('DELETE /v1/members/m1?retainBalance=true')).toMatch(/^HTTP\/1.1 200 /);
    expect(await bodiless('POST /v1/redemptions/nope/cancel')).toMatch(/^HTTP\/1.1 404 /);
    const bodilessJson = (line: string, type = 'application/json') =>
      rawRequest(
        `${line} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: ${type}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
    expect(await bodilessJson('DELETE /v1/members/m1')).toMatch(/^HTTP\/1.1 200 /);
    expect(await bodilessJson('POST /v1/redemptions/nope/cancel')).toMatch(/^HTTP\/1.1 404 /);
    // A charset other than UTF-8 names how bytes would be read: with none sent, it does not matter.
    const latin1 = 'application/json; charset=iso-8859-1';
    expect(await bodilessJson('DELETE /v1/members/m1', latin1)).toMatch(/^HTTP\/1.1 200 /);
    expect(await bodilessJson('POST /v1/redemptions/nope/cancel', latin1)).toMatch(
      /^HTTP\/1.1 404 /,
    );
    const credit = await bodilessJson('POST /v1/wallet/credit');
    expect(credit).toMatch(/^HTTP\/1.1 400 /);
    expect(credit).toContain('"field":"amount"');
    // No bytes in a chunked body (the last chunk at once) is no body too, whatever the type.
    const chunkedEmpty = (line: string, type: string | null = 'application/json') =>
      rawRequest(
        `${line} HTTP/1.1\r\nHost: x\r\n${auth}${type === null ? '' : `Content-Type: ${type}\r\n`}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
      );
    for (const type of ['application/json', 'text/plain', null])
      expect(await chunkedEmpty('POST /v1/redemptions/nope/cancel', type)).toMatch(
        /^HTTP\/1.1 404 /,
      );
    const chunkedText = await rawRequest(
      `POST /v1/redemptions/nope/cancel HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nhi\r\n0\r\n\r\n`,
    );
    expect(chunkedText).toMatch(/^HTTP\/1.1 415 /);
    const chunkedCredit = await chunkedEmpty('POST /v1/wallet/credit');
    expect(chunkedCredit).toMatch(/^HTTP\/1.1 400 /);
    expect(chunkedCredit).toContain('"field":"amount"');
  });

  it('takes a cancel with no body and one with {} under one Idempotency-Key as the same request', async () => {
    const offer = await createOffer(org, { pointsPrice: 10 });
    await credit(org, 'canceler', 10);
    const member = api(t.baseUrl, await memberToken(org, 'canceler'));
    const { id } = (await member('POST', '/v1/redemptions', { offer })).body;
    const key = { 'Idempotency-Key': 'cancel-once' };
    const first = await member('POST', `/v1/redemptions/${id}/cancel`, undefined, key);
    const again = await member('POST', `/v1/redemptions/${id}/cancel`, {}, key);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('replays an exchange with the same Idempotency-Key and refuses the key for another body', async () => {
    const key = { 'Idempotency-Key': 'exchange-once' };
    const exchange = (body: object) => org('POST', '/v1/auth/exchange', body, key);
    const first = await exchange({ externalUserID: 'ex-1', tier: 'gold' });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const head = await storeHead();

    const again = await exchange({ tier: 'gold', externalUserID: 'ex-1' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const replayedToken = api(t.baseUrl, again.body.accessToken);
    expect((await replayedToken('GET', '/v1/wallet')).status).toBe(200);

    const other = await exchange({ externalUserID: 'ex-1', tier: 'silver' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await storeHead()).toBe(head);
    expect((await org('GET', '/v1/members/ex-1')).body.tier).toBe('gold');
  });

  it('replays a refused exchange byte for byte, as every POST, and mints no token', async () => {
    const key = { 'Idempotency-Key': 'exchange-refused' };
    const exchange = () =>
      org('POST', '/v1/auth/exchange', { externalUserID: 'ex-2', displayName: ' ' }, key);
    const first = await exchange();
    expect(first.status).toBe(422);
    expect(first.body.accessToken).toBeUndefined();
    const again = await exchange();
    expect(again.status).toBe(422);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body); // the first request's requestId included
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  });
});
