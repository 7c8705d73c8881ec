import { countHeader } from './raw-headers';

describe('countHeader', () => {
  const raw = [
    'Host',
    'a',
    'content-type',
    'x',
    'CONTENT-TYPE',
    'y',
    'Content-Typo',
    'z',
    'hosts',
    'b',
  ];

  it('counts a name sent in any case, and only that name', () => {
    expect(countHeader(raw, 'content-type')).toBe(2);
    expect(countHeader(raw, 'host')).toBe(1);
    expect(countHeader(raw, 'authorization')).toBe(0);
  });

  it('reads names, never values', () => {
    expect(countHeader(['X-Note', 'host'], 'host')).toBe(0);
  });
});
