import { hasControlCharacters } from './control-characters';

const at = (code: number) => `a${String.fromCodePoint(code)}b`;

describe('hasControlCharacters', () => {
  it('finds C0, DEL and C1 controls in single-line text, and nothing else', () => {
    for (const code of [0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x85, 0x9f])
      expect(hasControlCharacters(at(code))).toBe(true);
    for (const code of [0x20, 0x7e, 0xa0, 0x2028, 0xfeff, 0x1f600])
      expect(hasControlCharacters(at(code))).toBe(false);
  });

  it('lets multi-line text keep tab, line feed and carriage return only', () => {
    expect(hasControlCharacters('one\r\n\ttwo\n', 'multi-line')).toBe(false);
    for (const code of [0x00, 0x0b, 0x0c, 0x1b, 0x7f, 0x85])
      expect(hasControlCharacters(at(code), 'multi-line')).toBe(true);
  });
});
