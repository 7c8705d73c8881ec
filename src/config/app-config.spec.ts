import { resolve } from 'node:path';
import { loadConfig } from './app-config';

describe('loadConfig', () => {
  it('takes the defaults when PORT, STATE_CACHE_SIZE and DATA_DIR are unset', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, stateCacheSize: 100_000 });
    expect(config.dataDir).toBe(resolve('./data'));
  });

  it('reads decimal numbers', () => {
    expect(loadConfig({ PORT: '8080', STATE_CACHE_SIZE: '5000' })).toMatchObject({
      port: 8080,
      stateCacheSize: 5000,
    });
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it.each(['', ' ', '0x0D4B', '3410.0', '1e3', '-1', '65536', 'abc'])(
    'refuses PORT=%p instead of listening on another port',
    (port) => expect(() => loadConfig({ PORT: port })).toThrow(`PORT must be a port number`),
  );

  it.each(['', 'abc', '-5', '0', '1.5', '2000000000'])('refuses STATE_CACHE_SIZE=%p', (size) =>
    expect(() => loadConfig({ STATE_CACHE_SIZE: size })).toThrow(
      `STATE_CACHE_SIZE must be from 1 to 1e9, got '${size}'`,
    ),
  );

  it('reads an empty DATA_DIR as unset, not as the current directory', () =>
    expect(loadConfig({ DATA_DIR: '' }).dataDir).toBe(resolve('./data')));
});
