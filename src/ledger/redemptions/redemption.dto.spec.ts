import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { VALIDATION_OPTIONS, validationPipe } from '../../shared/http/validation';
import { CreateRedemptionDto } from './redemption.dto';

const body = { type: 'body', metatype: CreateRedemptionDto, data: '' } as const;
const fullRules = new ValidationPipe(VALIDATION_OPTIONS);

/** What the full rules make of a body: the DTO, or the fields they name. */
async function judged(value: unknown): Promise<{ dto?: unknown; error?: unknown }> {
  try {
    return { dto: await fullRules.transform(value, body) };
  } catch (error) {
    return { error: (error as { getResponse(): unknown }).getResponse() };
  }
}

/** A valid shipping address, as an object and (wrongly) as an array of one. */
const address = { name: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'NO' };

const tricky = fc.constantFrom<unknown>(
  '',
  'a',
  'off_1',
  'x'.repeat(64),
  'x'.repeat(65),
  'm'.repeat(128),
  'm'.repeat(129),
  '😀'.repeat(64),
  'bad\u0007id',
  'tab\tid',
  'nul\u0000id',
  'c1\u0085id',
  ' ',
  '  \u00a0 ',
  0,
  1,
  2,
  1_000_000,
  1_000_001,
  1.5,
  -1,
  '1',
  null,
  true,
  [],
  {},
  ['off_1'],
  address,
  [address],
);
const key = fc.constantFrom(
  'offer',
  'externalUserID',
  'quantity',
  'amount',
  'description',
  'shipping',
  'delayPointsDeduction',
  'holdExpiresAt',
  'unknown',
);
const nearlyValid = fc.record(
  {
    offer: fc.oneof(fc.string({ maxLength: 70 }), tricky),
    externalUserID: fc.oneof(fc.string({ unit: 'binary', maxLength: 130 }), tricky),
    quantity: fc.oneof(fc.integer({ min: -2, max: 1_000_002 }), fc.double(), tricky),
  },
  { requiredKeys: ['offer'] },
);
/** Otherwise usual bodies with a shipping of every shape, an array of a valid address included. */
const withShipping = fc
  .tuple(nearlyValid, fc.constantFrom<unknown>(address, [address], [], 'x', null))
  .map(([value, shipping]) => ({ ...value, shipping }));
const bodies = fc.oneof(
  { arbitrary: nearlyValid, weight: 4 },
  withShipping,
  fc.dictionary(key, tricky, { maxKeys: 4 }),
  fc.record(
    { offer: tricky, externalUserID: tricky, quantity: tricky },
    { requiredKeys: ['offer'] },
  ),
  tricky,
);

describe('CreateRedemptionDto.acceptFast', () => {
  it('accepts the usual bodies, as the full rules do', async () => {
    for (const value of [
      { offer: 'off_1' },
      { offer: 'off_1', externalUserID: 'member-1' },
      { offer: 'o', externalUserID: 'm', quantity: 3 },
      Object.assign(Object.create(null) as object, { offer: 'off_1' }),
    ]) {
      const fast = CreateRedemptionDto.acceptFast(value);
      expect(fast).toBeInstanceOf(CreateRedemptionDto);
      expect(fast).toEqual((await judged(value)).dto);
    }
  });

  it('accepts nothing the full rules refuse, and yields the very DTO they yield', async () => {
    let acceptedFast = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (value) => {
        const fast = CreateRedemptionDto.acceptFast(value);
        if (fast === undefined) return;
        acceptedFast++;
        const { dto } = await judged(value);
        expect(dto).toBeInstanceOf(CreateRedemptionDto);
        expect(fast).toEqual(dto);
      }),
      { numRuns: 2000, seed: 20261201 },
    );
    expect(acceptedFast).toBeGreaterThan(50);
  });

  it('never takes a shipping address; an array of one is refused as no object', async () => {
    const value = { offer: 'off_1', externalUserID: 'm', shipping: [address] };
    expect(CreateRedemptionDto.acceptFast(value)).toBeUndefined();
    expect((await judged(value)).error).toMatchObject({
      details: { fields: [{ field: 'shipping', problems: ['shipping must be an object'] }] },
    });
  });

  it('takes a null shipping for none, as a null description: clients that send every field', async () => {
    const { dto, error } = await judged({ offer: 'off_1', shipping: null, description: null });
    expect(error).toBeUndefined();
    expect(dto).toMatchObject({ offer: 'off_1', shipping: null, description: null });
  });

  it('leaves refusals to the full rules, which name the failing fields', async () => {
    const value = { offer: 'x'.repeat(65), quantity: 0 };
    expect(CreateRedemptionDto.acceptFast(value)).toBeUndefined();
    await expect(validationPipe().transform(value, body)).rejects.toMatchObject({
      response: { code: 'VALIDATION_FAILED' },
    });
    expect((await judged(value)).error).toMatchObject({
      details: { fields: [{ field: 'offer' }, { field: 'quantity' }] },
    });
  });
});
