import { hostname } from 'node:os';
import { productionUrlProblem } from './webhook-url';

describe('productionUrlProblem', () => {
  it.each([
    ['https://hooks.example.org/escalations'],
    ['https://hooks.example.org:8443/x?token=abc'],
    ['https://93.184.216.34/hook'],
    ['https://[2001:db8::1]/hook'],
    ['https://172.32.0.1/hook'],
    [`https://${hostname()}.hooks.example.org/x`], // a name that only starts like this machine's
  ])('accepts %s', (url) => {
    expect(productionUrlProblem(url)).toBeNull();
  });

  it('refuses plain http', () => {
    expect(productionUrlProblem('http://hooks.example.org/x')).toBe('url must use https');
  });

  it.each([
    ['https://localhost/x'],
    ['https://LOCALHOST:3000/x'],
    ['https://api.localhost/x'],
    ['https://127.0.0.1/x'],
    ['https://2130706433/x'], // 127.0.0.1 as one number
    ['https://10.1.2.3/x'],
    ['https://172.16.0.1/x'],
    ['https://192.168.1.1/x'],
    ['https://169.254.169.254/latest/meta-data'],
    ['https://100.64.0.1/x'],
    ['https://0.0.0.0/x'],
    ['https://[::1]/x'],
    ['https://[fd00::1]/x'],
    ['https://[fe80::1]/x'],
    ['https://[::ffff:10.0.0.1]/x'],
    ['https://[::ffff:127.0.0.1]/x'],
    ['https://[::ffff:93.184.216.34]/x'], // mapped, even to a public address
    ['https://198.18.0.1/x'], // benchmarking
    ['https://198.19.255.254/x'],
    ['https://192.0.0.8/x'],
    ['https://224.0.0.1/x'],
    ['https://255.255.255.255/x'],
    ['https://[64:ff9b::7f00:1]/x'], // NAT64 of 127.0.0.1
    ['https://[64:ff9b:1::a00:1]/x'],
    ['https://[ff02::1]/x'],
    ['https://[::a00:1]/x'], // IPv4-compatible 10.0.0.1
    ['https://[2002:a00:1::1]/x'], // 6to4 of 10.0.0.1
    ['https://[100::1]/x'], // discard-only
    [`https://${hostname()}/x`],
    [`https://${hostname().toUpperCase()}.:8443/x`],
  ])('refuses the local or private address in %s', (url) => {
    expect(productionUrlProblem(url)).toBe(
      'url must not point to a local or private network address',
    );
  });
});
