import { isPublicAddress, privateHostProblem } from './destination';

describe('webhook destinations', () => {
  it.each([
    '0.0.0.0',
    '10.0.0.1',
    '100.64.0.1',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.168.1.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '2002:a00:1::1',
    '2001:db8::1',
    '2001::1', // Teredo
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo, as its clients are numbered
    '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '64:ff9b::169.254.169.254', // NAT64 of the metadata address, written dotted
    '64:ff9b::', // NAT64 of 0.0.0.0
    '::ffff:0:a00:1', // SIIT's IPv4-translated 10.0.0.1
    '::ffff:0:7f00:1', // and 127.0.0.1
    'not-an-address',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '::ffff:8.8.8.8',
    '2606:4700::1111',
    '64:ff9b::808:808', // NAT64 of 8.8.8.8, as a DNS64 resolver answers for an IPv4-only name
    '64:ff9b:0:0:0:0:5db8:d822', // NAT64 of 93.184.216.34, written out
    '64:ff9b::8.8.8.8',
    '::ffff:0:808:808', // SIIT's IPv4-translated 8.8.8.8
  ])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('judges a URL host by what it says: an address, a loopback name, or a name left to resolve', () => {
    expect(privateHostProblem('10.0.0.1')).toBe('10.0.0.1 is not a public address');
    expect(privateHostProblem('[fe80::1]')).toBe('fe80::1 is not a public address');
    expect(privateHostProblem('Localhost')).toBe('Localhost is a loopback name');
    expect(privateHostProblem('a.b.localhost.')).toBe('a.b.localhost. is a loopback name');
    expect(privateHostProblem('localhost.example.com')).toBeNull();
    expect(privateHostProblem('[2606:4700::1111]')).toBeNull();
    expect(privateHostProblem('[64:ff9b::a9fe:a9fe]')).toBe(
      '64:ff9b::a9fe:a9fe is not a public address',
    );
    expect(privateHostProblem('hooks.example.com')).toBeNull();
  });
});
