import { LookupAddress } from 'node:dns';
import { DestinationRefused, lookupThrough, Resolver } from './webhook-request';

const resolverOf =
  (addresses: LookupAddress[], error: Error | null = null): Resolver =>
  (_hostname, callback) =>
    callback(error, addresses);

/** Calls a lookup as net does and hands back what its callback got. */
function lookUp(
  resolve: Resolver,
  publicOnly: boolean,
  options: { all?: boolean; family?: number } = {},
): Promise<{ error: Error | null; address: unknown; family: number | undefined }> {
  const lookup = lookupThrough(resolve, publicOnly);
  return new Promise((done) =>
    lookup('hooks.example.net', options, (error, address, family) =>
      done({ error, address, family }),
    ),
  );
}

const MIXED: LookupAddress[] = [
  { address: '10.0.0.7', family: 4 },
  { address: '93.184.216.34', family: 4 },
  { address: 'fd00::7', family: 6 },
  { address: '2606:2800:220:1::', family: 6 },
];

describe('lookupThrough', () => {
  it('keeps only the public addresses of a name when only public ones are allowed', async () => {
    expect(await lookUp(resolverOf(MIXED), true, { all: true })).toMatchObject({
      error: null,
      address: [MIXED[1], MIXED[3]],
    });
    expect(await lookUp(resolverOf(MIXED), true)).toMatchObject({
      address: '93.184.216.34',
      family: 4,
    });
    expect(await lookUp(resolverOf(MIXED), true, { family: 6 })).toMatchObject({
      address: '2606:2800:220:1::',
      family: 6,
    });
  });

  it('refuses a name whose addresses are all private, naming them', async () => {
    const { error } = await lookUp(resolverOf([MIXED[0], MIXED[2]]), true, { all: true });
    expect(error).toBeInstanceOf(DestinationRefused);
    expect(error?.message).toBe(
      'hooks.example.net resolves to 10.0.0.7, fd00::7: not a public address',
    );
  });

  it('passes every address on when private destinations are allowed, and resolver errors as they are', async () => {
    expect(await lookUp(resolverOf(MIXED), false, { all: true })).toMatchObject({
      address: MIXED,
    });
    const failure = Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' });
    expect((await lookUp(resolverOf([], failure), true)).error).toBe(failure);
    expect((await lookUp(resolverOf([]), false)).error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
