import { DEV_OPERATOR_API_KEY, parseOperatorApiKeys } from './operator-keys';

const KEY_A = 'pl_operator_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const KEY_B = 'pl_operator_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('OPERATOR_API_KEYS', () => {
  it('takes comma-separated keys, blanks around each ignored, and knows each of them', () => {
    const keys = parseOperatorApiKeys(` ${KEY_A} ,\n${KEY_B}`);
    expect(keys.size).toBe(2);
    expect([keys.has(KEY_A), keys.has(KEY_B)]).toEqual([true, true]);
  });

  it('knows no other credential: another key, a prefix of one, an org key, a key with blanks', () => {
    const keys = parseOperatorApiKeys(KEY_A);
    for (const credential of [
      KEY_B,
      KEY_A.slice(0, -1),
      `${KEY_A}a`,
      ` ${KEY_A}`,
      DEV_OPERATOR_API_KEY,
      'expys_live_aaaaaaaaaaaaaaaa',
      '',
    ])
      expect(keys.has(credential)).toBe(false);
  });

  it.each([
    [
      'pl_operator_tooShort',
      /^OPERATOR_API_KEYS entry 1: the key's random part must have at least 32 characters$/,
    ],
    [
      `pl_operator_${'a'.repeat(257)}`,
      /^OPERATOR_API_KEYS entry 1: the key's random part must have at most 256 characters$/,
    ],
    ['expys_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', /entry 1: the key must look like pl_operator_/],
    [`pl_operator_${'a'.repeat(31)}.`, /must look like pl_operator_<random>/],
    [`${KEY_A},`, /entry 2: the key must look like/],
    [`${KEY_A}, ${KEY_A}`, /entry 2: the key is listed twice/],
  ])('refuses %p, naming the entry and never the key', (value, message) => {
    expect(() => parseOperatorApiKeys(value)).toThrow(message);
    try {
      parseOperatorApiKeys(value);
    } catch (error) {
      expect((error as Error).message).not.toContain('aaaaaaaa');
    }
  });
});
